"""The XML and fixed-width writers lay out a chunk of records at once (XML: the values escaped,
composed and encoded as one text, %-formatted into encoded element templates; fixed width:
padded a column at a time per record type) and fall back to their line-by-line layout for a
chunk that does not fit. These tests hold the whole file to that line-by-line layout, run on
its own over every record, on the inputs the chunk layout must get right or decline: empty
values (omit_empty on and off), nesting on and off, markup and CR in some records, records of
an unknown type, nested records with no invoice before them, file-start/-end records,
characters cp1252 cannot hold, NUL and other characters XML cannot carry, combining marks,
%-signs, and chunk boundaries (more than CHUNK records, an invoice open across a boundary).
The bytes must be the same, and so must an error: its type, message, record and field, and
the bytes written before it."""

from __future__ import annotations

import io
import random
import re
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from stac_xl.errors import EncodingProblem, WriteProblem
from stac_xl.records import FieldSpec, Grain, OutputRecord, RecordSpec
from stac_xl.writers.base import CHUNK, LineSink, SpecIndex
from stac_xl.writers.fixed_width import FixedWidthWriter, _format
from stac_xl.writers.xml import _DECLARED, _NOT_XML, XmlWriter

START = RecordSpec("Batch", Grain.FILE_START, (FieldSpec("Count"), FieldSpec("Note")))
INVOICE = RecordSpec("Invoice", Grain.INVOICE, (FieldSpec("Number"), FieldSpec("Customer"), FieldSpec("PO"),
                                                 FieldSpec("Total")))
LINE = RecordSpec("Line", Grain.LINE, (FieldSpec("Item"), FieldSpec("Description"), FieldSpec("Amount")))
TAX = RecordSpec("Tax", Grain.INVOICE_END, (FieldSpec("Amount"),))
MARK = RecordSpec("Mark", Grain.LINE, ())  # a nested record type without fields
END = RecordSpec("End", Grain.FILE_END, ())
SPECS = [START, INVOICE, LINE, TAX, MARK, END]
BY_NAME = {spec.name: spec for spec in SPECS}

PLAIN = ["Fire alarm test", "12.50", "ACME01", "Net 30", "-37.50", "x"]
MARKUP = ["Pipe & fittings", "<2\">", "a > b", "two\r\nlines", "one\nline", "'q'", "&amp;", "%s", "100%", "%(x)s"]


# --- the reference: the writer's line-by-line layout over the whole file ----------------------

def xml_line_by_line(specs: Sequence[RecordSpec], records: list[OutputRecord], **options: Any) -> bytes:
    """What XmlWriter.write writes with every chunk laid out element by element
    (``_write_slowly`` over all records at once, in the same frame); an error propagates
    with the stream as it stood, read through :func:`outcome`."""
    writer = XmlWriter(options)
    stream = io.BytesIO()
    sink = LineSink(stream, writer.options)
    sink.write_line(f'<?xml version="1.0" encoding="{_DECLARED[writer.options.encoding]}"?>')
    sink.write_line(f"<{writer.options.root}>")
    try:
        open_parent = writer._write_slowly(sink, SpecIndex(specs), 0, records, None)
    except Exception as exc:
        exc.add_note(repr(stream.getvalue()))
        raise
    if open_parent is not None:
        sink.write_line(f"  </{open_parent}>")
    sink.write_line(f"</{writer.options.root}>")
    return stream.getvalue()


def xml_written(specs: Sequence[RecordSpec], records: list[OutputRecord], **options: Any) -> bytes:
    stream = io.BytesIO()
    try:
        summary = XmlWriter(options).write(specs, records, stream)
    except Exception as exc:
        exc.add_note(repr(stream.getvalue()))
        raise
    assert (summary.records, summary.bytes) == (len(records), len(stream.getvalue()))
    return stream.getvalue()


def outcome(write: Callable[[], bytes]) -> tuple[Any, ...]:
    """The bytes, or the error: type, message, record and field, and the bytes before it."""
    try:
        return ("written", write())
    except Exception as exc:
        where = tuple(getattr(exc, name, None) for name in ("record_index", "record", "field"))
        return ("refused", type(exc), str(exc), where, getattr(exc, "__notes__", None))


def same_as_line_by_line(specs: Sequence[RecordSpec], records: list[OutputRecord], **options: Any) -> tuple[Any, ...]:
    fast = outcome(lambda: xml_written(specs, records, **options))
    assert fast == outcome(lambda: xml_line_by_line(specs, records, **options))
    return fast


