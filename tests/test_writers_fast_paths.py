"""The writers lay out a chunk of records at once (joined values, padded fields, whole XML
elements) and fall back to their record-by-record layout for what that does not cover. These
tests hold the fast layouts to an independent reference, over random values drawn from the
characters that matter (delimiters, quotes, line breaks, TABs, markup, accents), in chunks
that are clean and chunks that are not: the bytes must be the reference's, and a record the
file kind refuses must be refused as before."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable

import pytest

from stac_xl.errors import WriteProblem
from stac_xl.records import FieldSpec, Grain, OutputRecord, RecordSpec
from stac_xl.writers.base import CHUNK
from stac_xl.writers.delimited import DelimitedWriter

PIECES = ["a", "b", "Z9", " ", ",", ";", "\t", "|", '"', "'", "\r", "\n", "\r\n", "é", "°", "<", "&", ">", ""]
HEAD = RecordSpec("H", Grain.INVOICE, (FieldSpec("No"), FieldSpec("Name")), header=True)
LINE = RecordSpec("L", Grain.LINE, (FieldSpec("Item"), FieldSpec("Text"), FieldSpec("Amount")), header=True)
NOTE = RecordSpec("N", Grain.INVOICE_END, (FieldSpec("A"), FieldSpec("B"), FieldSpec("C"), FieldSpec("D")))


def value(rng: random.Random, special: float) -> str:
    """Mostly plain text; with probability ``special``, one of the characters that matter."""
    if rng.random() >= special:
        return rng.choice(["plain", "12.50", "", "Fire alarm test", "24-1001"])
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 4)))


def records(rng: random.Random, count: int, special: float) -> list[OutputRecord]:
    out = []
    for n in range(count):
        spec = HEAD if n % 7 == 0 else NOTE if n % 7 == 6 else LINE
        out.append(OutputRecord(spec.name, [value(rng, special) for _ in spec.fields]))
    return out


def csv_reference(recs: list[OutputRecord], delimiter: str, quoting: str, newline: str) -> bytes:
    """csv.writer itself, one record at a time (CRLF terminator, so CR and LF are quoted),
    a header row before the first record of H and of L."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL if quoting == "all" else csv.QUOTE_MINIMAL,
                        lineterminator="\r\n")
    names = {"H": HEAD.field_names, "L": LINE.field_names}
    out, headed = [], set()
    for rec in recs:
        for cells in ([names[rec.record]] if rec.record in names and rec.record not in headed else []) + [rec.values]:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(cells)
            out.append(buffer.getvalue()[:-2] + newline)
        headed.add(rec.record)
    return "".join(out).encode("utf-8")


def written(writer: Callable[[], object], specs: list[RecordSpec], recs: list[OutputRecord]) -> bytes:
    stream = io.BytesIO()
    writer().write(specs, recs, stream)  # type: ignore[attr-defined]
    return stream.getvalue()


@pytest.mark.parametrize("special", [0.0, 0.002, 0.3])
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("quoting", ["minimal", "all"])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_delimited_lines_are_csvs_own(special: float, delimiter: str, quoting: str, newline: str) -> None:
    rng = random.Random(f"{special}{delimiter}{quoting}{newline}")
    recs = records(rng, 2 * CHUNK + 123, special)
    options = {"delimiter": delimiter, "quoting": quoting, "newline": newline}
    assert written(lambda: DelimitedWriter(options), [HEAD, LINE, NOTE], recs) == csv_reference(
        recs, delimiter, quoting, newline)


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_delimited_without_quoting_joins_the_values_or_names_the_field_that_needs_quotes(newline: str) -> None:
    rng = random.Random(newline)
    recs = records(rng, CHUNK + 50, 0.0)
    data = written(lambda: DelimitedWriter({"quoting": "none", "newline": newline}), [HEAD, LINE, NOTE], recs)
    assert data == csv_reference(recs, ",", "minimal", newline)  # nothing needed quotes
    recs[CHUNK + 7].values[1] = 'say "hi"'
    with pytest.raises(WriteProblem) as err:
        written(lambda: DelimitedWriter({"quoting": "none"}), [HEAD, LINE, NOTE], recs)
    second_field = {"H": "Name", "L": "Text", "N": "B"}[recs[CHUNK + 7].record]
    assert (err.value.record_index, err.value.field) == (CHUNK + 7, second_field)


