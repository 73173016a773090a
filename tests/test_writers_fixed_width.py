"""Fixed-width writer: a two-record-type layout of the shared invoices byte for byte, read
back by slicing hard-coded positions, plus width, alignment and padding rules."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from test_writers_testdata import INVOICES, money

from stac_xl.errors import WriteProblem
from stac_xl.records import FieldSpec, Grain, OutputRecord, RecordSpec
from stac_xl.writers.fixed_width import FixedWidthWriter

GOLDEN = Path(__file__).parent / "golden"

H = RecordSpec("H", Grain.INVOICE, (
    FieldSpec("RecType", 1), FieldSpec("Customer", 10), FieldSpec("Invoice", 10),
    FieldSpec("Date", 8), FieldSpec("DueDate", 8), FieldSpec("Total", 12),
))
D = RecordSpec("D", Grain.LINE, (
    FieldSpec("RecType", 1), FieldSpec("Invoice", 10), FieldSpec("Item", 10),
    FieldSpec("Description", 40), FieldSpec("Qty", 6), FieldSpec("Amount", 12),
))
# (name, start, end) positions, 0-based half-open, written down independently of the specs.
H_POSITIONS = [("RecType", 0, 1), ("Customer", 1, 11), ("Invoice", 11, 21), ("Date", 21, 29), ("DueDate", 29, 37), ("Total", 37, 49)]
D_POSITIONS = [("RecType", 0, 1), ("Invoice", 1, 11), ("Item", 11, 21), ("Description", 21, 61), ("Qty", 61, 67), ("Amount", 67, 79)]
OPTIONS = {"right_align": "Total, D.Amount, Qty", "pad_char": "0"}


def sample_records() -> list[OutputRecord]:
    records = []
    for inv in INVOICES:
        records.append(OutputRecord("H", [
            "H", inv.customer_id, inv.number, inv.issued.strftime("%Y%m%d"), inv.due.strftime("%Y%m%d"), money(inv.total),
        ]))
        for line in inv.lines:
            records.append(OutputRecord("D", ["D", inv.number, line.item, line.description, f"{line.quantity:.2f}", money(line.amount)]))
    return records


def write(records: list[OutputRecord], specs: list[RecordSpec], options: dict[str, object]) -> bytes:
    stream = io.BytesIO()
    FixedWidthWriter(options).write(specs, records, stream)
    return stream.getvalue()


def test_sample_byte_for_byte() -> None:
    assert write(sample_records(), [H, D], OPTIONS) == (GOLDEN / "fixed-width.txt").read_bytes()


def test_sample_reads_back_by_position() -> None:
    lines = (GOLDEN / "fixed-width.txt").read_bytes().decode("cp1252").split("\r\n")[:-1]
    parsed = [
        {name: line[a:b] for name, a, b in (H_POSITIONS if line[0] == "H" else D_POSITIONS)} for line in lines
    ]
    assert [len(line) for line in lines] == [49, 79, 79, 49, 79, 79]
    assert parsed[3]["Customer"].rstrip() == "BAKER01" and parsed[5]["Description"].rstrip() == "Fusible link, 165F"
    for head, first, second in (parsed[0:3], parsed[3:6]):
        assert Decimal(first["Amount"]) + Decimal(second["Amount"]) == Decimal(head["Total"])


def test_field_without_a_width_is_refused_naming_record_and_field() -> None:
    spec = RecordSpec("H", Grain.INVOICE, (FieldSpec("RecType", 1), FieldSpec("Customer")))
    with pytest.raises(WriteProblem) as err:
        write([], [spec], {})
    assert (err.value.record, err.value.field) == ("H", "Customer")
    assert "Record type H, field Customer: a fixed-width file needs a Max length" in str(err.value)


def test_value_longer_than_its_width_is_refused_not_truncated() -> None:
    records = sample_records()
    records[5].values[3] = "Fusible link, 165F, with a description far too long for forty"
    with pytest.raises(WriteProblem) as err:
        write(records, [H, D], OPTIONS)
    assert (err.value.record_index, err.value.field) == (5, "Description")
    assert "is 61 characters but the field is 40 wide" in str(err.value)


@pytest.mark.parametrize(("value", "pad", "expected"), [
    ("-37.50", "0", b"-00037.50"), ("+1.5", "0", b"+000001.5"), ("37.50", " ", b"    37.50"),
    ("", "0", b"         "),
])
def test_right_aligned_padding_keeps_the_sign_first_and_blanks_blank(value: str, pad: str, expected: bytes) -> None:
    spec = RecordSpec("R", Grain.LINE, (FieldSpec("Amount", 9),))
    assert write([OutputRecord("R", [value])], [spec], {"right_align": ["Amount"], "pad_char": pad}) == expected + b"\r\n"


def test_align_right_applies_to_every_field() -> None:
    spec = RecordSpec("R", Grain.LINE, (FieldSpec("A", 3), FieldSpec("B", 3)))
    assert write([OutputRecord("R", ["x", "y"])], [spec], {"align": "right", "newline": "LF"}) == b"  x  y\n"


def test_right_align_qualified_by_record_leaves_other_records_alone() -> None:
    a = RecordSpec("A", Grain.INVOICE, (FieldSpec("Amount", 4),))
    b = RecordSpec("B", Grain.LINE, (FieldSpec("Amount", 4),))
    data = write([OutputRecord("A", ["1"]), OutputRecord("B", ["1"])], [a, b], {"right_align": ["B.Amount"], "newline": "LF"})
    assert data == b"1   \n   1\n"


def test_misspelt_right_align_field_is_refused() -> None:
    with pytest.raises(WriteProblem, match="Option right_align names Amout, which no record type has as a field"):
        write([], [H, D], {"right_align": "Total, Amout"})


def test_line_break_inside_a_value_is_refused() -> None:
    records = sample_records()
    records[1].values[3] = "two\nlines"
    with pytest.raises(WriteProblem, match=r"Record 2 \(D\), field Description: a line break"):
        write(records, [H, D], OPTIONS)
