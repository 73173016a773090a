"""Reading the Mapping and Lookups sheets, and the exact message for every bad rule."""

from __future__ import annotations

import pytest

from stac_xl.book.cells import column_letter
from stac_xl.errors import MappingError
from stac_xl.mapping import MappingErrors, compile_mapping
from stac_xl.mapping.lookup import read_lookups_sheet
from stac_xl.mapping.sheet import RecordRow, RuleRow, read_mapping_sheet
from stac_xl.records import Grain

COLUMNS = ["Invoice id", "Invoice number", "Transaction date", "Customer id", "Customer", "Customer PO",
           "Job number", "Item code", "Description", "Quantity", "Line total", "State", "Invoice total",
           "location.address.city"]
RECORDS_HEADER = ["Record", "When", "Header row", "Notes"]
RULES_HEADER = ["Record", "Field", "Source", "Transform", "Default", "Required", "Max length", "Notes"]
LOOKUPS = [["Table: GL accounts"], ["Key", "Value"], ["INSPECTION", 40000], ["PARTS", 41000]]

# Records on rows 3-4, an empty row 5, Rules title on 6, its header on 7: the first rule is row 8.
RECORDS = [["I", "invoice", "no", ""], ["D", "line", "no", ""]]
GOOD_RULES = [["I", "Number", "Invoice number", "", "", "yes", 15, ""],
              ["D", "Account", "Item code", "lookup(GL accounts)", "", "yes", "", ""]]


def grid(records: list[list], rules: list[list]) -> list[list]:
    return [["Records"], RECORDS_HEADER, *records, [], ["Rules"], RULES_HEADER, *rules]


def test_records_and_rules_are_read_with_their_sheet_rows():
    rules = [["I", "Customer", "Customer id", "upper", "NONE", "Yes", 10.0, "Sage wants ≤10"],
             [None, None, None, None, None, None, None, "a note on a row of its own"],
             [],
             ["D", "Amount", "[line amount]", "number(2)", "", "", "", ""],
             ["D", "Account", 11000, "", "", True, "", ""]]
    sheet, errors = read_mapping_sheet(grid([["I", "Invoice", "Yes", ""], [], ["D", " LINE ", "", ""]], rules))
    assert errors == []
    assert sheet.records == [RecordRow("I", Grain.INVOICE, True, 3), RecordRow("D", Grain.LINE, False, 5)]
    assert sheet.rules == [
        RuleRow("I", "Customer", "Customer id", "upper", "NONE", True, 10, 9),
        RuleRow("D", "Amount", "[line amount]", "number(2)", None, False, None, 12),
        RuleRow("D", "Account", 11000, "", None, True, None, 13),
    ]


def test_columns_are_found_by_their_header_text():
    moved = [["Records"], ["When", "Record"], ["invoice", "I"], ["Rules"],
             ["Field", "Record", "Source", "Max length"], ["Number", "I", "Invoice number", "abc"]]
    sheet, errors = read_mapping_sheet(moved)
    assert [(r.name, r.grain) for r in sheet.records] == [("I", Grain.INVOICE)]
    assert [str(e) for e in errors] == ["Mapping!D6: Max length must be a whole number above 0, or empty; not 'abc'."]