def test_delimited_one_field_records_keep_csvs_quoted_empty_field() -> None:
    only = RecordSpec("O", Grain.LINE, (FieldSpec("Only"),))
    recs = [OutputRecord("O", [v]) for v in ["x", "", "a,b", ""]]
    assert written(DelimitedWriter, [only], recs) == b'x\r\n""\r\n"a,b"\r\n""\r\n'


# --- IIF, fixed width, XML -------------------------------------------------------------------

TRNS = RecordSpec("TRNS", Grain.INVOICE, (FieldSpec("TRNSTYPE", 8), FieldSpec("NAME", 12), FieldSpec("AMOUNT", 9)))
SPL = RecordSpec("SPL", Grain.LINE, (FieldSpec("TRNSTYPE", 8), FieldSpec("NAME", 12), FieldSpec("AMOUNT", 9)))
END = RecordSpec("ENDTRNS", Grain.INVOICE_END, (FieldSpec("X", 1),))
BARE_END = RecordSpec("ENDTRNS", Grain.INVOICE_END, ())  # QuickBooks' own ENDTRNS has no columns


def transactions(rng: random.Random, count: int, special: float, short: bool = False) -> list[OutputRecord]:
    """TRNS, SPL, SPL, ENDTRNS, …; ``short`` keeps values within the fixed widths above."""
    out = []
    for n in range(count):
        spec = (TRNS, SPL, SPL, END)[n % 4]
        cells = [value(rng, special) for _ in spec.fields]
        if short:
            cells = [cell[:field.max_length or 0] for cell, field in zip(cells, spec.fields)]
        if spec is not END and rng.random() < 0.5:
            cells[-1] = rng.choice(["-37.50", "+5", "12.00", ""])
        out.append(OutputRecord(spec.name, cells))
    return out


def iif_reference(recs: list[OutputRecord], specs: tuple[RecordSpec, ...] = (TRNS, SPL, END)) -> bytes | None:
    """Definition rows, then KEYWORD<TAB>values; None where a value holds a TAB or line break."""
    if any(c in v for r in recs for v in r.values for c in "\t\r\n"):
        return None
    lines = ["\t".join(["!" + s.name, *s.field_names]) for s in specs]
    lines += ["\t".join([r.record, *r.values]) for r in recs]
    return "".join(line + "\r\n" for line in lines).encode("cp1252")


def padded_reference(recs: list[OutputRecord], zero: bool) -> bytes | None:
    """AMOUNT right-aligned (zero-filled after the sign, blanks left blank), the rest left."""
    specs = {s.name: s for s in (TRNS, SPL, END)}
    lines = []
    for r in recs:
        parts = []
        for f, v in zip(specs[r.record].fields, r.values):
            width = f.max_length or 0
            if len(v) > width or "\r" in v or "\n" in v:
                return None
            if f.name != "AMOUNT" or not v:
                parts.append(v + " " * (width - len(v)))
            elif zero and v[0] in "+-":
                parts.append(v[0] + "0" * (width - len(v)) + v[1:])
            else:
                parts.append(("0" if zero else " ") * (width - len(v)) + v)
        lines.append("".join(parts))
    return "".join(line + "\r\n" for line in lines).encode("cp1252")


