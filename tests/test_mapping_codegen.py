"""The generated record functions: the same values and problems as the per-field functions,
for every transform, source kind and awkward value, and no cell text pasted into code."""

from __future__ import annotations

import gc
import textwrap
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from test_mapping_build import BATCH, COLUMNS, mapping_grid, shared_rows
from test_transforms import CASES

from stac_xl.mapping import BatchInfo, CompiledMapping, CompiledRecord, codegen, compile_mapping
from stac_xl.mapping.build import RunState
from stac_xl.mapping.codegen import record_source
from stac_xl.problems import Problem

D = Decimal
LOOKUP_GRID = [
    ["Table: Items"], ["Key", "Value"], ["INSPECTION", 40000], ["PARTS", "41000"], [],
    ["Table: GL by state"], ["Key 1", "Key 2", "Value"], ["PARTS", "NC", "41000-NC"], ["PARTS", "SC", "41000-SC"],
]


def one_field(source: Any, transform: str = "", default: str = "", grain: str = "line") -> CompiledRecord:
    """The compiled record of a one-field mapping."""
    grid = mapping_grid([["R", grain, "", ""]], [["R", "Value", source, transform, default, "", "", ""]])
    return compile_mapping(grid, LOOKUP_GRID, invoice_columns=[*COLUMNS, "Value"]).records[0]


def both_ways(record: CompiledRecord, row: dict[str, Any]) -> tuple[list[str], list[str], list[Problem], list[Problem]]:
    """(generated values, field-function values, problems of each) for one row."""
    made, one_by_one = [], []
    state = RunState(BatchInfo(date(2024, 3, 19)), [], made)
    generated = record.make(row, state)
    state.problems = one_by_one
    by_field = [f(row, state) for f in record.fields]
    return generated, by_field, made, one_by_one


@pytest.mark.parametrize("text, value, expected", CASES)
def test_every_transform_case_gives_the_same_value_generated(text, value, expected):
    record = one_field("Value", text)
    generated, by_field, _, _ = both_ways(record, {"Value": value, "State": "sc", "Item code": "PARTS"})
    assert generated == by_field == [expected]


@pytest.mark.parametrize("text", sorted({text for text, _, _ in CASES}))
@pytest.mark.parametrize("value", [None, "", D("-0"), D("1E+3"), D("NaN"), D("0.0000001"), True, 0, 7, 2.5,
                                   date(2024, 2, 29), datetime(2024, 2, 29, 13, 5), " parts ", "maybe"])
def test_awkward_values_give_the_same_value_or_problem_generated(text, value):
    record = one_field("Value", text)
    row = {"Value": value, "State": "sc", "Item code": "PARTS"}
    outcomes = []
    for make in (record.make, lambda row, state: [f(row, state) for f in record.fields]):
        state = RunState(BATCH, [], [])
        try:
            outcomes.append((make(row, state), state.problems))
        except Exception as exc:
            outcomes.append((type(exc), str(exc)))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("text", ["", "upper", "number(2)", "date(MM/DD/YY)", "lookup(Items)", "yesno"])
@pytest.mark.parametrize("value", [None, ""])
def test_a_default_fills_an_empty_value_before_the_transforms(text, value):
    record = one_field("Value", text, default="parts" if "lookup" in text else "7")
    generated, by_field, _, _ = both_ways(record, {"Value": value})
    assert generated == by_field
    assert generated != [""] or text in ("date(MM/DD/YY)", "yesno")  # those refuse "7": a problem, ""


@pytest.mark.parametrize("source", ['"AR"', '""', 11000, 11000.5, "[line index]", "[line amount]", "[sequence]",
                                    "{Invoice number}-{[line index]}", "Job {Job number}", "[invoice total]"])
@pytest.mark.parametrize("text", ["", "upper", "number(2)", "negate"])
def test_every_source_kind_gives_the_same_values_generated(source, text):
    grid = mapping_grid([["L", "line", "", ""]], [["L", "V", source, text, "", "", "", ""]])
    mapping = compile_mapping(grid, [], invoice_columns=COLUMNS)
    rows = shared_rows()
    rows[1]["Line total"] = None  # [line amount] from quantity × price
    rows[2]["Job number"] = None
    generated = mapping.build(rows, batch=BATCH)
    one_by_one = CompiledMapping([CompiledRecord(r.spec, r.fields) for r in mapping.records])  # field functions only
    expected = one_by_one.build(rows, batch=BATCH)
    assert [r.values for r in generated.records] == [r.values for r in expected.records]
    assert generated.problems == expected.problems