@pytest.mark.parametrize("index, letters", [(0, "A"), (6, "G"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")])
def test_column_letters_are_excels(index, letters):
    # the one column_letter counts from 1, as Excel does; the sheet reader counts positions from 0
    assert column_letter(index + 1) == letters


@pytest.mark.parametrize("sheet_grid, message", [
    ([], "Mapping: there is no 'Records' title in column A; the sheet starts with Records, then Rules."),
    ([["Records"], RECORDS_HEADER, ["I", "invoice"]],
     "Mapping: there is no 'Rules' title in column A below the Records list."),
    ([["Records"], ["Record", "Notes"], ["I", "invoice"], ["Rules"], RULES_HEADER, ["I", "No", "Invoice number"]],
     "Mapping!A2: the header row must read Record | When | Header row | Notes; When is missing."),
])
def test_a_sheet_without_its_sections_says_what_is_missing(sheet_grid, message):
    with pytest.raises(MappingError) as caught:
        compile_mapping(sheet_grid, [], invoice_columns=COLUMNS)
    assert str(caught.value) == message


# (records, rules, expected message) — each one bad cell, everything else right.
BAD_RULES = [
    (RECORDS, [["I", "Customer", "Custmer id", "", "", "", "", ""]],
     "Mapping!C8: unknown column 'Custmer id'. Closest Invoices columns: 'Customer id', 'Customer', 'Customer PO'."),
    (RECORDS, [["I", "Customer", "Totally wrong", "", "", "", "", ""]],
     "Mapping!C8: unknown column 'Totally wrong'. Source must be an Invoices column, a \"literal\", "
     "a {template} or a [computed value]."),
    (RECORDS, [["I", "Customer", "customer", "", "", "", "", ""]],
     "Mapping!C8: unknown column 'customer'. Closest Invoices columns: 'Customer', 'Customer id', 'Customer PO'."),
    (RECORDS, [["I", "Customer", "Customer", "uper", "", "", "", ""]],
     "Mapping!D8: unknown transform 'uper'. Known transforms: upper, lower, trim, strip_newlines, ascii, ansi, "
     "replace, truncate, pad_left, pad_right, date, number, implied, negate, abs, if_negative, yesno, lookup."),
    (RECORDS, [["I", "Account", "Customer", "lookup(Accounts)", "", "", "", ""]],
     "Mapping!D8: there is no lookup table 'Accounts' on the Lookups sheet. Tables: GL accounts."),
    (RECORDS, [["I", "Date", "Transaction date", "date(MMM/DD)", "", "", "", ""]],
     "Mapping!D8: date pattern 'MMM/DD' is not understood; use YYYY, YY, MM, M, DD, D and separators, "
     "e.g. date(MM/DD/YY)."),
    (RECORDS, [["I", "Date", "Transaction date", "date(--)", "", "", "", ""]],
     "Mapping!D8: date pattern '--' has no YYYY, YY, MM, M, DD or D in it, e.g. date(MM/DD/YY)."),
    (RECORDS, [["I", "Customer", "Customer", "", "", "", "abc", ""]],
     "Mapping!G8: Max length must be a whole number above 0, or empty; not 'abc'."),
    (RECORDS, [["I", "Customer", "Customer", "", "", "", 0, ""]],
     "Mapping!G8: Max length must be a whole number above 0, or empty; not '0'."),
    (RECORDS, [["I", "Customer", "Customer", "", "", "maybe", "", ""]],
     "Mapping!F8: Required must be yes or no, not 'maybe'."),
    (RECORDS, [["X", "Customer", "Customer", "", "", "", "", ""]],
     "Mapping!A8: record 'X' is not listed under Records. Records: I, D."),
    (RECORDS, [[None, "Customer", "Customer", "", "", "", "", ""]],
     "Mapping!A8: the rule needs a record name in the Record column."),
    (RECORDS, [["I", None, "Customer", "", "", "", "", ""]],
     "Mapping!B8: the field needs a name in the Field column."),
    (RECORDS, [["I", "Amount", "[line amount]", "", "", "", "", ""]],
     "Mapping!C8: [line amount] is only known on line records; 'I' is an invoice record."),
    (RECORDS, [["I", "Amount", "[line amt]", "", "", "", "", ""]],
     "Mapping!C8: unknown computed value [line amt]. Computed values: [line amount], [line index], [line count], [distribution count], "
     "[invoice total], [invoice subtotal], [tax total], [invoice index], [invoice count], [batch total], "
     "[batch date], [batch id], [sequence]."),
    (RECORDS, [["I", "Memo", "Job {Job number", "", "", "", "", ""]],
     "Mapping!C8: the template has a { without its }."),
    (RECORDS, [["I", "Memo", "Job }", "", "", "", "", ""]],
     "Mapping!C8: the template has a } without its {; write }} for a brace."),
    (RECORDS, [["I", "Memo", '"AR', "", "", "", "", ""]],
     'Mapping!C8: the literal needs a closing quote: "AR".'),
    (RECORDS, [["I", "Memo", "Customer", "truncate(ten)", "", "", "", ""]],
     "Mapping!D8: truncate needs a whole number above 0, not 'ten'; e.g. truncate(30)."),
    (RECORDS, [["I", "Memo", "Customer", "upper(1)", "", "", "", ""]],
     "Mapping!D8: upper takes no arguments; write just upper."),
    (RECORDS, [["I", "Memo", "Customer", "trim || upper", "", "", "", ""]],
     "Mapping!D8: there is an empty step between two | signs."),
    (RECORDS, [["I", "Memo", "Customer", "replace(\"a\", \"b)", "", "", "", ""]],
     'Mapping!D8: a quoted text is missing its closing quote (").'),
    (RECORDS, [["I", "Memo", "Customer", "lookup(GL accounts, \"Sate\")", "", "", "", ""]],
     "Mapping!D8: lookup key column 'Sate' is not an Invoices column."),
    (RECORDS, [["I", "Memo", "Customer", "lookup(GL accounts, \"State\")", "", "", "", ""]],
     "Mapping!D8: table 'GL accounts' has 1 key column(s), but the lookup gives 2; name the other key columns, "
     "e.g. lookup(GL accounts, \"State\")."),
    ([["H", "file start", "", ""], *RECORDS], [["H", "Customer", "Customer", "", "", "", "", ""]],
     "Mapping!C9: 'H' is a file start record, written once per file, so it cannot use the Invoices column "
     "'Customer'; use a \"literal\" or a [computed value]."),
    ([*RECORDS, ["E", "invoice end", "", ""]], [],
     "Mapping!A5: record 'E' has no rules; add its fields under Rules (a rule row with only the record name "
     "makes a record without fields)."),
    ([*RECORDS, ["I", "line", "", ""]], [],
     "Mapping!A5: record 'I' is already listed (row 3)."),
    ([*RECORDS, ["E", "per line", "", ""]], [["E", "No", "Invoice number", "", "", "", "", ""]],
     "Mapping!B5: When must be one of file start, invoice, line, invoice end, file end; not 'per line'."),
    ([*RECORDS, ["E", "line", "sometimes", ""]], [["E", "No", "Invoice number", "", "", "", "", ""]],
     "Mapping!C5: Header row must be yes or no, not 'sometimes'."),
]


@pytest.mark.parametrize("records, rules, message", BAD_RULES)
def test_each_bad_rule_is_a_mapping_error_naming_its_cell(records, rules, message):
    with pytest.raises(MappingError) as caught:
        compile_mapping(grid(records, [*rules, *GOOD_RULES]), LOOKUPS, invoice_columns=COLUMNS)
    assert str(caught.value) == message
    where = message.split(":")[0]
    assert f"{caught.value.sheet}!{caught.value.column}{caught.value.row}" == where


def test_every_bad_rule_is_reported_at_once_in_sheet_order():
    rules = [["I", "Customer", "Customer", "uper", "", "maybe", -1, ""],
             ["Y", "Customer", "Custmer", "", "", "", "", ""], *GOOD_RULES]
    with pytest.raises(MappingErrors) as caught:
        compile_mapping(grid(RECORDS, rules), LOOKUPS, invoice_columns=COLUMNS)
    assert str(caught.value).splitlines() == [
        "Mapping!D8: unknown transform 'uper'. Known transforms: upper, lower, trim, strip_newlines, ascii, ansi, "
        "replace, truncate, pad_left, pad_right, date, number, implied, negate, abs, if_negative, yesno, lookup.",
        "Mapping!F8: Required must be yes or no, not 'maybe'.",
        "Mapping!G8: Max length must be a whole number above 0, or empty; not '-1'.",
        "Mapping!A9: record 'Y' is not listed under Records. Records: I, D.",
    ]
    assert (caught.value.sheet, caught.value.row, caught.value.column) == ("Mapping", 8, "D")
    assert [(e.row, e.column) for e in caught.value.errors] == [(8, "D"), (8, "F"), (8, "G"), (9, "A")]


def test_lookups_are_read_as_named_tables_with_case_blind_keys():
    lookups = [["How to use this sheet: one table per block"], [],
               ["Table: GL accounts"], ["Key", "Value", "Notes"], ["INSPECTION", 40000, "service"], ["Parts ", 41000.0],
               [],
               ["Table: GL by state"], ["Key 1", "Key 2", "Value"], ["PARTS", "NC", "41000-NC"]]
    tables, errors = read_lookups_sheet(lookups)
    assert errors == []
    assert tables["gl accounts"].values == {"inspection": "40000", "parts": "41000"}
    assert (tables["gl by state"].key_count, tables["gl by state"].values) == (2, {("parts", "nc"): "41000-NC"})


@pytest.mark.parametrize("lookups, message", [
    ([["Table: GL"], ["Code", "Account"], ["PARTS", 41000]],
     "Lookups!A2: the header of table 'GL' must be Key (or Key 1, Key 2, …) then Value."),
    ([["Table: GL"], ["Key", "Value"], ["PARTS", 41000], ["parts", 41001]],
     "Lookups!A4: key 'parts' is already in table 'GL' (row 3)."),
    ([["Table: GL"], ["Key 1", "Key 2", "Value"], ["PARTS", None, 41000]],
     "Lookups!B3: a key is empty in table 'GL'."),
    ([["Table: GL"], ["Key", "Value"], ["PARTS", 41000], [], ["SERVICE", 40000]],
     "Lookups!A5: this row belongs to no table: remove the empty row above it, or start a new table with a "
     "row 'Table: <Name>'."),
    ([["Table: GL"], ["Key", "Value"], [], ["Table: gl"], ["Key", "Value"]],
     "Lookups!A4: there is already a table called 'gl' (row 1)."),
    ([["Table:"], ["Key", "Value"]], "Lookups!A1: the table needs a name: 'Table: Items'."),
])
def test_a_bad_lookups_sheet_names_the_cell(lookups, message):
    with pytest.raises(MappingError) as caught:
        compile_mapping(grid(RECORDS, [GOOD_RULES[0], ["D", "No", "Invoice number", "", "", "", "", ""]]),
                        lookups, invoice_columns=COLUMNS)
    assert str(caught.value) == message
