"""The delimited writer's chunked path (CRLF, quoting not none): the bytes of the record-by-
record layout, header rows in place, and errors at the same record with the same bytes before."""

from __future__ import annotations

import io

import pytest

from stac_xl.errors import EncodingProblem, WriteProblem
from stac_xl.records import FieldSpec, Grain, OutputRecord, RecordSpec
from stac_xl.writers.delimited import CHUNK, DelimitedWriter

HEAD = RecordSpec("H", Grain.INVOICE, (FieldSpec("No"), FieldSpec("Note")), header=True)
LINE = RecordSpec("L", Grain.LINE, (FieldSpec("Item"), FieldSpec("Text"), FieldSpec("Amount")), header=True)
# value -> how minimal quoting writes it (hand-written, not derived from the writer)
TEXTS = {"plain": "plain", "a, b": '"a, b"', 'say "hi"': '"say ""hi"""', "two\r\nlines": '"two\r\nlines"',
         "": "", "é": "é"}


def records(count: int) -> list[OutputRecord]:
    """An H record, then L records cycling through TEXTS, an H every 1,000 records."""
    texts = list(TEXTS)
    out = []
    for n in range(count):
        if n % 1000 == 0:
            out.append(OutputRecord("H", [str(n), texts[n % len(texts)]]))
        else:
            out.append(OutputRecord("L", [f"I{n}", texts[n % len(texts)], f"{n}.50"]))
    return out


def expected(recs: list[OutputRecord]) -> str:
    lines, headed = [], set()
    for rec in recs:
        if rec.record not in headed:
            headed.add(rec.record)
            lines.append("No,Note" if rec.record == "H" else "Item,Text,Amount")
        lines.append(",".join(TEXTS.get(v, v) for v in rec.values))
    return "".join(line + "\r\n" for line in lines)


def write(recs: list[OutputRecord], **options: str) -> tuple[bytes, int]:
    stream = io.BytesIO()
    summary = DelimitedWriter(options).write([HEAD, LINE], recs, stream)
    assert summary.bytes == len(stream.getvalue())
    return stream.getvalue(), summary.records


@pytest.mark.parametrize("count", [1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 700])
def test_chunks_write_the_record_by_record_bytes_with_headers_in_place(count):
    recs = records(count)
    data, written = write(recs)
    assert written == count
    assert data.decode("utf-8") == expected(recs)


def test_records_from_a_generator_are_written_the_same():
    recs = records(CHUNK + 5)
    stream = io.BytesIO()
    DelimitedWriter().write([HEAD, LINE], (r for r in recs), stream)
    assert stream.getvalue().decode("utf-8") == expected(recs)


def test_a_bom_is_written_once_before_the_first_chunk():
    data, _ = write(records(CHUNK + 3), encoding="utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbfNo,Note\r\n") and data.count(b"\xef\xbb\xbf") == 1


def test_an_unencodable_value_in_a_later_chunk_names_its_record_after_writing_those_before():
    recs = records(CHUNK + 600)
    recs[CHUNK + 500].values[1] = "heat → cool"
    stream = io.BytesIO()
    with pytest.raises(EncodingProblem) as caught:
        DelimitedWriter({"encoding": "cp1252"}).write([HEAD, LINE], recs, stream)
    assert (caught.value.record_index, caught.value.record, caught.value.field) == (CHUNK + 500, "L", "Text")
    assert f"Record {CHUNK + 501} (L), field Text: '→' (U+2192 RIGHTWARDS ARROW)" in str(caught.value)
    assert stream.getvalue() == expected(recs[:CHUNK + 500]).encode("cp1252")


@pytest.mark.parametrize("bad, message", [
    (OutputRecord("X", ["1"]), "is of type 'X', which the Mapping does not define"),
    (OutputRecord("L", ["1", "2"]), "(L) has 2 values but L has 3 fields"),
])
def test_a_record_the_specs_refuse_is_named_after_writing_those_before(bad, message):
    recs = records(CHUNK + 300)
    recs[CHUNK + 100] = bad
    stream = io.BytesIO()
    with pytest.raises(WriteProblem) as caught:
        DelimitedWriter().write([HEAD, LINE], recs, stream)
    assert caught.value.record_index == CHUNK + 100
    assert f"Record {CHUNK + 101}" in str(caught.value) and message in str(caught.value)
    assert stream.getvalue().decode("utf-8") == expected(recs[:CHUNK + 100])


def test_quoting_all_and_another_delimiter_take_the_chunked_path_too():
    recs = [OutputRecord("L", ["A1", "x;y", "1.00"]), OutputRecord("L", ["A2", "", "2.00"])]
    data, _ = write(recs, delimiter=";", quoting="all")
    assert data == b'"Item";"Text";"Amount"\r\n"A1";"x;y";"1.00"\r\n"A2";"";"2.00"\r\n'
