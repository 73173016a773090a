"""Records *Only if*: a record type written only where a value is there (a sales-tax row on
taxed invoices), the same way by the generated record functions and the field functions,
with old sheets (no Only if column) read as before and a bad Only-if source named by cell."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from test_mapping_build import BATCH, COLUMNS, RULES_HEADER, shared_rows

from stac_xl.book.values import is_present
from stac_xl.errors import MappingError
from stac_xl.mapping import CompiledMapping, CompiledRecord, compile_mapping
from stac_xl.mapping.sheet import RecordRow, read_mapping_sheet
from stac_xl.records import Grain

RECORDS_HEADER = ["Record", "When", "Header row", "Only if", "Notes"]
TAX_RULES = [["I", "Number", "Invoice number", "", "", "yes", "", ""],
             ["D", "Amount", "[line amount]", "number(2)", "", "yes", "", ""],
             ["T", "Tax", "[tax total]", "negate | number(2)", "", "yes", "", ""],
             ["T", "Lines", "[distribution count]", "", "", "", "", ""]]


def grid(records: list[list[Any]], rules: list[list[Any]] = TAX_RULES,
         header: list[str] = RECORDS_HEADER) -> list[list[Any]]:
    return [["Records"], header, *records, [], ["Rules"], RULES_HEADER, *rules]


def taxed_rows() -> list[dict[str, Any]]:
    """The shared invoices, 10042 taxed: 2.72 on 37.50 of parts."""
    rows = shared_rows()
    for row in rows[2:]:
        row["Tax"], row["Invoice total"] = Decimal("2.72"), Decimal("365.22")
    return rows


TAX_RECORDS = [["I", "invoice", "no", "", ""], ["D", "line", "no", "", ""],
               ["T", "invoice end", "no", "[tax total]", "sales tax"]]


def built(mapping: CompiledMapping, rows: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    return [(r.record, r.values) for r in mapping.build(rows, batch=BATCH).records]


def field_functions_only(mapping: CompiledMapping) -> CompiledMapping:
    """The same mapping making every record field by field (no generated functions)."""
    return CompiledMapping([CompiledRecord(r.spec, r.fields, None, r.only_if) for r in mapping.records])


def test_a_record_with_only_if_is_written_where_its_value_is_there():
    mapping = compile_mapping(grid(TAX_RECORDS), [], invoice_columns=COLUMNS)
    expected = [("I", ["10041"]), ("D", ["450.00"]), ("D", ["106.50"]),
                ("I", ["10042"]), ("D", ["325.00"]), ("D", ["37.50"]), ("T", ["-2.72", "3"])]
    assert built(mapping, taxed_rows()) == expected
    assert built(field_functions_only(mapping), taxed_rows()) == expected
    assert [r.spec.name for r in mapping.records] == ["I", "D", "T"]


def test_without_tax_the_record_is_left_out_and_the_distribution_count_is_the_line_count():
    records = [["D", "line", "no", "", ""], ["T", "invoice end", "no", "[tax total]", ""],
               ["C", "invoice", "no", "", ""]]
    rules = [["D", "Amount", "[line amount]", "", "", "", "", ""], *TAX_RULES[2:],
             ["C", "Count", "[distribution count]", "", "", "", "", ""]]
    mapping = compile_mapping(grid(records, rules), [], invoice_columns=COLUMNS)
    assert [(r.record, r.values) for r in mapping.build(shared_rows(), batch=BATCH).records if r.record != "D"] == [
        ("C", ["2"]), ("C", ["2"])]


@pytest.mark.parametrize("source, written", [
    ("Customer PO", ["10042"]),        # a column: written where it is not empty
    ('"yes"', ["10041", "10042"]),     # a literal: always
    ('""', []),                        # an empty literal: never
    ("{Customer PO}", ["10042"]),      # a template: empty when all its pieces are
    ("Taxable", []),                   # FALSE is not there
])
def test_only_if_takes_any_source(source, written):
    rows = shared_rows()
    for row in rows[2:]:
        row["Customer PO"] = "PO-7781"
    records = [["I", "invoice", "no", source, ""]]
    mapping = compile_mapping(grid(records, TAX_RULES[:1]), [], invoice_columns=COLUMNS)
    for way in (mapping, field_functions_only(mapping)):
        assert [r.values[0] for r in way.build(rows, batch=BATCH).records] == written


def test_a_line_record_with_only_if_reads_its_own_line():
    rows = shared_rows()
    rows[1]["Taxable"] = True
    records = [["D", "line", "no", "Taxable", ""]]
    rules = [["D", "Line", "Line id", "", "", "", "", ""]]
    mapping = compile_mapping(grid(records, rules), [], invoice_columns=COLUMNS)
    assert built(mapping, rows) == [("D", ["900002"])]


def test_a_value_only_if_cannot_read_writes_the_record_and_reports_it():
    rows = shared_rows()
    rows[0]["Line total"], rows[0]["Quantity"] = None, "two"
    records = [["D", "line", "no", "[line amount]", ""]]
    rules = [["D", "Line", "Line id", "", "", "", "", ""]]
    mapping = compile_mapping(grid(records, rules), [], invoice_columns=COLUMNS)
    for way in (mapping, field_functions_only(mapping)):
        result = way.build(rows, batch=BATCH)
        assert [r.values for r in result.records] == [["900001"], ["900002"], ["900003"], ["900004"]]
        assert [(str(p), p.record_index, p.field_index) for p in result.problems] == [
            ("Invoice 10041, D: Only if: Quantity 'two' is not a number.", 0, None)]


def test_a_sheet_without_the_only_if_column_reads_as_before():
    old = grid([["I", "invoice", "no", "a note"]], TAX_RULES[:1], header=["Record", "When", "Header row", "Notes"])
    sheet, errors = read_mapping_sheet(old)
    assert errors == [] and sheet.records == [RecordRow("I", Grain.INVOICE, False, 3)]
    assert built(compile_mapping(old, [], invoice_columns=COLUMNS), shared_rows()) == [("I", ["10041"]), ("I", ["10042"])]


def test_the_only_if_column_is_found_by_its_header():
    moved = grid([["[tax total]", "T", "invoice end"]], TAX_RULES[2:], header=["Only if", "Record", "When"])
    sheet, errors = read_mapping_sheet(moved)
    assert errors == [] and sheet.records == [RecordRow("T", Grain.INVOICE_END, False, 3, "[tax total]")]


@pytest.mark.parametrize("source, message", [
    ("[tax totl]", "Mapping!D5: Only if: unknown computed value [tax totl]. Computed values: [line amount], "
                   "[line index], [line count], [distribution count], [invoice total], [invoice subtotal], "
                   "[tax total], [invoice index], [invoice count], [batch total], [batch date], [batch id], [sequence]."),
    ("[line amount]", "Mapping!D5: Only if: [line amount] is only known on line records; 'T' is an invoice end record."),
    ("Taxx", "Mapping!D5: Only if: unknown column 'Taxx'. Closest Invoices columns: 'Tax'."),
    ('"yes', 'Mapping!D5: Only if: the literal needs a closing quote: "AR".'),
])
def test_a_bad_only_if_source_is_a_mapping_error_naming_its_cell(source, message):
    records = [*TAX_RECORDS[:2], ["T", "invoice end", "no", source, ""]]
    with pytest.raises(MappingError) as caught:
        compile_mapping(grid(records), [], invoice_columns=COLUMNS)
    assert str(caught.value) == message


def test_a_file_record_cannot_be_only_if_an_invoice_column():
    with pytest.raises(MappingError) as caught:
        compile_mapping(grid([["F", "file end", "no", "Tax", ""]], [["F", "N", "[invoice count]", "", "", "", "", ""]]),
                        [], invoice_columns=COLUMNS)
    assert str(caught.value).startswith("Mapping!D3: Only if: 'F' is a file end record, written once per file")


@pytest.mark.parametrize("value, present", [
    (None, False), ("", False), ("  ", False), (False, False), (True, True), (Decimal("0.00"), False),
    (Decimal("-2.72"), True), (0, False), (3, True), (0.0, False), ("0.00", False), ("-0", False),
    ("1,234.50", True), ("PO-7781", True), ("000123", True), (Decimal("NaN"), False),
])
def test_what_counts_as_there(value, present):
    assert is_present(value) is present
