"""The chunked delimited layout (writers/joined.py) against Python's own csv module.

The reference is ``csv.writer`` with the same delimiter and quote character and
``QUOTE_MINIMAL`` / ``QUOTE_ALL``, one row at a time with the CRLF line terminator, its
ending then swapped for the file's newline: the writer's rule is that a value holding CR or
LF is quoted whatever the newline, as csv quotes them with a CRLF terminator. Header rows
come before the first record of each record type that asks for one, and the text is
written composed (NFC). Values are drawn from the characters that matter (delimiters,
quotes, CR, LF, CRLF, empty values, accents, decomposed accents), in chunks that need no
quoting, a little, or a lot, with record types of different lengths in one chunk and more
records than one chunk holds.
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from collections.abc import Sequence

import pytest

from stac_xl.errors import EncodingProblem, WriteProblem
from stac_xl.records import FieldSpec, Grain, OutputRecord, RecordSpec
from stac_xl.writers.base import CHUNK, LineSink
from stac_xl.writers.delimited import DelimitedOptions, DelimitedWriter
from stac_xl.writers.joined import JoinedLines


def spec(name: str, fields: Sequence[str], header: bool = False) -> RecordSpec:
    return RecordSpec(name, Grain.LINE, tuple(FieldSpec(field) for field in fields), header=header)


HEAD = spec("H", ["No", "Customer, name", "Date"], header=True)  # a header name that needs quotes
LINE = spec("L", ["Item", "Text", "Qty", "Amount", "Say \"what\""], header=True)
TAX = spec("T", ["Item", "Text", "Qty", "Amount", "Note"])  # as long as L, no header
END = spec("E", ["A", "B"])
SPECS = [HEAD, LINE, TAX, END]
PIECES = [",", ";", "\t", "|", '"', "'", "\r", "\n", "\r\n", "", " ", "a", "Z9", "é", "e\u0301", "—", "½"]
PLAIN = ["plain", "12.50", "", "Fire alarm test", "24-1001", "Müller", "café"]


def value(rng: random.Random, special: float) -> str:
    """Mostly plain text; with probability ``special``, a few of the pieces that matter."""
    if rng.random() >= special:
        return rng.choice(PLAIN)
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 4)))


def records(rng: random.Random, count: int, special: float, specs: Sequence[RecordSpec] = SPECS) -> list[OutputRecord]:
    """``count`` records cycling irregularly through ``specs`` (the first one first)."""
    out = []
    for n in range(count):
        kind = specs[0] if n == 0 else rng.choice(specs)
        out.append(OutputRecord(kind.name, [value(rng, special) for _ in kind.fields]))
    return out


def reference(specs: Sequence[RecordSpec], recs: Sequence[OutputRecord], *, delimiter: str = ",", quote: str = '"',
              quoting: str = "minimal", newline: str = "\r\n", encoding: str = "utf-8") -> bytes:
    """What csv.writer writes for these records, header rows in place."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quotechar=quote, lineterminator="\r\n", doublequote=True,
                        quoting=csv.QUOTE_ALL if quoting == "all" else csv.QUOTE_MINIMAL)
    by_name = {s.name: s for s in specs}
    rows: list[Sequence[str]] = []
    headed: set[str] = set()
    for rec in recs:
        kind = by_name[rec.record]
        if kind.header and kind.name not in headed:
            headed.add(kind.name)
            rows.append(kind.field_names)
        rows.append(rec.values)
    lines = []
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        lines.append(buffer.getvalue()[:-2] + newline)
    return unicodedata.normalize("NFC", "".join(lines)).encode(encoding)


def write(specs: Sequence[RecordSpec], recs: Sequence[OutputRecord], **options: str) -> bytes:
    stream = io.BytesIO()
    summary = DelimitedWriter(options).write(specs, recs, stream)
    assert summary.records == len(recs)
    assert summary.bytes == len(stream.getvalue())
    return stream.getvalue()


def joined_write(specs: Sequence[RecordSpec], chunk: list[OutputRecord], headed: set[str],
                 **options: str) -> tuple[bool, bytes]:
    """One chunk through JoinedLines itself (not the writer's csv fallback)."""
    o = DelimitedOptions.model_validate(options)
    stream = io.BytesIO()
    laid_out = JoinedLines(specs, delimiter=o.delimiter, quote=o.quote_char, newline=o.newline,
                           quoting=o.quoting).write(chunk, headed, LineSink(stream, o))
    return laid_out, stream.getvalue()


