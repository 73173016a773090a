"""The writer contract, run over every registered writer: registering a writer tests it.

The small record set suits every file kind (XML names, fixed widths, IIF keywords), so the
same data exercises metadata, options, empty files, encodings and line endings everywhere.
"""

from __future__ import annotations

import io
from typing import Any

import pytest

from stac_xl.errors import ConfigError
from stac_xl.records import FieldSpec, Grain, OutputRecord, RecordSpec
from stac_xl.writers import EncodingProblem, Writer, WriterOptions, WriteSummary, get_writer, writer_keys

SPECS = [
    RecordSpec("Invoice", Grain.INVOICE, (FieldSpec("Number", 8), FieldSpec("Memo", 12)), header=True),
    RecordSpec("Line", Grain.LINE, (FieldSpec("Description", 20), FieldSpec("Amount", 10))),
]
EXPECTED_EXTENSIONS = {"delimited": ".csv", "fixed-width": ".txt", "iif": ".iif", "xml": ".xml"}


def records(description: str = "Fusible link 165F") -> list[OutputRecord]:
    return [
        OutputRecord("Invoice", ["10042", "Job 24-1002"]),
        OutputRecord("Line", [description, "-37.50"]),
    ]


def write(key: str, recs: list[OutputRecord], **options: Any) -> tuple[bytes, WriteSummary]:
    stream = io.BytesIO()
    summary = get_writer(key)(options).write(SPECS, recs, stream)
    return stream.getvalue(), summary


def test_every_expected_writer_is_registered() -> None:
    assert writer_keys() == ["delimited", "fixed-width", "iif", "xml"]


@pytest.mark.parametrize("key", writer_keys())
def test_declares_key_title_and_dotted_extension(key: str) -> None:
    cls = get_writer(key)
    assert cls.key == key and cls.title.strip()
    assert cls.extension.startswith(".") and len(cls.extension) > 1
    assert cls.extension == EXPECTED_EXTENSIONS[key]


@pytest.mark.parametrize("key", writer_keys())
def test_instance_keeps_the_contract_and_declared_extension(key: str) -> None:
    writer = get_writer(key)()
    assert isinstance(writer, Writer)
    assert writer.extension == type(writer).extension


@pytest.mark.parametrize("key", writer_keys())
def test_options_model_validates_its_defaults_and_refuses_unknown_options(key: str) -> None:
    model = get_writer(key).options_model
    assert issubclass(model, WriterOptions)
    assert model.model_validate(model().model_dump()) == model()
    with pytest.raises(ConfigError, match="unknown option 'colour'"):
        get_writer(key)({"colour": "blue"})


@pytest.mark.parametrize("key", writer_keys())
def test_writes_an_empty_record_list(key: str) -> None:
    data, summary = write(key, [])
    assert summary == WriteSummary(records=0, bytes=len(data))


@pytest.mark.parametrize("key", writer_keys())
def test_writes_a_small_file_ending_with_its_newline(key: str) -> None:
    writer = get_writer(key)()
    data, summary = write(key, records())
    assert summary == WriteSummary(records=2, bytes=len(data))
    assert data and data.endswith(writer.options.newline.encode())
    assert b"10042" in data and b"-37.50" in data


@pytest.mark.parametrize("key", writer_keys())
@pytest.mark.parametrize(("encoding", "degree_f"), [("cp1252", b"\xb0F"), ("utf-8", b"\xc2\xb0F"), ("utf-8-sig", b"\xc2\xb0F")])
def test_encoding_option_is_respected(key: str, encoding: str, degree_f: bytes) -> None:
    data, _ = write(key, records("Fusible link 165°F"), encoding=encoding)
    assert b"165" + degree_f in data
    assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")


@pytest.mark.parametrize("key", writer_keys())
def test_unencodable_character_is_refused_naming_the_field(key: str) -> None:
    with pytest.raises(EncodingProblem) as err:
        write(key, records("Inlet → outlet"), encoding="cp1252")
    assert (err.value.record_index, err.value.record, err.value.field) == (1, "Line", "Description")
    assert "field Description: '→' (U+2192 RIGHTWARDS ARROW)" in str(err.value)


@pytest.mark.parametrize("key", writer_keys())
@pytest.mark.parametrize(("newline", "expected"), [("LF", b"\n"), ("CRLF", b"\r\n"), ("\n", b"\n"), ("\r\n", b"\r\n")])
def test_newline_option_is_respected(key: str, newline: str, expected: bytes) -> None:
    data, _ = write(key, records(), newline=newline)
    lines = data.split(b"\n")[:-1]
    assert data.endswith(b"\n") and lines
    assert all(line.endswith(b"\r") == (expected == b"\r\n") for line in lines)


@pytest.mark.parametrize("key", writer_keys())
def test_declares_its_settings_rows_with_the_options_they_set(key: str) -> None:
    cls = get_writer(key)
    names = [row.name for row in cls.settings]
    assert names[:2] == ["Encoding", "Line ending"] and len(names) == len(set(names))
    assert all(row.option in cls.options_model.model_fields and row.note.strip() for row in cls.settings)
    writer = cls({row.option: row.option_value("") for row in cls.settings if row.option_value("") is not None})
    assert writer.settings_problem() is None  # the rows' own defaults always work together


@pytest.mark.parametrize("key", writer_keys())
def test_checks_a_record_list_into_problems(key: str) -> None:
    assert get_writer(key)().check(SPECS, records()) == []  # no IIF transaction here: nothing to sum
