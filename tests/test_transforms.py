"""Every transform, alone and chained: what goes in, what comes out, what a clerk is told."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from stac_xl.mapping.lookup import read_lookups_sheet
from stac_xl.mapping.syntax import RuleProblem, parse_chain
from stac_xl.mapping.transforms import (
    TRANSFORMS,
    TransformContext,
    ValueChanged,
    ValueProblem,
    as_text,
    compile_transforms,
)

TABLES, _ = read_lookups_sheet([
    ["Table: Items"], ["Key", "Value"], ["INSPECTION", 40000], ["PARTS", "41000"], [],
    ["Table: GL by state"], ["Key 1", "Key 2", "Value"], ["PARTS", "NC", "41000-NC"], ["PARTS", "SC", "41000-SC"],
])
CTX = TransformContext(TABLES, frozenset({"State", "Item code"}))
ROW = {"State": "sc", "Item code": "PARTS"}
D = Decimal


def run(text: str, value: Any, row: dict[str, Any] | None = None) -> Any:
    transform = compile_transforms(text, CTX)
    assert transform is not None
    try:
        return as_text(transform(value, row or ROW))
    except ValueChanged as change:  # made all the same, and told as a warning (test_encoding_warnings)
        return as_text(change.value)


CASES = [
    # text
    ("upper", "Acme Mgmt", "ACME MGMT"),
    ("lower", "Acme Mgmt", "acme mgmt"),
    ("trim", "  Acme  ", "Acme"),
    ("Upper", "x", "X"),                                   # names ignore case
    ('replace("&","and")', "Smith & Sons", "Smith and Sons"),
    ('replace(", ", " ")', "Baker Street Bistro, LLC", "Baker Street Bistro LLC"),
    ('replace("""", "in")', 'Pipe 2"', "Pipe 2in"),
    ('replace("|", "/") | upper', "a|b", "A/B"),             # a | inside quotes is text        # a doubled quote is one quote
    ("replace(“LLC”, “”)", "Bistro LLC", "Bistro "),       # Excel's curly quotes count
    ("strip_newlines", "Line one\r\nLine two\tthree", "Line one Line two three"),
    ("strip_newlines", "no breaks", "no breaks"),
    ("ascii", "Café Crème", "Cafe Creme"),
    ("ascii", "165°F – ½ in", "165?F - 1/2 in"),             # no ASCII spelling: ?, never dropped
    ("ascii", "Łódź “quoted”", 'Lodz "quoted"'),
    ("ascii", 'Threaded rod ⅜" → 55°F', 'Threaded rod 3/8" -> 55?F'),  # fractions and arrows spelled out
    ("ansi", "Café Crème — ½, 55°F, 45/5 µF", "Café Crème — ½, 55°F, 45/5 µF"),  # all in Windows-1252: kept
    ("ansi", 'Threaded rod ⅜" (ft); 55°F → 45°F', 'Threaded rod 3/8" (ft); 55°F -> 45°F'),  # only the rest spelled out
    ("ansi", "Łódź “quoted” ✓", "Lódz “quoted” ?"),         # Ł, ź not in Windows-1252; ó, curly quotes are; ✓ is ?
    ("strip_newlines | ansi | truncate(41)", "Hartwell, Price & Doyle Property Management",
     "Hartwell, Price & Doyle Property Manageme"),           # QuickBooks keeps 41 characters of a name
    ("truncate(10)", "Quarterly fire sprinkler inspection", "Quarterly "),
    ("truncate(50)", "short", "short"),
    ('pad_left(10,"0")', "10041", "0000010041"),
    ("pad_left(8)", "ab", "      ab"),
    ("pad right(6)", "ab", "ab    "),                      # a space reads as _
    ('pad_right(6, "*")', "ab", "ab****"),
    ("pad_left(2)", "abcdef", "abcdef"),                   # padding never cuts
    # dates
    ("date(MM/DD/YY)", date(2024, 3, 15), "03/15/24"),
    ("date(MMDDYYYY)", date(2024, 3, 15), "03152024"),
    ("date(YYYY-MM-DD)", date(2024, 3, 5), "2024-03-05"),
    ("date(M/D/YYYY)", date(2024, 3, 5), "3/5/2024"),
    ("date(DD/MM/YYYY)", date(2024, 3, 15), "15/03/2024"),
    ("date(mm/dd/yy)", date(2024, 3, 15), "03/15/24"),     # tokens ignore case
    ("date(MM/YY)", date(2024, 3, 15), "03/24"),
    ("date(YYYYMMDD)", datetime(2024, 3, 15, 23, 59), "20240315"),
    ("date(MM/DD/YY)", "2024-03-15", "03/15/24"),          # ISO text typed on Invoices
    # numbers
    ("number(2)", D("450"), "450.00"),
    ("number(2)", D("106.505"), "106.51"),                 # half-up
    ("number(2)", D("-106.505"), "-106.51"),
    ("number(2)", D("1234567.8"), "1234567.80"),           # no thousands separator
    ("number(0)", D("2.5"), "3"),
    ("number(3)", D("1"), "1.000"),
    ("number(2)", "18.75", "18.75"),
    ("number(2)", 3, "3.00"),
    ("number(2)", D("-0.001"), "0.00"),                    # never "-0.00"
    ("number(2)", D("1E+3"), "1000.00"),                   # never an exponent
    ("implied(2)", D("12.34"), "1234"),
    ("implied(2)", D("-450"), "-45000"),
    ("implied(2)", D("0.005"), "1"),
    ("implied(0)", D("7.5"), "8"),
    ("negate", D("450.00"), "-450.00"),
    ("negate", D("-1"), "1"),
    ("negate", D("0"), "0"),
    ("abs", D("-35.50"), "35.50"),
    ("negate | number(2)", D("106.5"), "-106.50"),
    ('if_negative("CREDIT MEMO","INVOICE")', D("-35.50"), "CREDIT MEMO"),
    ('if_negative("CREDIT MEMO","INVOICE")', D("0"), "INVOICE"),
    ('if_negative("CREDIT MEMO","INVOICE")', D("556.50"), "INVOICE"),
    # booleans
    ('yesno("Y","N")', True, "Y"),
    ('yesno("Y","N")', False, "N"),
    ("yesno", True, "Y"),
    ('yesno("1","0")', "TRUE", "1"),
    ('yesno("Yes","No")', "n", "No"),
    # lookups
    ("lookup(Items)", "PARTS", "41000"),
    ("lookup(Items)", " parts ", "41000"),                 # keys ignore case and spaces
    ("lookup(items)", "INSPECTION", "40000"),              # so do table names
    ('lookup("Items", default="49000")', "SERVICE", "49000"),
    ('lookup(GL by state, "State")', "PARTS", "41000-SC"),
    ('lookup(GL by state, State, default="X")', "INSPECTION", "X"),
    # chains, empties
    ("trim | upper | truncate(4) | pad_left(6, \"_\")", "  acme mgmt ", "__ACME"),
    ("strip_newlines | ascii | truncate(30)", "Fusible link,\n165°F", "Fusible link, 165?F"),
    ("upper", D("1.50"), "1.50"),                          # text transforms take any value
    ("upper | number(2) | pad_left(8, \"0\")", D("7.5"), "00007.50"),
    ("upper", None, ""),                                   # empty stays empty…
    ("number(2) | pad_left(5,\"0\")", "", ""),
    ("lookup(Items)", None, ""),
    ("date(MM/DD/YY)", None, ""),
]


