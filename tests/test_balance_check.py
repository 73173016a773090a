"""The *Balance check* setting: read from Settings, applied per invoice by job.check_records on
Preview and Export (hand edits count), an error on the invoice's first amount cell when the
sides differ, and a ConfigError naming the setting when it cannot be read or names a field
the Mapping lacks."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from invoice_fixtures import EXPORT_DATE, SHARED_ROWS, taxed_rows

from stac_xl.actions.export import export
from stac_xl.actions.preview import preview
from stac_xl.actions.profile_settings import balance_check
from stac_xl.book.file import FileWorkbook
from stac_xl.book.table import Table
from stac_xl.checks.balance_check import parse_balance_check
from stac_xl.errors import ConfigError, ValidationFailed
from stac_xl.invoices.columns import DEFAULT_COLUMNS
from stac_xl.presets import load_preset
from stac_xl.records import FieldSpec, Grain, OutputRecord, RecordSpec

NOW = datetime(2024, 3, 20, 17, 5, 0)
I = RecordSpec("I", Grain.INVOICE, (FieldSpec("RecID"), FieldSpec("Amount")))  # noqa: E741  (the Sage 300 I record, as the Balance check spells it)
D = RecordSpec("D", Grain.LINE, (FieldSpec("RecID"), FieldSpec("Amount")))
D_TAX = RecordSpec("D tax", Grain.INVOICE_END, (FieldSpec("RecID"), FieldSpec("Amount")))
SPECS = [I, D, D_TAX]
ROWS = [{"Invoice id": "1", "Invoice number": "10041", "Invoice total": "556.50", "Tax": "6.50"},
        {"Invoice id": "2", "Invoice number": "10042", "Invoice total": "362.50", "Tax": "0.00"}]


def records(*amounts: tuple[str, str, str]) -> list[OutputRecord]:
    return [OutputRecord(name, [name[0], amount], invoice) for invoice, name, amount in amounts]


BALANCED = records(("1", "I", "556.50"), ("1", "D", "450.00"), ("1", "D", "100.00"), ("1", "D tax", "6.50"),
                   ("2", "I", "362.50"), ("2", "D", "362.50"))


def problems(text: str, recs: list[OutputRecord], rows: list[dict[str, Any]] | None = ROWS) -> list[tuple]:
    check = balance_check({"Balance check": text})
    assert check is not None
    return [(str(p), p.record_index, p.field_index, p.severity) for p in check.check(SPECS, recs, rows)]


def test_balanced_invoices_pass():
    assert problems("I.Amount = sum(D.Amount, D tax.Amount)", BALANCED) == []
    assert problems("-sum(D.Amount, D tax.Amount) = -[invoice total]", BALANCED) == []
    assert problems("sum(D.Amount) = [invoice subtotal]", BALANCED[4:], [ROWS[1] | {"Subtotal": "362.50"}]) == []


def test_an_invoice_that_does_not_balance_is_an_error_on_its_first_amount():
    wrong = records(("1", "I", "556.50"), ("1", "D", "450.00"), ("1", "D", "100.00"),
                    ("2", "I", "362.50"), ("2", "D", "362.50"))
    assert problems("I.Amount = sum(D.Amount)", wrong) == [
        ("Invoice 10041, I Amount: the invoice does not balance: I.Amount 556.50, sum of D.Amount 550.00.", 0, 1,
         "error")]


def test_the_messages_name_each_side_as_written():
    wrong = records(("1", "I", "556.50"), ("1", "D", "450.00"), ("1", "D tax", "6.50"))
    assert problems("sum(I.Amount, D.Amount, D tax.Amount) = 0", wrong)[0][0] == (
        "Invoice 10041, I Amount: the invoice does not balance: sum of I.Amount, D.Amount and D tax.Amount "
        "1013.00, not 0.")
    assert problems("-sum(D.Amount, D tax.Amount) = [invoice total]", wrong)[0][0] == (
        "Invoice 10041, I: the invoice does not balance: minus sum of D.Amount and D tax.Amount -456.50, "
        "[invoice total] 556.50.")


def test_hand_edited_amounts_are_read_as_they_stand():
    edited = records(("1", "I", "556.50"), ("1", "D", "4S0.00"))
    assert problems("I.Amount = sum(D.Amount)", edited) == [("Invoice 10041, D Amount: '4S0.00' is not an amount.", 1, 1,
                                                              "error")]


def test_the_first_record_without_a_checked_field_is_marked_as_a_whole():
    other = RecordSpec("H", Grain.INVOICE, (FieldSpec("Note"),))
    recs = [OutputRecord("H", ["x"], "1"), *records(("1", "D", "1.00"))]
    found = parse_balance_check("sum(D.Amount) = 2").check([other, *SPECS], recs, ROWS)
    assert [(p.record_index, p.field_index, p.record, p.field) for p in found] == [(0, None, "H", None)]


def test_an_invoice_missing_from_invoices_cannot_be_checked_against_its_total():
    assert problems("sum(D.Amount) = [invoice total]", records(("9", "D", "1.00")))[0][0] == (
        "Record 1, D Amount: the invoice is not on the Invoices sheet, so its total is not known; fetch it again.")


def test_names_ignore_case_and_record_names_may_hold_spaces():
    assert problems("i.amount = SUM(d.amount, D TAX.amount)", BALANCED) == []


@pytest.mark.parametrize("text, reason", [
    ("I.Amount sum(D.Amount)", "it needs one = between its two sides"),
    ("I.Amount == sum(D.Amount)", "it needs one = between its two sides"),
    ("= sum(D.Amount)", "one side of the = is empty"),
    ("I.Amount = Amount", "'Amount' is not Record.Field, a number or sum(Record.Field, …)"),
    ("I.Amount = D.Amount, D tax.Amount", "'D.Amount, D tax.Amount' lists several fields; add them up with sum(…)"),
    ("I.Amount = sum(D.Amount,)", "'sum(D.Amount,)' has an empty name between commas"),
    ("I.Amount = [invoice totl]", "[invoice totl] is not a value it can use; use [invoice total], [invoice subtotal], "
                                  "[tax total]"),
])
def test_a_setting_it_cannot_read_is_a_config_error_naming_it(text, reason):
    with pytest.raises(ConfigError) as caught:
        balance_check({"Balance check": text})
    assert str(caught.value) == (f"Settings: Balance check '{text}' cannot be read: {reason}; "
                                 "write it like I.Amount = sum(D.Amount).")


def test_a_field_the_mapping_lacks_is_a_config_error_naming_the_setting():
    check = balance_check({"Balance check": "I.Total = sum(D.Amount)"})
    with pytest.raises(ConfigError) as caught:
        check.check(SPECS, BALANCED, ROWS)  # type: ignore[union-attr]
    assert str(caught.value) == ("Settings: Balance check 'I.Total = sum(D.Amount)' names I.Total, but the Mapping "
                                 "sheet has no record 'I' with a field 'Total'.")


def test_no_setting_is_no_check():
    assert balance_check({}) is None and balance_check({"Balance check": "  "}) is None


# --- on a real workbook: Preview and Export -------------------------------------------------------

def make_book(path: Path, preset: str, rows: list[dict[str, Any]]) -> Path:
    book = FileWorkbook.create(path)
    load_preset(book, preset)
    book.write_table("Invoices", Table(list(DEFAULT_COLUMNS), [[r.get(c.name) for c in DEFAULT_COLUMNS] for r in rows]))
    book.save()
    return path


def edit(path: Path, sheet: str, cell: str, value: Any) -> None:
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell].value = value
    wb.save(path)


def refused(path: Path, tmp_path: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    assert not [p for p in tmp_path.iterdir() if p.suffix in (".txt", ".iif", ".csv")]
    return caught.value.problems


def test_a_hand_edit_that_unbalances_a_taxed_invoice_blocks_the_export_on_its_amount_cell(tmp_path):
    path = make_book(tmp_path / "ar.xlsx", "sage300cre", taxed_rows())
    assert preview(FileWorkbook.open(path), today=EXPORT_DATE).errors == 0
    edit(path, "Export", "G5", "1.65")  # the D tax row's Amount: 1.56 typed as 1.65
    assert refused(path, tmp_path) == [
        "Export!I2: Invoice 10044, I Amount: the invoice does not balance: I.Amount 298.06, "
        "sum of D.Amount and D tax.Amount 298.15."]
    again = preview(FileWorkbook.open(path), today=EXPORT_DATE)  # the correction is kept, and still wrong
    assert again.corrections == 1 and again.errors == 1


def test_a_hand_edit_out_of_form_blocks_the_export_naming_the_form(tmp_path):
    path = make_book(tmp_path / "ar.xlsx", "quickbooks-iif", SHARED_ROWS)
    preview(FileWorkbook.open(path), today=EXPORT_DATE)
    edit(path, "Export", "D2", "13/45/24")  # TRNS DATE
    assert refused(path, tmp_path) == ["Export!D2: Invoice 10041, TRNS DATE: '13/45/24' is not a date in the form "
                                       "MM/DD/YY."]


def test_quickbooks_checks_the_tax_split_too(tmp_path):
    path = make_book(tmp_path / "ar.xlsx", "quickbooks-iif", taxed_rows())
    assert preview(FileWorkbook.open(path), today=EXPORT_DATE).errors == 0
    edit(path, "Export", "H5", "-1.50")  # the SPL tax AMOUNT
    assert refused(path, tmp_path) == [
        "Export!H2: Invoice 10044, TRNS AMOUNT: the invoice does not balance: sum of TRNS.AMOUNT, SPL.AMOUNT and "
        "SPL tax.AMOUNT 0.06, not 0."]


def test_a_malformed_setting_stops_preview_naming_it(tmp_path):
    path = make_book(tmp_path / "ar.xlsx", "sage300cre", SHARED_ROWS)
    wb = openpyxl.load_workbook(path)
    row = next(r for r in wb["Settings"].iter_rows() if r[0].value == "Balance check")
    row[1].value = "I.Amount = sum(D.Amount"
    wb.save(path)
    with pytest.raises(ConfigError) as caught:
        preview(FileWorkbook.open(path), today=EXPORT_DATE)
    assert str(caught.value).startswith("Settings: Balance check 'I.Amount = sum(D.Amount' cannot be read: ")


def test_a_total_on_invoices_that_is_not_a_number_cannot_be_checked():
    rows = [ROWS[0] | {"Invoice total": "five hundred"}]
    assert problems("sum(D.Amount) = [invoice total]", records(("1", "D", "1.00")), rows)[0][0] == (
        "Invoice 10041, D Amount: its total on the Invoices sheet is not a number, so it cannot be checked.")