def test_a_problem_in_one_field_leaves_the_others_made_and_names_its_field():
    grid = mapping_grid([["D", "line", "", ""]], [
        ["D", "No", "Invoice number", "", "", "", "", ""],
        ["D", "Acct", "Item code", "lookup(Items)", "", "", "", ""],
        ["D", "Amount", "[line amount]", "number(2)", "", "", "", ""],
    ])
    rows = shared_rows()
    rows[2]["Item code"] = "SERVICE"
    result = compile_mapping(grid, LOOKUP_GRID, invoice_columns=COLUMNS).build(rows, batch=BATCH)
    assert [r.values for r in result.records] == [
        ["10041", "40000", "450.00"], ["10041", "41000", "106.50"], ["10042", "", "325.00"], ["10042", "41000", "37.50"]]
    assert [(p.record_index, p.field_index, p.field) for p in result.problems] == [(2, 1, "Acct")]


def test_a_row_without_a_mapped_column_reads_it_as_empty():
    record = one_field("Customer PO", default="NO PO")
    generated, by_field, _, _ = both_ways(record, {"Invoice number": "1"})
    assert generated == by_field == ["NO PO"]


@pytest.mark.parametrize("cell", ['"); import os; os.system("x") #', "{x}\n    return 1", "__import__('os')", "v0'\"\\"])
def test_cell_text_reaches_generated_code_only_as_bound_values(cell):
    grid = mapping_grid([["R", "line", "", ""]], [
        ["R", "Literal", f'"{cell.replace(chr(34), chr(34) * 2)}"', "", "", "", "", ""],
        ["R", "Default", "Customer PO", f'replace("a", "{cell.replace(chr(34), chr(34) * 2)}")', cell, "", "", ""],
    ])
    record = compile_mapping(grid, [], invoice_columns=COLUMNS).records[0]
    source = record.make.generated_source  # type: ignore[union-attr]
    assert cell not in source
    generated, by_field, _, _ = both_ways(record, {"Customer PO": None})
    assert generated == by_field == [cell, cell.replace("a", cell)]


def test_the_generated_source_is_the_docstring_example():
    grid = mapping_grid([["Line", "line", "yes", ""]], [
        ["Line", "InvoiceNumber", "Invoice number", "", "", "yes", "", ""],
        ["Line", "InvoiceDate", "Transaction date", "date(YYYY-MM-DD)", "", "yes", "", ""],
        ["Line", "Amount", "[line amount]", "number(2)", "", "yes", "", ""]])
    record = compile_mapping(grid, [], invoice_columns=COLUMNS).records[0]
    source = record.make.generated_source  # type: ignore[union-attr]
    assert textwrap.indent(source, "    ") in (codegen.__doc__ or "")
    assert record_source([]) == ("def _make(fallback):\n    def record(row, state):\n        return []\n"
                                 "    return record\n", [])


@pytest.mark.parametrize("enabled", [True, False])
def test_the_build_leaves_the_garbage_collector_as_it_found_it(enabled):
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        compile_mapping(mapping_grid([["R", "line", "", ""]], [["R", "V", "Invoice number", "", "", "", "", ""]]), [],
                        invoice_columns=COLUMNS).build(shared_rows(), batch=BATCH)
        assert gc.isenabled() is enabled
        assert gc.get_freeze_count() == 0
    finally:
        (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("text", ["number(0)", "number(2)", "number(6)", "number(7)", "number(9)", "implied(2)",
                                  "implied(8)", "negate | number(3)"])
@pytest.mark.parametrize("value", [D("0"), D("-0.0000000001"), D("1E+7"), D("123456.123456789"), D("-2.5"),
                                   D("0.000000049"), D("1E-9"), D("99999999999.995")])
def test_numbers_generated_are_plain_text_at_any_number_of_places(text, value):
    generated, by_field, _, _ = both_ways(one_field("Value", text), {"Value": value})
    assert generated == by_field
    assert "E" not in generated[0]