@pytest.mark.parametrize("text, value, expected", CASES)
def test_transform(text, value, expected):
    assert run(text, value) == expected


def test_every_transform_has_a_case():
    used = {step.name for text, _, _ in CASES for step in parse_chain(text)}
    assert used == set(TRANSFORMS)


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_transform_cell_is_no_transform(text):
    assert compile_transforms(text, CTX) is None


@pytest.mark.parametrize("value, expected", [
    (None, ""), ("x", "x"), (D("450.0"), "450.0"), (D("1E+2"), "100"), (date(2024, 3, 15), "2024-03-15"),
    (True, "TRUE"), (False, "FALSE"), (41000.0, "41000"), (12, "12"),
])
def test_plain_text_of_untransformed_values(value, expected):
    assert as_text(value) == expected


@pytest.mark.parametrize("text, message", [
    ("uper", "unknown transform 'uper'. Known transforms: upper, lower, trim, strip_newlines, ascii, ansi, replace, "
             "truncate, pad_left, pad_right, date, number, implied, negate, abs, if_negative, yesno, lookup."),
    ("trim | ", "there is an empty step between two | signs."),
    ("truncate", "truncate needs 1 argument, e.g. truncate(30)."),
    ("truncate(0)", "truncate needs a whole number above 0, not '0'; e.g. truncate(30)."),
    ("truncate(3.5)", "truncate needs a whole number above 0, not '3.5'; e.g. truncate(30)."),
    ("truncate(30", "truncate( is missing its closing parenthesis."),
    ("number(-1)", "number needs a whole number, not '-1'; e.g. number(2)."),
    ("number(2, 3)", "number needs 1 argument, e.g. number(2)."),
    ("trim(3)", "trim takes no arguments; write just trim."),
    ('pad_left(10, "00")', "pad_left pads with exactly one character, not '00'; e.g. pad_left(10,\"0\")."),
    ("pad_left(10,)", "pad_left has an empty argument; remove the extra comma."),
    ('replace("a")', 'replace needs 2 arguments, e.g. replace("&","and").'),
    ('replace("", "b")', 'replace needs some text to look for; e.g. replace("&","and").'),
    ('replace("a"x, "b")', 'the argument "a"x has text after its closing quote.'),
    ("date(MM/DD/YYY)", "date pattern 'MM/DD/YYY' is not understood; use YYYY, YY, MM, M, DD, D and separators, "
                        "e.g. date(MM/DD/YY)."),
    ("date(Month D)", "date pattern 'Month D' is not understood; use YYYY, YY, MM, M, DD, D and separators, "
                      "e.g. date(MM/DD/YY)."),
    ("date()", "date needs 1 argument, e.g. date(MM/DD/YY)."),
    ('if_negative("CM")', 'if_negative needs 2 arguments, e.g. if_negative("CREDIT MEMO","INVOICE").'),
    ('yesno("Y","N","?")', 'yesno needs 0 to 2 arguments, e.g. yesno("Y","N").'),
    ("lookup(Accounts)", "there is no lookup table 'Accounts' on the Lookups sheet. Tables: Items, GL by state."),
    ('lookup(Items, fallback="1")', "lookup has no argument called 'fallback'; e.g. lookup(Items, \"State\", "
                                    "default=\"40000\")."),
    ("lookup(GL by state)", "table 'GL by state' has 2 key column(s), but the lookup gives 1; name the other key "
                            "columns, e.g. lookup(GL by state, \"State\")."),
])
def test_a_transform_that_cannot_be_compiled_says_why(text, message):
    with pytest.raises(RuleProblem) as caught:
        compile_transforms(text, CTX)
    assert str(caught.value) == message