# --- records ---------------------------------------------------------------------------------

def invoices(rng: random.Random, count: int, *, empty: float = 0.2, markup: float = 0.0) -> list[OutputRecord]:
    """Batch, then invoices each with 0-4 lines, sometimes a Mark and a Tax, then End: about
    ``count`` records, values empty with probability ``empty``, markup with ``markup``."""
    def cell() -> str:
        roll = rng.random()
        return "" if roll < empty else rng.choice(MARKUP) if roll < empty + markup else rng.choice(PLAIN)

    def record(spec: RecordSpec) -> OutputRecord:
        return OutputRecord(spec.name, [cell() for _ in spec.fields])

    out = [record(START)]
    while len(out) < count:
        out.append(record(INVOICE))
        out += [record(rng.choice([LINE, LINE, LINE, MARK])) for _ in range(rng.randint(0, 4))]
        if rng.random() < 0.5:
            out.append(record(TAX))
    return [*out, record(END)]


# --- XML -------------------------------------------------------------------------------------

@pytest.mark.parametrize("nest", [True, False])
@pytest.mark.parametrize("omit_empty", [True, False])
@pytest.mark.parametrize("empty", [0.0, 0.3, 1.0])
def test_xml_empty_values_with_and_without_nesting(nest: bool, omit_empty: bool, empty: float) -> None:
    records = invoices(random.Random(f"{nest}{omit_empty}{empty}"), 2 * CHUNK + 300, empty=empty)
    kind, data = same_as_line_by_line(SPECS, records, nest=nest, omit_empty=omit_empty)
    assert kind == "written" and data.endswith(b"  <End/>\n</Invoices>\n")


@pytest.mark.parametrize("markup", [0.001, 0.3])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_xml_markup_and_carriage_returns_in_some_records_are_escaped_as_line_by_line(markup: float,
                                                                                     newline: str) -> None:
    records = invoices(random.Random(f"{markup}{newline}"), CHUNK + 500, markup=markup)
    at = next(n for n in range(CHUNK + 100, len(records)) if records[n].record == "Line")
    records[at].values[1] = "Pipe & <fittings>\r%(x)s"  # one, in an otherwise plain second chunk
    kind, data = same_as_line_by_line(SPECS, records, newline=newline)
    assert kind == "written" and b"<Description>Pipe &amp; &lt;fittings&gt;&#13;%(x)s</Description>" in data


def test_xml_an_invoice_open_across_a_chunk_boundary_is_closed_in_the_next_chunk() -> None:
    records = invoices(random.Random(1), 3 * CHUNK, empty=0.0)[: CHUNK - 1]
    records.append(OutputRecord("Invoice", ["9001", "ACME01", "", "12.50"]))  # the chunk's last record
    records += [OutputRecord("Line", [f"I{n}", "Work", "1.00"]) for n in range(CHUNK + 10)]  # all of the next
    records.append(OutputRecord("Invoice", ["9002", "ACME01", "PO", "1.00"]))
    _, data = same_as_line_by_line(SPECS, records)
    assert data.count(b"<Invoice>") == data.count(b"</Invoice>")
    assert data.endswith(b"  </Invoice>\n</Invoices>\n")


def test_xml_file_start_and_end_records_sit_at_the_root_and_close_the_invoice() -> None:
    records = [OutputRecord("Batch", ["2", ""]), OutputRecord("Invoice", ["1", "A", "", "2.00"]),
               OutputRecord("Line", ["X", "", "2.00"]), OutputRecord("Mark", []), OutputRecord("End", [])]
    assert same_as_line_by_line(SPECS, records)[1] == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Invoices>\n'
        b"  <Batch>\n    <Count>2</Count>\n  </Batch>\n"
        b"  <Invoice>\n    <Number>1</Number>\n    <Customer>A</Customer>\n    <Total>2.00</Total>\n"
        b"    <Line>\n      <Item>X</Item>\n      <Amount>2.00</Amount>\n    </Line>\n    <Mark/>\n"
        b"  </Invoice>\n  <End/>\n</Invoices>\n"
    )


@pytest.mark.parametrize("where", ["first record", "after the batch", "after the end record",
                                   "a later chunk's first record", "after a batch ending a chunk"])
