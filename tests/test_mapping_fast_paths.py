"""The build's shortcuts give what the field functions give: an amount that has its places
already written as it is, and a chain of text transforms remembered by its text, with what
it told reported on every record it is made for, once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from test_mapping_build import BATCH, COLUMNS, mapping_grid
from test_mapping_codegen import both_ways, one_field

from stac_xl.mapping import CompiledMapping, CompiledRecord, compile_mapping

D = Decimal


@pytest.mark.parametrize("places", [1, 2, 3, 4, 6])
@pytest.mark.parametrize("value", [D("1.50"), D("-0.00"), D("0.00"), D("-0.0"), D("1.5E+7"), D("12.3400"),
                                   D("-1.23"), D("1E+2"), D("0.10"), D("5"), D("-5.5"), D("1.2345E-3"),
                                   D("123456789012.34"), D("0E-2"), D("-0E-4")])
def test_an_amount_with_its_places_already_is_written_as_the_rounding_would(places, value):
    generated, by_field, _, _ = both_ways(one_field("Value", f"number({places})"), {"Value": value})
    assert generated == by_field
    assert not (generated[0].startswith("-") and set(generated[0]) <= set("-0."))  # no negative zero


LOOKUPS = [["Table: Names"], ["Key", "Value"], ["A very long customer name that cannot fit", "SHORT NAME"], [],
           ["Table: Items"], ["Key", "Value"], ["PARTS", "41000"]]


def _mapping(transform: str) -> tuple[CompiledMapping, CompiledMapping]:
    """(generated, field by field) builds of a line record with the Description through
    ``transform`` and the Item code through lookup(Items)."""
    grid = mapping_grid([["L", "line", "", ""]], [
        ["L", "Text", "Description", transform, "", "", "", ""],
        ["L", "Account", "Item code", "lookup(Items)", "", "", "", ""]])
    mapping = compile_mapping(grid, LOOKUPS, invoice_columns=COLUMNS)
    field_by_field = CompiledMapping([CompiledRecord(r.spec, r.fields, None, r.only_if) for r in mapping.records])
    return mapping, field_by_field


def _rows(texts: list[tuple[Any, str]]) -> list[dict[str, Any]]:
    return [{**dict.fromkeys(COLUMNS), "Invoice id": "1", "Invoice number": "N1", "Line id": str(i),
             "Description": text, "Item code": code} for i, (text, code) in enumerate(texts)]


@pytest.mark.parametrize("transform", ["strip_newlines | ansi | truncate(10)", "truncate(41, match=Names)",
                                       "ascii | upper", "trim | pad_left(12, \"*\")", "ansi"])
def test_remembered_text_transforms_tell_the_same_on_every_record_once(transform):
    long = "A very long customer name that cannot fit"
    rows = _rows([("Short", "PARTS"), (long, "PARTS"), ("Crème brûlée ⅜ \t line", "PARTS"), (long, "PARTS"),
                  ("Crème brûlée ⅜ \t line", "NOT IN TABLE"), ("", "PARTS"), (None, "PARTS"), (long, "PARTS"),
                  ("Another text over ten", "PARTS"), (" Short ", "PARTS")])
    generated, by_field = _mapping(transform)
    expected = by_field.build(rows, batch=BATCH)
    for _ in range(2):  # cold, then every text remembered
        made = generated.build(rows, batch=BATCH)
        assert made.records == expected.records
        assert made.problems == expected.problems


def test_a_record_made_field_by_field_does_not_tell_a_remembered_warning_twice():
    rows = _rows([("Much longer than ten", "PARTS"), ("Much longer than ten", "MISSING")])
    generated, _ = _mapping("truncate(10)")
    generated.build(rows, batch=BATCH)
    problems = generated.build(rows, batch=BATCH).problems
    assert [(p.record_index, p.field, p.severity) for p in problems] == [
        (0, "Text", "warning"), (1, "Text", "warning"), (1, "Account", "error")]


@pytest.mark.parametrize("source", ["Job {Job number}", "{Job number}", "ST{Job number} ({{x}})", "[distribution count]"])
@pytest.mark.parametrize("value", ["J-7", "", " ", None, D("12.50"), 7, True])
def test_one_column_templates_and_distribution_counts_give_the_same_values_generated(source, value):
    grid = mapping_grid([["L", "line", "", ""]], [["L", "V", source, "", "", "", "", ""]])
    mapping = compile_mapping(grid, [], invoice_columns=COLUMNS)
    rows = _rows([("a", "PARTS"), ("b", "PARTS")])
    rows[0]["Job number"] = rows[1]["Job number"] = value
    rows[0]["Tax"] = rows[1]["Tax"] = value
    field_by_field = CompiledMapping([CompiledRecord(r.spec, r.fields) for r in mapping.records])
    made, expected = mapping.build(rows, batch=BATCH), field_by_field.build(rows, batch=BATCH)
    assert [r.values for r in made.records] == [r.values for r in expected.records]
    assert made.problems == expected.problems


@pytest.mark.parametrize("total, zero, credit, left_out", [
    (D("0.00"), "skip", "export", True), (D("-0.00"), "skip", "export", True), (D("-0.00"), "export", "skip", False),
    (D("-5.00"), "export", "skip", True), (D("-5.00"), "skip", "export", False), (D("5.00"), "skip", "skip", False),
    ("-5", "export", "skip", True), ("0", "skip", "export", True), (None, "skip", "skip", False),
    ("not a number", "skip", "skip", False), (D("0E-2"), "skip", "export", True)])
def test_the_invoice_policies_leave_out_exactly_the_zero_and_credit_invoices(total, zero, credit, left_out):
    from stac_xl.invoices.grouping import group_invoices
    from stac_xl.mapping import apply_invoice_policy

    rows = _rows([("a", "PARTS")])
    rows[0]["Invoice total"] = total
    kept, problems = apply_invoice_policy(group_invoices(rows), zero_invoices=zero, credit_memos=credit)
    assert (len(kept), len(problems)) == ((0, 1) if left_out else (1, 0))
