"""What a clerk types into *Export* and *Invoices*, as Excel stores it, reaches the file in the
field's own form, or is refused naming its cell (issue 12, points 1 and 2).

Each entry is typed with openpyxl: text as text, a pasted number as a number cell, a date as
a real date cell. Then either Export straight away, or Preview first (the sheet shows the
value written in its form, the cell blue), then Export; the file, read back with ``csv`` or
as the IIF's TAB rows, holds the value in the field's form. An entry with no single reading
is refused naming the cell, the value and the form wanted; after a Preview that cell is red,
its note saying it is the correction and what Preview computed.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from invoice_fixtures import EXPORT_DATE
from test_preview_export import NOW, make_book

from stac_xl.actions.export import export
from stac_xl.actions.preview import preview
from stac_xl.book.export_sheet import FIRST_FIELD_COLUMN
from stac_xl.book.file import FileWorkbook
from stac_xl.book.xlsx_styles import MARK_FILLS
from stac_xl.cli import main
from stac_xl.errors import ValidationFailed, WorkbookError
from stac_xl.invoices.columns import DEFAULT_COLUMNS
from stac_xl.mapping import compile_mapping
from stac_xl.presets import get_preset

HEADERS = [c.name for c in DEFAULT_COLUMNS]


def field_position(preset: str, record: str, field: str) -> int:
    data = get_preset(preset)
    specs = compile_mapping(data.mapping, data.lookups, invoice_columns=HEADERS).specs
    return next(s for s in specs if s.name == record).field_names.index(field)


def set_setting(path: Path, name: str, value: str) -> None:
    """Type ``value`` into the Settings row called ``name``, as the clerk would."""
    book = openpyxl.load_workbook(path)
    ws = book["Settings"]
    (row,) = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == name]
    ws.cell(row, 2).value = value
    book.save(path)


def set_date_order(path: Path, order: str) -> None:
    set_setting(path, "Date order", order)


def new_book(tmp_path: Path, preset: str, order: str) -> Path:
    path = tmp_path / "ar.xlsx"
    make_book(path, preset).close()
    set_date_order(path, order)
    return path


def export_cell(path: Path, preset: str, record: str, field: str) -> str:
    """The cell of ``field`` on the first ``record`` row of the Export sheet, e.g. ``C2``."""
    ws = openpyxl.load_workbook(path)["Export"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == record)
    return f"{openpyxl.utils.get_column_letter(FIRST_FIELD_COLUMN + field_position(preset, record, field))}{row}"


def type_into(path: Path, sheet: str, entries: list[tuple[str, Any]]) -> None:
    """What the clerk does in Excel: type over cells and save (a datetime as a real date cell)."""
    book = openpyxl.load_workbook(path)
    for cell, value in entries:
        book[sheet][cell].value = value
    book.save(path)


def file_value(path: Path, preset: str, record: str, field: str) -> str:
    """``field`` of the first ``record`` in the import file, read back on its own terms."""
    if preset == "quickbooks-iif":
        rows = [line.split("\t") for line in path.read_text(encoding="cp1252").splitlines()]
        keyword = record.split()[0]
        names = next(r for r in rows if r[0] == f"!{keyword}")[1:]
        values = next(r for r in rows if r[0] == keyword)[1:]
        return dict(zip(names, values))[field]
    first = next(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    return first[field]


EXPORT_FORMS = [
    # numbers with thousands separators, currency signs, accountants' negatives, number cells
    ("generic-csv", "Line", "Subtotal", "$1,234.50", "1234.50"),
    ("generic-csv", "Line", "Subtotal", "1,234.50", "1234.50"),
    ("generic-csv", "Line", "Subtotal", "-$1,234.50", "-1234.50"),
    ("generic-csv", "Line", "Subtotal", "(744.60)", "-744.60"),
    ("generic-csv", "Line", "Subtotal", -744.6, "-744.60"),
    ("generic-csv", "Line", "UnitPrice", "$450.00", "450.00"),
    ("generic-csv", "Line", "UnitPrice", 450, "450"),
    ("generic-csv", "Line", "Quantity", "1,000", "1000"),
    ("quickbooks-iif", "SPL", "PRICE", "$450.00", "450.00"),
    ("quickbooks-iif", "SPL", "QNTY", "(1)", "-1"),
    # real date cells and unambiguous text dates, in the Date order setting
    ("generic-csv", "Line", "InvoiceDate", datetime(2026, 12, 1), "2026-12-01"),
    ("generic-csv", "Line", "InvoiceDate", "12/1/2026", "2026-12-01"),
    ("generic-csv", "Line", "InvoiceDate", "2026-12-01", "2026-12-01"),
    ("generic-csv", "Line", "DueDate", "12-1-26", "2026-12-01"),
    ("quickbooks-iif", "TRNS", "DATE", datetime(2026, 12, 1), "12/01/26"),
    ("quickbooks-iif", "TRNS", "DATE", "12/1/2026", "12/01/26"),
    ("quickbooks-iif", "TRNS", "DATE", "2026-12-01", "12/01/26"),
    ("quickbooks-iif", "TRNS", "DUEDATE", "DMY 1.12.2026", "12/01/26"),
    ("generic-csv", "Line", "InvoiceDate", "DMY 1/12/2026", "2026-12-01"),
    ("generic-csv", "Line", "InvoiceDate", "YMD 2026/12/1", "2026-12-01"),
    # yes/no words, a choice in another case, a code with stray spaces
    ("generic-csv", "Line", "Taxable", "yes", "true"),
    ("quickbooks-iif", "TRNS", "TRNSTYPE", "invoice", "INVOICE"),
    ("quickbooks-iif", "SPL", "ACCNT", " Service Income ", "Service Income"),
]


def _order_and_value(typed: Any) -> tuple[str, Any]:
    """A case may start its text with the Date order it is typed in ("DMY 1/12/2026")."""
    if isinstance(typed, str) and typed[:4] in ("DMY ", "YMD "):
        return typed[:3], typed[4:]
    return "MDY", typed


@pytest.mark.parametrize("preview_first", [False, True], ids=["export at once", "preview, then export"])
@pytest.mark.parametrize(("preset", "record", "field", "typed", "written"), EXPORT_FORMS)
def test_an_export_entry_reaches_the_file_in_its_fields_form(tmp_path: Path, preset: str, record: str, field: str,
                                                             typed: Any, written: str, preview_first: bool) -> None:
    order, value = _order_and_value(typed)
    path = new_book(tmp_path, preset, order)
    assert preview(FileWorkbook.open(path), today=EXPORT_DATE).errors == 0
    cell = export_cell(path, preset, record, field)
    type_into(path, "Export", [(cell, value)])
    if preview_first:
        again = preview(FileWorkbook.open(path), today=EXPORT_DATE)
        assert again.errors == 0 and again.corrections == 1, [str(p) for p in again.problems]
        ws = openpyxl.load_workbook(path)["Export"]
        assert ws[cell].value == written  # the sheet shows the value as the file will hold it
        assert ws[cell].fill.fgColor.rgb.endswith(MARK_FILLS["edited"])
    done = export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    assert file_value(done.path, preset, record, field) == written


REFUSED = [
    ("generic-csv", "Line", "InvoiceDate", "13/45/24", "'13/45/24' is not a date in the form YYYY-MM-DD."),
    ("generic-csv", "Line", "InvoiceDate", "Dec 1", "'Dec 1' is not a date in the form YYYY-MM-DD."),
    ("generic-csv", "Line", "InvoiceDate", "YMD 1/12/2026", "'1/12/2026' is not a date in the form YYYY-MM-DD."),
    ("quickbooks-iif", "TRNS", "DATE", "13/45/24", "'13/45/24' is not a date in the form MM/DD/YY."),
    ("generic-csv", "Line", "UnitPrice", "two", "'two' is not a number"),
    ("generic-csv", "Line", "Subtotal", "1.234", "'1.234' is not a number in the form 1234.56"),  # never rounded
    ("generic-csv", "Line", "Taxable", "maybe", "'maybe' is not true or false."),
]


@pytest.mark.parametrize(("preset", "record", "field", "typed", "said"), REFUSED)
def test_an_entry_without_one_reading_is_refused_naming_its_cell(tmp_path: Path, preset: str, record: str,
                                                                 field: str, typed: str, said: str) -> None:
    order, value = _order_and_value(typed)
    path = new_book(tmp_path, preset, order)
    preview(FileWorkbook.open(path), today=EXPORT_DATE)
    cell = export_cell(path, preset, record, field)
    type_into(path, "Export", [(cell, value)])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ValidationFailed) as refused:
        export(FileWorkbook.open(path), out=out, book_folder=tmp_path, now=NOW)
    (line,) = refused.value.problems
    assert line.startswith(f"Export!{cell}: ") and said in line, line
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(("preset", "record", "field", "typed", "said"), REFUSED[:1] + REFUSED[4:5])
def test_an_error_wins_over_a_correction_red_with_both_facts_in_its_note(tmp_path: Path, preset: str, record: str,
                                                                         field: str, typed: str, said: str) -> None:
    path = new_book(tmp_path, preset, "MDY")
    preview(FileWorkbook.open(path), today=EXPORT_DATE)
    cell = export_cell(path, preset, record, field)
    computed = openpyxl.load_workbook(path)["Export"][cell].value
    type_into(path, "Export", [(cell, typed)])
    shown = preview(FileWorkbook.open(path), today=EXPORT_DATE)
    (error,) = [p for p in shown.problems if p.severity == "error"]
    assert f"your correction {said}" in str(error)
    ws = openpyxl.load_workbook(path)["Export"]
    assert ws[cell].fill.fgColor.rgb.endswith(MARK_FILLS["error"])  # red, not the correction's blue
    note = ws[cell].comment.text
    assert f"your correction {said}" in note and f"Preview computed '{computed}'" in note


INVOICES_FORMS = [
    ([("Transaction date", 0, "3/16/2024")], "MDY", "InvoiceDate", "2024-03-16"),
    ([("Transaction date", 0, "16/3/2024")], "DMY", "InvoiceDate", "2024-03-16"),
    ([("Transaction date", 0, datetime(2024, 3, 16))], "MDY", "InvoiceDate", "2024-03-16"),
    ([("Transaction date", 0, "2024-03-16")], "DMY", "InvoiceDate", "2024-03-16"),
    ([("Unit price", 0, "$450.00")], "MDY", "UnitPrice", "450.00"),
    ([("Unit price", 0, 450.0)], "MDY", "UnitPrice", "450.00"),
    ([("Line total", 0, "$1,450.00"), ("Invoice total", 0, "$1,556.50"), ("Invoice total", 1, "1,556.50")],
     "MDY", "Amount", "1450.00"),
    ([("Line total", 0, "(450.00)"), ("Line total", 1, "(106.50)"), ("Invoice total", 0, "(556.50)"),
      ("Invoice total", 1, -556.5)], "MDY", "Total", "-556.50"),
]


def invoices_cell(header: str, line: int) -> str:
    """The *Invoices* cell of ``header`` on the first invoice's ``line`` (0 = its first row)."""
    return f"{openpyxl.utils.get_column_letter(HEADERS.index(header) + 1)}{2 + line}"


