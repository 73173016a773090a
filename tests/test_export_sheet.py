"""The Export sheet round-trip and the hand corrections that survive a new Preview."""

from stac_xl.book.export_base import apply_corrections, find_corrections
from stac_xl.book.export_sheet import (
    field_headers,
    records_to_table,
    table_to_records,
    trim_to_specs,
)
from stac_xl.records import FieldSpec, Grain, OutputRecord, RecordSpec

I = RecordSpec("I", Grain.INVOICE, (FieldSpec("RecID"), FieldSpec("Customer"), FieldSpec("Invoice"), FieldSpec("Amount")))  # noqa: E741 - the record type is called I
D = RecordSpec("D", Grain.LINE, (FieldSpec("RecID"), FieldSpec("Job"), FieldSpec("Amount")))


def sample():
    return [
        OutputRecord("I", ["I", "ACME01", "ST10041", "556.50"], "7001", None),
        OutputRecord("D", ["D", "24-1001", "450.00"], "7001", "9001"),
        OutputRecord("D", ["D", "24-1001", "106.50"], "7001", "9002"),
    ]


def as_grid(table):
    return [table.headers, *table.rows]


def test_positions_shared_by_record_types_list_each_name_once():
    assert field_headers([I, D]) == ["RecID", "Customer / Job", "Invoice / Amount", "Amount"]


def test_the_sheet_reads_back_as_the_same_records():
    table = records_to_table([I, D], sample())
    back = table_to_records(as_grid(table))
    trim_to_specs(back, [I, D])
    assert [(r.record, r.values, r.invoice_id, r.line_id) for r in back] == [
        (r.record, r.values, r.invoice_id, r.line_id) for r in sample()
    ]


def test_numbers_excel_gave_back_as_floats_become_text_without_dot_zero():
    grid = as_grid(records_to_table([I, D], sample()))
    grid[1][2] = 1001.0
    assert table_to_records(grid)[0].values[1] == "1001"


def test_a_correction_is_found_and_carried_to_the_next_preview():
    base = sample()
    edited = sample()
    edited[2].values[1] = "24-1001-A"
    corrections = find_corrections(edited, base)
    assert [(c.position, c.computed, c.value) for c in corrections] == [(1, "24-1001", "24-1001-A")]
    fresh = sample()
    applied = apply_corrections(fresh, corrections)
    assert fresh[2].values[1] == "24-1001-A"
    assert [(a.index, a.position, a.changed) for a in applied] == [(2, 1, False)]


def test_a_correction_over_a_value_that_changed_since_is_kept_with_a_note():
    edited = sample()
    edited[0].values[1] = "ACME-NEW"
    corrections = find_corrections(edited, sample())
    fresh = sample()
    fresh[0].values[1] = "ACME02"
    (applied,) = apply_corrections(fresh, corrections)
    assert fresh[0].values[1] == "ACME-NEW"
    assert (applied.changed, applied.now, applied.correction.computed) == (True, "ACME02", "ACME01")


def test_a_correction_the_computed_value_now_equals_is_no_correction_any_more():
    edited = sample()
    edited[0].values[1] = "ACME02"
    fresh = sample()
    fresh[0].values[1] = "ACME02"
    assert apply_corrections(fresh, find_corrections(edited, sample())) == []


def test_a_correction_for_a_record_that_is_gone_is_dropped():
    edited = sample()
    edited[1].values[2] = "999.00"
    corrections = find_corrections(edited, sample())
    assert apply_corrections(sample()[:1], corrections) == []


def test_unknown_record_type_and_stray_cells_are_problems():
    recs = [OutputRecord("X", ["X"]), OutputRecord("D", ["D", "J", "1.00", "stray"])]
    assert trim_to_specs(recs, [I, D]) == [
        "row 2: unknown record type 'X' (the Mapping sheet has I, D)",
        "row 3: record type D has 3 fields, but more cells are filled",
    ]


def test_a_copied_record_is_equal_and_its_own():
    from stac_xl.records import OutputRecord

    record = OutputRecord("L", ["a", "b"], "7", "70", ["a note"])
    twin = record.copy()
    assert twin == record
    twin.values[0] = "changed"
    twin.issues.append("another")
    assert record == OutputRecord("L", ["a", "b"], "7", "70", ["a note"])
