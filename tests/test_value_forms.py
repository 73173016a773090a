"""The form of dates, numbers and yes/no values on *Export*: a rule ending with date(…),
number(…), implied(…) or yesno(…) promises it, and validation holds hand edits to it, with
a sentence naming the form expected."""

from __future__ import annotations

import pytest
from test_mapping_build import BATCH, COLUMNS, mapping_grid, shared_rows

from stac_xl.checks import validate_records
from stac_xl.mapping import compile_mapping
from stac_xl.mapping.forms import date_form, implied_form, number_form, yesno_form
from stac_xl.records import OutputRecord

RULES = [["L", "Date", "Transaction date", "date(MM/DD/YY)", "", "", "", ""],
         ["L", "Amount", "[line amount]", "negate | number(2)", "", "yes", "", ""],
         ["L", "Cents", "[line amount]", "implied(2)", "", "", "", ""],
         ["L", "Taxable", "Taxable", 'yesno("Y","N")', "", "", "", ""],
         ["L", "Padded", "[line amount]", 'number(2) | pad_left(12,"0")', "", "", "", ""],
         ["L", "Memo", "Description", "", "", "", "", ""]]


def built() -> tuple[list, list[OutputRecord]]:
    mapping = compile_mapping(mapping_grid([["L", "line", "no", ""]], RULES), [], invoice_columns=COLUMNS)
    result = mapping.build(shared_rows(), batch=BATCH)
    return result.specs, result.records


def test_the_mappings_own_values_have_their_form():
    specs, records = built()
    assert records[0].values[:5] == ["03/15/24", "-450.00", "45000", "N", "000000450.00"]
    assert validate_records(specs, records, encoding="utf-8", check_forms=True) == []


@pytest.mark.parametrize("field, value, message", [
    (0, "13/45/24", "'13/45/24' is not a date in the form MM/DD/YY."),
    (0, "02/30/24", "'02/30/24' is not a date in the form MM/DD/YY."),
    (0, "3/15/24", "'3/15/24' is not a date in the form MM/DD/YY."),
    (0, "2024-03-15", "'2024-03-15' is not a date in the form MM/DD/YY."),
    (1, "-450.0", "'-450.0' is not a number in the form 1234.56 (exactly 2 decimals, no thousands separator)."),
    (1, "1,450.00", "'1,450.00' is not a number in the form 1234.56 (exactly 2 decimals, no thousands separator)."),
    (1, "$450.00", "'$450.00' is not a number in the form 1234.56 (exactly 2 decimals, no thousands separator)."),
    (2, "450.00", "'450.00' is not a number in the form 123456 (digits with an optional sign, 2 implied decimals, "
                  "no decimal point)."),
    (3, "Yes", "'Yes' is not Y or N."),
])
def test_a_hand_edit_out_of_form_is_an_error_on_its_cell(field, value, message):
    specs, records = built()
    records[1].values[field] = value
    problems = validate_records(specs, records, encoding="utf-8", rows=shared_rows(), check_forms=True)
    assert [(p.record_index, p.field_index, p.severity, p.message) for p in problems] == [(1, field, "error", message)]
    assert str(problems[0]).startswith("Invoice 10041, L ")


@pytest.mark.parametrize("field, value", [(0, "02/29/24"), (1, "-0.50"), (1, "12345678.90"), (2, "-3550"),
                                          (3, "Y"), (4, "not a number"), (5, "13/45/24"), (1, "")])
def test_values_in_form_and_fields_without_a_form_pass(field, value):
    specs, records = built()
    records[1].values[field] = value
    problems = validate_records(specs, records, encoding="utf-8", check_forms=True)
    assert [p.message for p in problems] == (["required, but empty."] if value == "" else [])


def test_forms_are_checked_only_when_asked():
    specs, records = built()
    records[1].values[0] = "13/45/24"
    assert validate_records(specs, records, encoding="utf-8") == []


@pytest.mark.parametrize("form, good, bad", [
    (date_form("YYYYMMDD"), ["20240229", "19991231"], ["20230229", "2024031", "2024-03-15"]),
    (date_form("M/D/YYYY"), ["3/5/2024", "12/31/2024"], ["13/5/2024", "3/5/24"]),
    (date_form("DD.MM.YY"), ["15.03.24"], ["15/03/24", "32.03.24"]),
    (number_form(0), ["12", "-3"], ["12.0", "+3"]),
    (number_form(3), ["1.250", "-0.001"], ["1.25", "1.2500"]),
    (implied_form(2), ["5565", "-3550", "+12", "0"], ["55.65", "", "1 2"]),
    (yesno_form("TRUE", "FALSE"), ["TRUE", "FALSE"], ["true", "Y"]),
])
def test_each_form_accepts_what_its_transform_writes(form, good, bad):
    assert all(form.fast(v) and form.problem(v) is None for v in good)
    assert all(not form.fast(v) and form.problem(v) for v in bad)


def test_number_form_messages_name_the_decimals():
    assert number_form(0).problem("1.5") == "'1.5' is not a number in the form 1234 (no decimal point, no thousands separator)."
    assert number_form(1).problem("1") == "'1' is not a number in the form 1234.5 (exactly 1 decimal, no thousands separator)."