def test_xml_a_nested_record_with_no_invoice_before_it_is_refused_at_that_record(where: str) -> None:
    records = invoices(random.Random(where), 2 * CHUNK + 100)
    stray = OutputRecord("Line", ["X", "stray", "1.00"])
    at = {"first record": 0, "after the batch": 1, "after the end record": len(records),
          "a later chunk's first record": CHUNK, "after a batch ending a chunk": CHUNK}[where]
    if where == "a later chunk's first record":
        records[CHUNK - 1] = OutputRecord("End", [])  # the invoice before it is closed by a root record
    if where == "after a batch ending a chunk":
        records[CHUNK - 1] = OutputRecord("Batch", ["1", ""])
    records.insert(at, stray)
    kind, error, message, (index, record, _field), _ = same_as_line_by_line(SPECS, records)
    assert (kind, error, index, record) == ("refused", WriteProblem, at, "Line")
    assert "belongs inside an invoice record, but none comes before it" in message


def test_xml_without_nesting_a_line_needs_no_invoice() -> None:
    records = [OutputRecord("Line", ["X", "", "1.00"])] * (CHUNK + 1)
    assert same_as_line_by_line(SPECS, records, nest=False)[0] == "written"


@pytest.mark.parametrize("bad", [OutputRecord("Credit", ["1"]), OutputRecord("Line", ["X", "too few"]),
                                 OutputRecord("Line", ["X", "Work", "1.00", "extra"]),
                                 OutputRecord("Line", ["X", 5, "1.00"])])  # a value that is not text
def test_xml_unknown_record_types_wrong_counts_and_values_not_text_fail_as_line_by_line(bad: OutputRecord) -> None:
    records = invoices(random.Random(2), CHUNK + 600)
    records.insert(CHUNK + 300, bad)
    kind, error, *_ = same_as_line_by_line(SPECS, records)
    assert kind == "refused"
    if bad.record == "Credit" or len(bad.values) != 3:
        assert error is WriteProblem


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x0b", "\x1f", "\ufffe", "\uffff"])
def test_xml_a_character_xml_cannot_carry_names_its_field(char: str) -> None:
    records = invoices(random.Random(char), CHUNK + 600, empty=0.0)
    at = next(n for n in range(CHUNK + 100, len(records)) if records[n].record == "Line")
    records[at].values[1] = f"bad{char}value"
    kind, error, message, where, _ = same_as_line_by_line(SPECS, records)
    assert (kind, error, where) == ("refused", WriteProblem, (at, "Line", "Description"))
    assert "cannot appear in XML" in message


def test_xml_characters_it_cannot_carry_are_exactly_those_xml_1_0_leaves_out() -> None:
    everything = "".join(map(chr, range(0x110000)))
    found = {ord(c) for c in _NOT_XML.findall(everything)}
    # XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]; surrogates
    # are no text to encode, and the encoder refuses them
    assert found == {*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF}


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-8-sig"])
def test_xml_a_character_the_encoding_cannot_hold_names_its_record_and_field(encoding: str) -> None:
    records = invoices(random.Random(encoding), CHUNK + 600, empty=0.0)
    at = next(n for n in range(CHUNK + 100, len(records)) if records[n].record == "Invoice")
    records[at].values[1] = "heat → cool" if encoding == "cp1252" else "lone \ud800 surrogate"
    kind, error, message, where, _ = same_as_line_by_line(SPECS, records, encoding=encoding)
    assert (kind, error, where) == ("refused", EncodingProblem, (at, "Invoice", "Customer"))
    assert f"Record {at + 1} (Invoice), field Customer:" in message