def xml_reference(recs: list[OutputRecord], omit_empty: bool,
                  specs_used: tuple[RecordSpec, ...] = (TRNS, SPL, END)) -> bytes:
    """The nested layout by hand: lines and invoice ends inside the invoice element before them."""
    from xml.sax.saxutils import escape

    specs = {s.name: s for s in specs_used}
    lines, open_parent = ['<?xml version="1.0" encoding="UTF-8"?>', "<Invoices>"], None
    for r in recs:
        spec = specs[r.record]
        nested = spec.grain is not Grain.INVOICE
        if not nested and open_parent:
            lines.append(f"  </{open_parent}>")
        pad = "    " if nested else "  "
        children = [f"{pad}  <{f}>{escape(v, {chr(13): '&#13;'})}</{f}>"
                    for f, v in zip(spec.field_names, r.values) if v or not omit_empty]
        if nested and not children:
            lines.append(f"{pad}<{spec.name}/>")
        else:
            lines += [f"{pad}<{spec.name}>", *children] + ([f"{pad}</{spec.name}>"] if nested else [])
        if not nested:
            open_parent = spec.name
    lines += [f"  </{open_parent}>"] * bool(open_parent) + ["</Invoices>"]
    return "".join(line + "\n" for line in lines).encode("utf-8")


def write_or_refuse(make: Callable[[], object], recs: list[OutputRecord]) -> bytes | None:
    try:
        return written(make, [TRNS, SPL, END], recs)
    except WriteProblem:
        return None


@pytest.mark.parametrize("special", [0.0, 0.001, 0.3])
def test_iif_lines_are_the_keyword_and_values_joined_by_tabs(special: float) -> None:
    from stac_xl.writers.iif import IifWriter

    rng = random.Random(special)
    for count in (CHUNK + 17, 9):
        recs = transactions(rng, count, special)
        assert write_or_refuse(IifWriter, recs) == iif_reference(recs)
    bare = [OutputRecord(r.record, [] if r.record == "ENDTRNS" else r.values) for r in transactions(rng, 99, 0.0)]
    assert written(IifWriter, [TRNS, SPL, BARE_END], bare) == iif_reference(bare, (TRNS, SPL, BARE_END))
    recs = transactions(rng, CHUNK + 17, 0.0)
    recs[CHUNK + 5].values[1] = "a\tb"  # one TAB, in an otherwise clean chunk
    with pytest.raises(WriteProblem, match="a TAB inside a value"):
        written(IifWriter, [TRNS, SPL, END], recs)


@pytest.mark.parametrize("special", [0.0, 0.3])
@pytest.mark.parametrize("zero", [False, True])
def test_fixed_width_lines_are_the_values_padded_to_their_widths(special: float, zero: bool) -> None:
    from stac_xl.writers.fixed_width import FixedWidthWriter

    rng = random.Random(f"{special}{zero}")
    options = {"right_align": "AMOUNT", "pad_char": "0" if zero else " "}
    for short in (True, False):  # values that fit, then some that do not
        recs = transactions(rng, CHUNK + 17, special, short=short)
        assert write_or_refuse(lambda: FixedWidthWriter(options), recs) == padded_reference(recs, zero)


def test_fixed_width_measures_a_decomposed_accent_as_the_one_character_written() -> None:
    from stac_xl.writers.fixed_width import FixedWidthWriter

    recs = [OutputRecord("TRNS", ["Cafe\u0301", "x", "1"])] * (CHUNK + 1)
    data = written(lambda: FixedWidthWriter({"right_align": "AMOUNT"}), [TRNS, SPL, END], recs)
    assert data.split(b"\r\n")[0] == "Café    x                   1".encode("cp1252")


@pytest.mark.parametrize("special", [0.0, 0.001, 0.3])
@pytest.mark.parametrize("omit_empty", [True, False])
def test_xml_elements_are_the_records_nested_and_escaped(special: float, omit_empty: bool) -> None:
    from stac_xl.writers.xml import XmlWriter

    rng = random.Random(f"{special}{omit_empty}")
    recs = transactions(rng, 2 * CHUNK + 21, special)
    assert written(lambda: XmlWriter({"omit_empty": omit_empty}), [TRNS, SPL, END], recs) == xml_reference(
        recs, omit_empty)
    bare = [OutputRecord(r.record, [] if r.record == "ENDTRNS" else r.values) for r in recs]
    stream = io.BytesIO()
    XmlWriter({"omit_empty": omit_empty}).write([TRNS, SPL, BARE_END], bare, stream)
    assert stream.getvalue() == xml_reference(bare, omit_empty, (TRNS, SPL, BARE_END))