# --- whole files against csv --------------------------------------------------------------

@pytest.mark.parametrize("special", [0.0, 0.002, 0.05, 0.5])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("quoting", ["minimal", "all"])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_files_are_csvs_bytes(special: float, delimiter: str, quoting: str, newline: str) -> None:
    recs = records(random.Random(f"{special}{delimiter}{quoting}{newline}"), 2 * CHUNK + 321, special)
    options = {"delimiter": delimiter, "quoting": quoting, "newline": "lf" if newline == "\n" else "crlf"}
    assert write(SPECS, recs, **options) == reference(SPECS, recs, delimiter=delimiter, quoting=quoting,
                                                      newline=newline)


@pytest.mark.parametrize("quoting", ["minimal", "all"])
def test_another_quote_character_is_csvs_too(quoting: str) -> None:
    recs = records(random.Random(quoting), CHUNK + 50, 0.3)
    assert write(SPECS, recs, quoting=quoting, quote_char="'") == reference(SPECS, recs, quote="'", quoting=quoting)


@pytest.mark.parametrize("count", [1, 2, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5])
def test_chunk_edges_keep_header_rows_in_place(count: int) -> None:
    # the H header comes first, L's and T's wherever their first record falls (often in a later chunk)
    rng = random.Random(count)
    recs = [OutputRecord("H", [value(rng, 0.2) for _ in HEAD.fields]) for _ in range(count)]
    if count > 1:
        recs[-1] = OutputRecord("L", ['say "hi"', "a,b", "", "x\ny", "1"])
    if count > CHUNK:
        recs[CHUNK] = OutputRecord("T", ["1", "2", "3", "4", "5"])
    assert write(SPECS, recs) == reference(SPECS, recs)


def test_lone_field_records_are_csvs_with_the_empty_field_quoted() -> None:
    one = spec("O", ["Only"], header=True)
    recs = [OutputRecord("O", [text]) for text in ["", "a", "a,b", '"', "", "x\r\ny"]]
    recs.append(OutputRecord("E", ["", ""]))
    for quoting in ["minimal", "all"]:
        assert write([one, END], recs, quoting=quoting) == reference([one, END], recs, quoting=quoting)


def test_values_that_are_not_text_are_written_as_csv_writes_them() -> None:
    recs = [OutputRecord("E", ["a", "b"]), OutputRecord("E", [12, None]),  # type: ignore[list-item]
            OutputRecord("E", ["c,d", 1.5])]  # type: ignore[list-item]
    assert write([END], recs) == reference([END], recs)


@pytest.mark.parametrize("value", ["é", "e\u0301", "—", "€ “quoted”", "a, é"])
def test_text_windows_1252_holds_is_written_composed_in_it(value: str) -> None:
    recs = [OutputRecord("L", ["I1", value, "1", "2.00", value]) for _ in range(CHUNK + 3)]
    assert write(SPECS, recs, encoding="cp1252") == reference(SPECS, recs, encoding="cp1252")


# --- the chunk path itself ------------------------------------------------------------------

@pytest.mark.parametrize("special", [0.0, 0.01, 0.6])
@pytest.mark.parametrize("quoting", ["minimal", "all"])
def test_a_chunk_that_needs_quoting_is_laid_out_without_csv(special: float, quoting: str) -> None:
    chunk = records(random.Random(special), CHUNK, special)
    laid_out, data = joined_write(SPECS, chunk, set(), quoting=quoting)
    assert laid_out
    assert data == reference(SPECS, chunk, quoting=quoting)


def test_lines_of_record_types_of_different_lengths_stay_in_order() -> None:
    chunk = [OutputRecord("E", ["a,b", "c"]), OutputRecord("L", ["1", 'x"y', "", "\n", "5"]),
             OutputRecord("H", ["n", "m", "o"]), OutputRecord("E", ["", ""]), OutputRecord("T", ["1", "2", "3", "4", "5"]),
             OutputRecord("H", ["\r", "", ";"])]
    laid_out, data = joined_write(SPECS, chunk, {"H", "L"})
    assert laid_out
    assert data == reference([spec(s.name, s.field_names) for s in SPECS], chunk)