@pytest.mark.parametrize(("entries", "order", "field", "written"), INVOICES_FORMS)
def test_an_invoices_entry_reaches_the_file_in_its_fields_form(tmp_path: Path, entries: list[tuple[str, int, Any]],
                                                               order: str, field: str, written: str) -> None:
    path = new_book(tmp_path, "generic-csv", order)
    type_into(path, "Invoices", [(invoices_cell(header, line), value) for header, line, value in entries])
    shown = preview(FileWorkbook.open(path), today=EXPORT_DATE)
    assert shown.errors == 0, [str(p) for p in shown.problems]
    done = export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    assert file_value(done.path, "generic-csv", "Line", field) == written


@pytest.mark.parametrize(("header", "typed", "said"), [
    ("Quantity", "two", "'two' is not a number."),
    ("Transaction date", "13/45/2026", "'13/45/2026' is not a date."),
    ("Line total", "1,23", "'1,23' is not a number."),
])
def test_an_invoices_entry_without_one_reading_is_refused_naming_its_cell(tmp_path: Path, header: str, typed: str,
                                                                          said: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = new_book(tmp_path, "generic-csv", "MDY")
    cell = invoices_cell(header, 0)
    type_into(path, "Invoices", [(cell, typed)])
    with pytest.raises(WorkbookError) as refused:
        preview(FileWorkbook.open(path), today=EXPORT_DATE)
    assert str(refused.value) == f"Invoices!{cell}: {said}"
    capsys.readouterr()
    assert main(["preview", str(path)]) == 4
    assert capsys.readouterr().err.splitlines()[-1] == f"stac-xl: Invoices!{cell}: {said}"


def _replace_on(path: Path, sheet: str, old: Any, new: Any) -> None:
    """Type ``new`` over every cell of ``sheet`` holding ``old``."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    found = [c for row in ws.iter_rows() for c in row if c.value == old]
    assert found, f"{old!r} is not on {sheet}"
    for c in found:
        c.value = new
    book.save(path)


@pytest.mark.parametrize(("field", "sheet", "old", "new", "origin"), [
    ("CustomerId", "Lookups", "ACME01", "ACME02", "Lookups"),
    ("CustomerName", "Invoices", "Acme Property Mgmt", "Acme Property Management", "ServiceTrade (the Invoices sheet)"),
])
def test_a_kept_correction_whose_value_changed_says_where_from_until_the_clerk_takes_it(
        tmp_path: Path, field: str, sheet: str, old: str, new: str, origin: str) -> None:
    path = new_book(tmp_path, "generic-csv", "MDY")
    preview(FileWorkbook.open(path), today=EXPORT_DATE)
    cell = export_cell(path, "generic-csv", "Line", field)
    type_into(path, "Export", [(cell, "MINE")])
    assert preview(FileWorkbook.open(path), today=EXPORT_DATE).problems == []
    _replace_on(path, sheet, old, new)
    said = (f"Invoice 10041, Line {field}: {origin} changed the value here to '{new}' (it was '{old}' when you "
            f"corrected it); your correction 'MINE' is kept: type '{new}' to take the new value.")
    for _ in range(2):  # told on every Preview until the clerk resolves it
        shown = preview(FileWorkbook.open(path), today=EXPORT_DATE)
        assert [str(p) for p in shown.problems] == [said] and shown.corrections == 1
        ws = openpyxl.load_workbook(path)["Export"]
        assert ws[cell].value == "MINE" and ws[cell].fill.fgColor.rgb.endswith(MARK_FILLS["warning"])
    type_into(path, "Export", [(cell, new)])  # the clerk takes the new value
    resolved = preview(FileWorkbook.open(path), today=EXPORT_DATE)
    assert resolved.problems == [] and resolved.corrections == 0


def thousand_missing_lookups(path: Path) -> Path:
    """A generic-csv workbook of 1,000 one-line invoices whose item codes are not on Lookups."""
    from invoice_fixtures import ACME, LineItem, invoice_rows

    from stac_xl.book.table import Table
    from stac_xl.presets import load_preset

    rows = []
    for n in range(1000):
        line = LineItem(f"9{n:05}", f"CODE{n}", "Part", "Sprinkler", "Sprinkler head", "1", "10.00")
        rows += invoice_rows(invoice_id=f"7{n:05}", number=f"2{n:04}", customer=ACME, issued=EXPORT_DATE,
                             due=EXPORT_DATE, job_id=None, job_number=None, lines=[line])
    book = FileWorkbook.create(path)
    load_preset(book, "generic-csv")
    book.write_table("Invoices", Table(list(DEFAULT_COLUMNS), [[r.get(c.name) for c in DEFAULT_COLUMNS] for r in rows]))
    book.save()
    return path


def test_a_thousand_missing_lookups_are_at_most_twenty_lines_and_the_totals_in_the_cli(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = thousand_missing_lookups(tmp_path / "ar.xlsx")
    capsys.readouterr()
    assert main(["preview", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Preview: 1,000 records for 1,000 invoices (1,000 lines)")
    assert "1,000 errors, 0 warnings" in out[0]
    problems = out[1:]
    assert 1 <= len(problems) <= 20
    assert problems[0].startswith("  error: 1,000 values are not in lookup table 'Accounts' on Lookups: 'CODE0', "
                                  "'CODE1', 'CODE2', … (1,000 cells: Export!R2, Export!R3, Export!R4, …)")
    assert main(["export", str(path), "--out", str(tmp_path)]) == 6
    err = capsys.readouterr().err.splitlines()
    refusal = [line for line in err if line.startswith(("stac-xl:", "  "))]
    assert refusal[0].startswith("stac-xl: Export refused: 1,000 errors, 0 warnings on the Export sheet")
    assert 2 <= len(refusal) <= 21 and refusal[1].startswith("  1,000 values are not in lookup table 'Accounts'")


def test_preview_and_export_say_each_step_on_stderr_in_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = new_book(tmp_path, "generic-csv", "MDY")
    capsys.readouterr()
    assert main(["preview", str(path)]) == 0
    steps = [line.split("…")[0] for line in capsys.readouterr().err.splitlines()]
    assert steps == ["Preview: reading Settings, Mapping, Lookups and Invoices", "Preview: mapping 4 Invoices rows",
                     "Preview: checking 4 records", "Writing 4 records to the Export sheet",
                     "Preview: saving the workbook",
                     "Preview: 4 records for 2 invoices (4 lines), gross 919.00; 0 errors, 0 warnings, 0 corrections "
                     "of yours kept."]
    assert main(["export", str(path), "--out", str(tmp_path)]) == 0
    steps = [line.split("…")[0] for line in capsys.readouterr().err.splitlines()]
    assert steps[:3] == ["Export: reading the Export sheet", "Export: checking 4 records",
                         "Export: writing 4 records as a Delimited text (CSV, TAB, ; or |) file"]
    assert steps[3].startswith("Export: generic-csv-") and "recording batch 1 on Log and saving the workbook" in steps[3]
