"""Validation: every problem found, each with its record, field and invoice, and the words shown."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from stac_xl.checks import validate_records
from stac_xl.errors import ConfigError
from stac_xl.mapping import MappedField
from stac_xl.problems import Problem, attach_issues, has_errors
from stac_xl.records import FieldSpec, Grain, OutputRecord, RecordSpec
from stac_xl.writers.iif import check_sums_to_zero

INVOICE = RecordSpec("I", Grain.INVOICE, (
    MappedField("Customer", 10, required=True),
    MappedField("Invoice", 15, required=True),
    FieldSpec("Description", 30),
    FieldSpec("Amount"),
))
IIF = [
    RecordSpec("TRNS", Grain.INVOICE, (FieldSpec("TRNSTYPE"), FieldSpec("AMOUNT"), FieldSpec("DOCNUM"))),
    RecordSpec("SPL", Grain.LINE, (FieldSpec("TRNSTYPE"), FieldSpec("AMOUNT"))),
    RecordSpec("ENDTRNS", Grain.INVOICE_END, ()),
]


def record(*values: str, invoice_id: str = "700123") -> OutputRecord:
    return OutputRecord("I", list(values), invoice_id)


def rows_of(number: str, invoice_id: str, total: str, tax: str, lines: list[tuple[str | None, str, str]]) -> list[dict[str, Any]]:
    """Invoices rows: (Line total, Quantity, Unit price) per line."""
    head = {"Invoice id": invoice_id, "Invoice number": number, "Tax": Decimal(tax), "Invoice total": Decimal(total),
            "Line id": None, "Description": None, "Quantity": None, "Unit price": None, "Line total": None}
    if not lines:
        return [head]
    return [head | {"Line id": f"{invoice_id}-{n}", "Description": "work",
                    "Line total": None if line_total is None else Decimal(line_total),
                    "Quantity": Decimal(quantity), "Unit price": Decimal(price)}
            for n, (line_total, quantity, price) in enumerate(lines)]


@pytest.mark.parametrize("values, encoding, expected", [
    (("ACME01", "ST10041", "24-1001", "556.50"), "cp1252", []),
    (("", "ST10041", "", "556.50"), "cp1252", ["Invoice 10041, I Customer: required, but empty."]),
    (("ACME01", "   ", "", ""), "cp1252", ["Invoice 10041, I Invoice: required, but empty."]),
    (("ACME PROPERTY", "ST10041", "", ""), "cp1252",
     ["Invoice 10041, I Customer: 'ACME PROPERTY' is 13 characters long; the limit is 10."]),
    (("ACME01", "ST10041", "Quarterly fire sprinkler inspection", ""), "cp1252",
     ["Invoice 10041, I Description: 'Quarterly fire sprinkler inspection' is 35 characters long; the limit is 30."]),
    (("ACME01", "ST10041", "Fusible link, 165°F → é", ""), "cp1252",
     ["Invoice 10041, I Description: 'Fusible link, 165°F → é' has characters cp1252 cannot hold: '→'. "
      "Add ansi to the rule's Transform (it spells them out, or writes ?), or change Encoding on Settings."]),
    (("ACME01", "ST10041", "165°F é", ""), "ascii",
     ["Invoice 10041, I Description: '165°F é' has characters ascii cannot hold: '°', 'é'. "
      "Add ansi to the rule's Transform (it spells them out, or writes ?), or change Encoding on Settings."]),
    (("ACME01", "ST10041", "165°F → é", ""), "utf-8-sig", []),
    (("", "ST10041-TOO-LONG-1", "", ""), "utf-8",
     ["Invoice 10041, I Customer: required, but empty.",
      "Invoice 10041, I Invoice: 'ST10041-TOO-LONG-1' is 18 characters long; the limit is 15."]),
])
def test_record_checks(values, encoding, expected):
    rows = rows_of("10041", "700123", "556.50", "0", [("556.50", "1", "556.50")])
    problems = validate_records([INVOICE], [record(*values)], encoding=encoding, rows=rows)
    assert [str(p) for p in problems] == expected


def test_a_problem_carries_record_and_field_index_for_the_export_sheet():
    records = [record("ACME01", "ST1", "", ""), record("", "ST2", "", "", invoice_id="700124")]
    problems = validate_records([INVOICE], records, encoding="utf-8")
    assert problems == [Problem("error", "required, but empty.", None, "700124", 1, 0, "I", "Customer")]
    assert str(problems[0]) == "Record 2, I Customer: required, but empty."


def test_plain_field_specs_are_never_required():
    spec = RecordSpec("I", Grain.INVOICE, (FieldSpec("Customer"),))
    assert validate_records([spec], [OutputRecord("I", [""])], encoding="utf-8") == []


@pytest.mark.parametrize("rec, message", [
    (OutputRecord("X", ["a"]), "Record 1, X: record type 'X' is not on the Mapping sheet."),
    (OutputRecord("I", ["a", "b"]), "Record 1, I: has 2 values, but the Mapping gives it 4 fields."),
])
def test_records_edited_out_of_shape_on_the_export_sheet(rec, message):
    assert [str(p) for p in validate_records([INVOICE], [rec], encoding="utf-8")] == [message]


def test_an_unknown_encoding_is_a_settings_error():
    with pytest.raises(ConfigError) as caught:
        validate_records([INVOICE], [], encoding="klingon")
    assert str(caught.value) == "Settings: Encoding 'klingon' is not known; use utf-8, utf-8-sig or cp1252."


BALANCE_CASES = [
    # (total, tax, lines (Line total, Quantity, Unit price), severity, expected)
    ("556.50", "0.00", [("450.00", "1", "450"), ("106.50", "3", "35.50")], "error", []),
    ("556.49", "0.00", [("450.00", "1", "450"), ("106.50", "3", "35.50")], "error",
     ["Invoice 10041: the lines (556.50) plus tax (0.00) come to 556.50, but the invoice total is 556.49."]),
    ("556.51", "0.00", [("450.00", "1", "450"), ("106.50", "3", "35.50")], "warning",
     ["Invoice 10041: the lines (556.50) plus tax (0.00) come to 556.50, but the invoice total is 556.51."]),
    ("556.505", "0.00", [("450.00", "1", "450"), ("106.50", "3", "35.50")], "error", []),   # within half a cent
    ("600.02", "43.52", [("450.00", "1", "450"), ("106.50", "3", "35.50")], "error", []),  # tax counts
    ("556.50", "0.00", [(None, "1", "450"), (None, "3", "35.50")], "error", []),           # qty × price
    ("1.01", "0.00", [(None, "3", "0.335")], "error", []),                                  # rounded half-up
    ("0.00", "0.00", [], "error", []),                                                      # no lines, $0
    ("75.00", "0.00", [], "error",
     ["Invoice 10041: the lines (0.00) plus tax (0.00) come to 0.00, but the invoice total is 75.00."]),
    ("-35.50", "0.00", [("-35.50", "-1", "35.50")], "error", []),                          # credit memo
]


@pytest.mark.parametrize("total, tax, lines, severity, expected", BALANCE_CASES)
def test_each_invoice_must_balance(total, tax, lines, severity, expected):
    rows = rows_of("10041", "700123", total, tax, lines)
    problems = validate_records([INVOICE], [], encoding="utf-8", rows=rows, unbalanced=severity)
    assert [str(p) for p in problems] == expected
    assert all(p.severity == severity for p in problems)


def test_a_balance_problem_points_at_the_invoices_first_record():
    rows = rows_of("10041", "700123", "556.49", "0", [("556.50", "1", "556.50")])
    records = [OutputRecord("I", ["ACME01", "ST10041", "", "556.49"], "700123")]
    [problem] = validate_records([INVOICE], records, encoding="utf-8", rows=rows)
    assert (problem.record_index, problem.field_index, problem.invoice_id) == (0, None, "700123")


def test_a_duplicate_invoice_number_is_an_error_for_each_repeat():
    rows = [*rows_of("10041", "1", "10.00", "0", [("10.00", "1", "10")]),
            *rows_of("10042", "2", "10.00", "0", [("10.00", "1", "10")]),
            *rows_of("10041", "3", "20.00", "0", [("20.00", "1", "20")]),
            *rows_of("10041", "4", "30.00", "0", [("30.00", "1", "30")])]
    problems = validate_records([INVOICE], [], encoding="utf-8", rows=rows)
    assert [(str(p), p.invoice_id, p.severity) for p in problems] == [
        ("Invoice 10041: invoice number 10041 is in this batch 3 times.", "3", "error"),
        ("Invoice 10041: invoice number 10041 is in this batch 3 times.", "4", "error"),
    ]


@pytest.mark.parametrize("amounts, expected", [
    ([("TRNS", "556.50"), ("SPL", "-450.00"), ("SPL", "-106.50"), ("ENDTRNS", None)], []),
    ([("TRNS", "556.50"), ("SPL", "-450.00"), ("SPL", "-106.49"), ("ENDTRNS", None)],
     ["Record 1, TRNS AMOUNT: the transaction does not balance: its TRNS and SPL amounts add up to 0.01, not 0."]),
    ([("TRNS", "10.00"), ("SPL", "-10.00"), ("ENDTRNS", None), ("TRNS", "5"), ("SPL", "-4"), ("ENDTRNS", None)],
     ["Record 4, TRNS AMOUNT: the transaction does not balance: its TRNS and SPL amounts add up to 1, not 0."]),
    ([("TRNS", "10.00"), ("SPL", "ten"), ("ENDTRNS", None)],
     ["Record 2, SPL AMOUNT: 'ten' is not an amount.",
      "Record 1, TRNS AMOUNT: the transaction does not balance: its TRNS and SPL amounts add up to 10.00, not 0."]),
    ([("TRNS", "1,000.00"), ("SPL", "-1000")], []),                      # no ENDTRNS at the end: still closed
])
def test_iif_transactions_sum_to_zero(amounts, expected):
    records = [OutputRecord(name, [] if amount is None else ["INVOICE", amount] + ([] if name == "SPL" else ["1"]))
               for name, amount in amounts]
    assert [str(p) for p in check_sums_to_zero(IIF, records)] == expected


def test_issues_are_attached_to_their_records_and_errors_block():
    records = [record("", "ST1", "", ""), record("ACME01", "ST2", "", "")]
    problems = validate_records([INVOICE], records, encoding="utf-8")
    attach_issues(records, problems)
    assert [r.issues for r in records] == [["Customer: required, but empty."], []]
    assert has_errors(problems)
    assert not has_errors([Problem("warning", "left out of the file: its total is 0.00.")])


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_only_the_record_an_encoding_cannot_hold_is_reported_among_many(encoding):
    records = [record("ACME01", f"ST{n}", "Fusible link, 165°F" if encoding == "cp1252" else "plain", "1.00")
               for n in range(3000)]
    records[2500].values[2] = "heat → cool"
    problems = validate_records([INVOICE], records, encoding=encoding)
    assert [(p.record_index, p.field) for p in problems] == [(2500, "Description")]
    assert "'→'" in problems[0].message