def test_xml_cp1252_text_it_can_hold_is_written_as_line_by_line_with_one_bom_for_utf8_sig() -> None:
    records = invoices(random.Random(3), CHUNK + 50, markup=0.1)
    for n, record in enumerate(records):
        if record.values and n % 3 == 0:
            record.values[0] = "Café € “quoted” —"  # in Windows-1252, not ASCII
    assert same_as_line_by_line(SPECS, records, encoding="cp1252")[0] == "written"
    data = same_as_line_by_line(SPECS, records, encoding="utf-8-sig")[1]
    assert data.startswith(b"\xef\xbb\xbf<?xml") and data.count(b"\xef\xbb\xbf") == 1


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8"])
def test_xml_element_names_beyond_ascii_are_written_or_refused_as_line_by_line(encoding: str) -> None:
    # Ω is not in Windows-1252; the Angstrom sign composes to Å, which is
    accented = RecordSpec("Désignation", Grain.INVOICE, (FieldSpec("Ωmega"), FieldSpec("\u212bngstrom")))
    records = [OutputRecord("Désignation", ["é", "1"]), OutputRecord("Line", ["X", "", "1"])] * (CHUNK // 2 + 5)
    kind, *rest = same_as_line_by_line([accented, LINE], records, encoding=encoding)
    assert kind == ("refused" if encoding == "cp1252" else "written")
    if kind == "written":
        assert "  <Désignation>\n    <Ωmega>é</Ωmega>\n    <\u00c5ngstrom>1</\u00c5ngstrom>\n".encode() in rest[0]


@pytest.mark.parametrize("value", ["Cafe\u0301", "\u0301accent first", "e\u0301\u0327", "\u0344", "Å",
                                   "\u0338 overlay first", "x\u0338", "=\u0338", "<\u0338", "a>\u0338", "\u226e",
                                   "\u2adc", "&\u0301\u0327", "\u037e", "\r\u0301"])
def test_xml_values_are_composed_as_their_lines_are(value: str) -> None:
    """Each value is composed (NFC) and escaped, U+0338 left in it as &#824; so it cannot
    compose with the '>' of its tag into '≯', nor a value's "<" + U+0338 into '≮': the chunk
    layout writes what the line-by-line layout writes. U+2ADC composes into U+2ADD and U+0338."""
    records = invoices(random.Random(value), CHUNK + 10, empty=0.0)
    for record in records[CHUNK - 5:]:
        if record.record == "Line":
            record.values[1] = value
    assert same_as_line_by_line(SPECS, records)[0] == "written"


def test_xml_a_record_type_without_fields_and_an_invoice_with_every_value_empty() -> None:
    records = [OutputRecord("Invoice", ["", "", "", ""]), OutputRecord("Mark", []), OutputRecord("Tax", [""]),
               OutputRecord("Invoice", ["", "", "", ""])] * (CHUNK // 4 + 3)
    assert same_as_line_by_line(SPECS, records)[1].endswith(b"  <Invoice>\n  </Invoice>\n</Invoices>\n")
    assert same_as_line_by_line(SPECS, records, omit_empty=False)[0] == "written"


def test_xml_many_patterns_of_empty_values_are_each_laid_out() -> None:
    wide = RecordSpec("Wide", Grain.LINE, tuple(FieldSpec(f"F{n}") for n in range(14)))
    rng = random.Random(4)
    records = [OutputRecord("Wide", [rng.choice(["", "v"]) for _ in range(14)]) for _ in range(3 * CHUNK)]
    assert same_as_line_by_line([wide], records, nest=False)[0] == "written"


# --- fixed width -----------------------------------------------------------------------------

HEAD = RecordSpec("H", Grain.INVOICE, (FieldSpec("Kind", 1), FieldSpec("Number", 6), FieldSpec("Total", 9)))
DETAIL = RecordSpec("D", Grain.LINE, (FieldSpec("Kind", 1), FieldSpec("Text", 8), FieldSpec("Qty", 4),
                                      FieldSpec("Amount", 9)))
BLANK = RecordSpec("B", Grain.INVOICE_END, ())
FIXED = [HEAD, DETAIL, BLANK]
AMOUNTS = ["-37.50", "+5", "12.00", "", "-", "+", "0", "123456789", "-12345678"]  # none wider than 9


def fixed_line_by_line(records: list[OutputRecord], **options: Any) -> bytes:
    """What FixedWidthWriter.write writes with every record laid out by ``_format``."""
    writer = FixedWidthWriter(options)
    layouts = {spec.name: writer._layout(spec) for spec in FIXED}
    stream = io.BytesIO()
    sink, index = LineSink(stream, writer.options), SpecIndex(FIXED)
    try:
        for n, record in enumerate(records):
            source = index.locate(n, record)
            sink.write_line(_format(source, layouts[source.spec.name], writer.options.pad_char), source)
    except Exception as exc:
        exc.add_note(repr(stream.getvalue()))
        raise
    return stream.getvalue()


def fixed_written(records: list[OutputRecord], **options: Any) -> bytes:
    stream = io.BytesIO()
    try:
        FixedWidthWriter(options).write(FIXED, records, stream)
    except Exception as exc:
        exc.add_note(repr(stream.getvalue()))
        raise
    return stream.getvalue()


def fixed_records(rng: random.Random, count: int, texts: Sequence[str]) -> list[OutputRecord]:
    out = []
    for n in range(count):
        kind = "H" if n % 6 == 0 else "B" if n % 6 == 5 else "D"
        if kind == "H":
            out.append(OutputRecord("H", ["H", str(n)[:6], rng.choice(AMOUNTS)]))
        elif kind == "D":
            out.append(OutputRecord("D", ["D", rng.choice(texts), rng.choice(AMOUNTS)[:4], rng.choice(AMOUNTS)]))
        else:
            out.append(OutputRecord("B", []))
    return out


@pytest.mark.parametrize("pad_char", ["0", " "])
@pytest.mark.parametrize("texts", [["Labor", "", "Trip", "a b"], ["Café", "Cafe\u0301", "€uro", "\u0301x", "ﬁ"]])
@pytest.mark.parametrize("encoding", ["cp1252", "utf-8"])  # utf-8 holds the combining accent cp1252 refuses
def test_fixed_width_columns_padded_per_record_type_are_the_record_by_record_lines(
        pad_char: str, texts: list[str], encoding: str) -> None:
    records = fixed_records(random.Random(f"{pad_char}{texts}"), 2 * CHUNK + 77, texts)
    options = {"right_align": "Total, Qty, Amount", "pad_char": pad_char, "encoding": encoding}
    fast = outcome(lambda: fixed_written(records, **options))
    assert fast == outcome(lambda: fixed_line_by_line(records, **options))


def test_fixed_width_zero_fill_goes_after_the_sign_and_leaves_a_blank_blank() -> None:
    records = [OutputRecord("H", ["H", "1", amount]) for amount in ["-37.50", "+5", "", "7", "-", "123456789"]]
    data = fixed_written(records * (CHUNK // 6 + 1), right_align="Total", pad_char="0")
    assert data.split(b"\r\n")[:6] == [b"H1     -00037.50", b"H1     +00000005", b"H1              ",
                                       b"H1     000000007", b"H1     -00000000", b"H1     123456789"]
    assert data == fixed_line_by_line(records * (CHUNK // 6 + 1), right_align="Total", pad_char="0")


@pytest.mark.parametrize("bad", [OutputRecord("D", ["D", "too wide!", "1", "2"]), OutputRecord("Q", []),
                                 OutputRecord("D", ["D", "x", "1"]), OutputRecord("D", ["D", 3, "1", "2"]),
                                 OutputRecord("D", ["D", "heat→", "1", "2"]), OutputRecord("D", ["D", "x\ny", "1", "2"]),
                                 OutputRecord("H", ["H", "1", "1234567890"])])
def test_fixed_width_a_record_it_cannot_lay_out_fails_as_record_by_record(bad: OutputRecord) -> None:
    records = fixed_records(random.Random(5), CHUNK + 300, ["Labor", "Trip"])
    records.insert(CHUNK + 150, bad)
    fast = outcome(lambda: fixed_written(records, right_align="Amount"))
    assert fast[0] == "refused" and fast == outcome(lambda: fixed_line_by_line(records, right_align="Amount"))


def test_fixed_width_ascii_and_windows_1252_chunks_encode_alike() -> None:
    records = fixed_records(random.Random(6), 2 * CHUNK, ["Labor", "Trip"])  # ASCII chunks
    records += fixed_records(random.Random(7), CHUNK, ["Café", "“x”"])  # a chunk beyond ASCII
    data = fixed_written(records)
    assert data == fixed_line_by_line(records)
    assert re.search("Café".encode("cp1252"), data) and data.decode("cp1252").count("\r\n") == len(records)


@pytest.mark.parametrize("text", ["\u0338x", "a\u0338", "=\u0338", "x \u0338 y", "\u0338"])
def test_a_combining_overlay_in_a_value_keeps_the_xml_well_formed(text):
    import io
    import unicodedata
    from xml.etree import ElementTree

    from stac_xl.records import FieldSpec, Grain, OutputRecord, RecordSpec
    from stac_xl.writers.xml import XmlWriter

    spec = RecordSpec("Invoice", Grain.INVOICE, (FieldSpec("F"),))
    out = io.BytesIO()
    XmlWriter().write([spec], [OutputRecord("Invoice", [text], "1")], out)
    read = ElementTree.fromstring(out.getvalue()).find("Invoice/F")
    assert read is not None and read.text == unicodedata.normalize("NFC", text)