@pytest.mark.parametrize("text, value, message", [
    ("date(MM/DD/YY)", "15 March", "date(MM/DD/YY) needs a date, not '15 March'."),
    ("date(MM/DD/YY)", D("45366"), "date(MM/DD/YY) needs a date, not '45366'."),
    ("number(2)", "twelve", "number(2) needs a number, not 'twelve'."),
    ("implied(2)", True, "implied(2) needs a number, not 'TRUE'."),
    ("negate", "abc", "negate needs a number, not 'abc'."),
    ('if_negative("CM","INV")', "x", "if_negative needs a number, not 'x'."),
    ("yesno", "maybe", "yesno needs TRUE or FALSE, not 'maybe'."),
    ("lookup(Items)", "SERVICE", "'SERVICE' is not in lookup table 'Items'; add it on the Lookups sheet or give "
                                 "the lookup a default."),
    ('lookup(GL by state, "State")', "INSPECTION", "'INSPECTION' + 'sc' is not in lookup table 'GL by state'; add it "
                                                   "on the Lookups sheet or give the lookup a default."),
])
def test_a_value_a_transform_cannot_take_is_a_value_problem(text, value, message):
    transform = compile_transforms(text, CTX)
    assert transform is not None
    with pytest.raises(ValueProblem) as caught:
        transform(value, ROW)
    assert str(caught.value) == message