def test_a_header_row_that_needs_quotes_is_quoted_before_its_first_record() -> None:
    chunk = [OutputRecord("E", ["a", "b"]), OutputRecord("H", ["1", "2", "3"]), OutputRecord("L", ["1", "2", "3", "4", "5"])]
    headed: set[str] = set()
    laid_out, data = joined_write(SPECS, chunk, headed)
    assert laid_out and headed == {"H", "L"}
    assert data.decode() == ('a,b\r\nNo,"Customer, name",Date\r\n1,2,3\r\n'
                             'Item,Text,Qty,Amount,"Say ""what"""\r\n1,2,3,4,5\r\n')


def test_quoting_none_declines_a_chunk_that_needs_quoting_and_writes_nothing() -> None:
    chunk = [OutputRecord("E", ["a", "b"]), OutputRecord("E", ["c", "d;e"])]
    assert joined_write([END], chunk, set(), quoting="none", delimiter=";") == (False, b"")
    assert joined_write([END], chunk[:1], set(), quoting="none", delimiter=";") == (True, b"a;b\r\n")


# --- errors as the record-by-record layout names them ---------------------------------------

@pytest.mark.parametrize("bad, char", [("a,b", "','"), ('a"b,c', "'\"'"), ("two\nlines", "'\\n'"), ("cr\r", "'\\r'")])
def test_quoting_none_names_the_record_and_field_that_needs_quotes(bad: str, char: str) -> None:
    plain_line = spec("L", ["Item", "Text", "Qty", "Amount", "Note"], header=True)
    recs = [OutputRecord("L", ["I", "plain", "1", "2", "3"]) for _ in range(CHUNK + 600)]
    recs[CHUNK + 500] = OutputRecord("L", ["I", "plain", "1", bad, "3"])
    stream = io.BytesIO()
    with pytest.raises(WriteProblem) as caught:
        DelimitedWriter({"quoting": "none"}).write([plain_line], recs, stream)
    assert (caught.value.record_index, caught.value.record, caught.value.field) == (CHUNK + 500, "L", "Amount")
    assert str(caught.value) == (f"Record {CHUNK + 501} (L), field Amount: {char} cannot be written with quoting "
                                 "'none'; remove it in the Mapping (a transform) or choose quoting 'minimal'.")
    plain = "Item,Text,Qty,Amount,Note\r\n" + "I,plain,1,2,3\r\n" * (CHUNK + 500)
    assert stream.getvalue() == plain.encode()


@pytest.mark.parametrize("quoting", ["minimal", "all"])
def test_an_unencodable_character_names_its_record_and_field(quoting: str) -> None:
    recs = records(random.Random(7), CHUNK + 600, 0.3, [LINE, TAX])
    recs[CHUNK + 400] = OutputRecord("T", ["I", "a, b", "1", "2", "heat → cool"])
    stream = io.BytesIO()
    with pytest.raises(EncodingProblem) as caught:
        DelimitedWriter({"encoding": "cp1252", "quoting": quoting}).write([LINE, TAX], recs, stream)
    assert (caught.value.record_index, caught.value.record, caught.value.field) == (CHUNK + 400, "T", "Note")
    assert str(caught.value) == (f"Record {CHUNK + 401} (T), field Note: '→' (U+2192 RIGHTWARDS ARROW) at position 6 "
                                 "cannot be written in cp1252; change the value or the Encoding setting.")
    assert stream.getvalue() == reference([LINE, TAX], recs[:CHUNK + 400], quoting=quoting, encoding="cp1252")


def test_quoting_none_writes_a_value_that_is_not_text_as_csv_would():
    import io

    from stac_xl.records import FieldSpec, Grain, OutputRecord, RecordSpec
    from stac_xl.writers.delimited import DelimitedWriter

    spec = RecordSpec("L", Grain.LINE, (FieldSpec("A"), FieldSpec("B")))
    out = io.BytesIO()
    DelimitedWriter({"quoting": "none"}).write([spec], [OutputRecord("L", [12, None])], out)  # type: ignore[list-item]
    assert out.getvalue() == b"12,\r\n"
