"""The registry, the shared options and the encoding helper validation reuses."""

from __future__ import annotations

import io

import pytest

from stac_xl.errors import ConfigError, ExportError
from stac_xl.records import FieldSpec, Grain, OutputRecord, RecordSpec
from stac_xl.writers import EncodingProblem, WriteProblem, check_encodable, get_writer
from stac_xl.writers.base import LineSink, WriterOptions
from stac_xl.writers.delimited import DelimitedOptions, DelimitedWriter


def test_unknown_kind_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"Unknown file kind 'csv'; known kinds: delimited, fixed-width, iif, xml\."):
        get_writer("csv")


@pytest.mark.parametrize("spelling", ["fixed-width", "Fixed Width", "FIXED_WIDTH", " fixed-width "])
def test_kind_forgives_case_spaces_and_underscores(spelling: str) -> None:
    assert get_writer(spelling).key == "fixed-width"


@pytest.mark.parametrize(("word", "expected"), [
    ("UTF-8", "utf-8"), ("utf8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("ANSI", "cp1252"), ("Windows-1252", "cp1252"),
])
def test_encoding_words_a_clerk_may_type(word: str, expected: str) -> None:
    assert WriterOptions(encoding=word).encoding == expected


@pytest.mark.parametrize(("word", "expected"), [("CRLF", "\r\n"), ("lf", "\n"), ("\r\n", "\r\n"), ("\n", "\n")])
def test_newline_words_a_clerk_may_type(word: str, expected: str) -> None:
    assert WriterOptions(newline=word).newline == expected


def test_unsupported_encoding_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="option 'encoding' input should be 'utf-8', 'utf-8-sig' or 'cp1252'"):
        DelimitedWriter({"encoding": "latin-9"})


def test_writer_accepts_its_options_model_directly() -> None:
    options = DelimitedOptions(delimiter="\t")
    assert DelimitedWriter(options).options is options


def test_check_encodable_describes_the_first_bad_character() -> None:
    assert check_encodable("165°F", "cp1252") is None
    assert check_encodable("in → out", "cp1252") == "'→' (U+2192 RIGHTWARDS ARROW) at position 4"
    assert check_encodable("in → out", "utf-8-sig") is None
    assert check_encodable("€", "ANSI") is None


def test_write_problems_are_export_errors_a_clerk_sees() -> None:
    assert issubclass(EncodingProblem, WriteProblem) and issubclass(WriteProblem, ExportError)


def test_unencodable_header_row_is_refused_without_a_field() -> None:
    spec = RecordSpec("R", Grain.LINE, (FieldSpec("Température→"),), header=True)
    with pytest.raises(EncodingProblem, match=r"'→' .* cannot be written in cp1252") as err:
        DelimitedWriter({"encoding": "cp1252"}).write([spec], [OutputRecord("R", ["x"])], io.BytesIO())
    assert err.value.field is None


def test_bom_is_written_once_however_many_lines() -> None:
    stream = io.BytesIO()
    sink = LineSink(stream, WriterOptions(encoding="utf-8-sig", newline="\n"))
    sink.write_line("a")
    sink.write_line("b")
    assert stream.getvalue() == b"\xef\xbb\xbfa\nb\n" and sink.bytes == 7
