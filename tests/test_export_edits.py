"""The Export sheet, as a clerk may leave it, never becomes a corrupt or inconsistent file.

Every awkward edit of issue 12 (point 9), made with openpyxl as Excel stores it, on every
shipped profile: the word ``two`` in a quantity cell, a formula, a ``#VALUE!`` cell, a line
amount changed so the invoice no longer adds up, a line row deleted, a row copied. Each is
refused naming its Export cell, and no file is written. Profiles without a quantity field
(Sage 300 CRE's D rows, ComputerEase's L rows) get ``two`` in their line amount instead:
the nearest number a clerk would type a word into.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from invoice_fixtures import EXPORT_DATE
from test_preview_export import NOW, make_book

from stac_xl.actions.export import export
from stac_xl.actions.preview import preview
from stac_xl.book.export_sheet import FIRST_FIELD_COLUMN, RECORD_NO
from stac_xl.book.file import FileWorkbook
from stac_xl.errors import ValidationFailed
from stac_xl.invoices.columns import DEFAULT_COLUMNS
from stac_xl.mapping import compile_mapping
from stac_xl.mapping.compile import MappedField
from stac_xl.mapping.field_types import AmountRole, FieldKind
from stac_xl.presets import get_preset, preset_names
from stac_xl.records import Grain, RecordSpec

FIRST_DESCRIPTION = "Quarterly fire sprinkler inspection"
CELL = re.compile(r"^Export![A-Z]+\d+: ")


def line_spec(preset: str) -> RecordSpec:
    """The profile's first record type written once per invoice line."""
    preset_data = get_preset(preset)
    specs = compile_mapping(preset_data.mapping, preset_data.lookups,
                            invoice_columns=[c.name for c in DEFAULT_COLUMNS]).specs
    return next(s for s in specs if s.grain is Grain.LINE)


def field_at(spec: RecordSpec, *roles: AmountRole) -> int:
    """The position of the first field of ``spec`` carrying one of ``roles`` (in that order)."""
    for role in roles:
        for position, field in enumerate(spec.fields):
            amount = getattr(field, "amount", None)
            if amount is not None and amount.role is role:
                return position
    raise AssertionError(f"{spec.name} has no field carrying {roles}")


def letter(column: int) -> str:
    return openpyxl.utils.get_column_letter(column)


class Sheet:
    """The Export sheet as openpyxl opens it: find a line record's row, a field's cell."""

    def __init__(self, path: Path, spec: RecordSpec):
        self.path, self.spec = path, spec
        self.book = openpyxl.load_workbook(path)
        self.ws = self.book["Export"]
        self.row = next(r for r in range(2, self.ws.max_row + 1) if self.ws.cell(r, 1).value == spec.name)

    def cell(self, position: int) -> str:
        return f"{letter(FIRST_FIELD_COLUMN + position)}{self.row}"

    def description_cell(self) -> str:
        for column in range(FIRST_FIELD_COLUMN, FIRST_FIELD_COLUMN + len(self.spec.fields)):
            if str(self.ws.cell(self.row, column).value or "").startswith(FIRST_DESCRIPTION):
                return f"{letter(column)}{self.row}"
        raise AssertionError(f"no description cell on row {self.row}")

    def last_column(self) -> int:
        headers = [c.value for c in self.ws[1]]
        return headers.index(RECORD_NO) + 1

    def save(self) -> None:
        self.book.save(self.path)


def type_two_in_a_quantity(sheet: Sheet) -> str:
    cell = sheet.cell(field_at(sheet.spec, AmountRole.QUANTITY, AmountRole.LINE))
    sheet.ws[cell] = "two"
    return cell


def type_a_formula(sheet: Sheet) -> str:
    cell = sheet.description_cell()
    sheet.ws[cell] = "=A1*2"  # openpyxl stores it as a formula no Excel has calculated
    return cell


def type_an_excel_error(sheet: Sheet) -> str:
    cell = sheet.description_cell()
    sheet.ws[cell] = "#VALUE!"  # stored as an error cell, as Excel shows a formula it could not work out
    return cell


def change_a_line_amount(sheet: Sheet) -> str:
    position = field_at(sheet.spec, AmountRole.LINE, AmountRole.UNIT_PRICE)
    cell = sheet.cell(position)
    now = Decimal(str(sheet.ws[cell].value))
    field = sheet.spec.fields[position]
    assert isinstance(field, MappedField) and field.amount is not None
    implied = field.amount.implied
    sheet.ws[cell] = str(now + (Decimal(10) ** (implied or 0)))  # one unit more, in the field's own form
    return ""  # the invoice's balance names the cell it is told on


def delete_a_line_row(sheet: Sheet) -> str:
    sheet.ws.delete_rows(sheet.row)
    return f"A{sheet.row}"


def copy_a_line_row(sheet: Sheet) -> str:
    target = sheet.ws.max_row + 1
    for column in range(1, sheet.last_column() + 1):
        sheet.ws.cell(target, column).value = sheet.ws.cell(sheet.row, column).value
    return f"A{target}"


EDITS: list[Callable[[Sheet], str]] = [type_two_in_a_quantity, type_a_formula, type_an_excel_error,
                                       change_a_line_amount, delete_a_line_row, copy_a_line_row]


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__ for e in EDITS])
@pytest.mark.parametrize("preset", preset_names())
def test_an_awkward_edit_is_refused_naming_its_cell_and_no_file_is_written(tmp_path: Path, preset: str,
                                                                           edit: Callable[[Sheet], str]) -> None:
    path, out = tmp_path / "ar.xlsx", tmp_path / "out"
    out.mkdir()
    assert preview(make_book(path, preset), today=EXPORT_DATE).errors == 0
    sheet = Sheet(path, line_spec(preset))
    cell = edit(sheet)
    sheet.save()
    with pytest.raises(ValidationFailed) as refused:
        export(FileWorkbook.open(path), out=out, book_folder=tmp_path, now=NOW)
    lines = refused.value.problems
    assert lines and all(CELL.match(line) for line in lines if not line.startswith("…")), lines
    if cell:
        assert any(line.startswith(f"Export!{cell}: ") for line in lines), lines
    else:  # the invoice no longer adds up (or, where the target multiplies lines out, the line does not)
        assert any(said in line for line in lines for said in ("does not add up", "does not balance", "comes to")), lines
    if edit in (type_two_in_a_quantity, type_a_formula, type_an_excel_error, copy_a_line_row):
        assert len(lines) == 1, lines  # one problem, told once (not also "not an amount")
    assert "Traceback" not in str(refused.value) and str(refused.value).startswith("Export refused: ")
    assert list(out.iterdir()) == []


def test_the_word_two_is_an_error_on_a_number_field_without_a_number_transform(tmp_path: Path) -> None:
    """Xero's Quantity is the Invoices column as it is: its type comes from the column."""
    spec = line_spec("xero-csv")
    quantity = field_at(spec, AmountRole.QUANTITY)
    assert spec.fields[quantity].kind is FieldKind.NUMBER  # type: ignore[attr-defined]
    path = tmp_path / "ar.xlsx"
    preview(make_book(path, "xero-csv"), today=EXPORT_DATE)
    sheet = Sheet(path, spec)
    cell = sheet.cell(quantity)
    sheet.ws[cell] = "two"
    sheet.save()
    again = preview(FileWorkbook.open(path), today=EXPORT_DATE)  # the correction is kept, and refused
    (problem,) = [p for p in again.problems if p.severity == "error"]
    assert str(problem).endswith("your correction 'two' is not a number (digits with an optional minus and "
                                 "decimal point, e.g. -1234.5).")


def test_a_description_starting_with_an_equals_sign_from_servicetrade_is_exported_as_text(tmp_path: Path) -> None:
    """Only a cell the clerk changed into a formula is refused: Preview's own text starting
    with = (a ServiceTrade description) goes into the file as it is."""
    path = tmp_path / "ar.xlsx"
    book = make_book(path, "generic-csv")
    grid = book.read_grid("Invoices")
    at = grid[0].index("Description")
    grid[1][at] = "=== URGENT: reinspect ==="
    book.write_grid("Invoices", [[grid[1][at]]], start_row=2, start_column=at + 1)
    book.save()
    assert preview(FileWorkbook.open(path), today=EXPORT_DATE).errors == 0
    done = export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    assert "=== URGENT: reinspect ===" in done.path.read_text(encoding="utf-8")


def one_line_book(path: Path, preset: str) -> Path:
    """A workbook whose one invoice has one line: 3 × 33.335, which ServiceTrade rounds to
    100.01 (100.005, half-up) while 3 × the price written to cents, 33.34, is 100.02."""
    from invoice_fixtures import ACME_ROWS

    from stac_xl.book.table import Table
    from stac_xl.presets import load_preset

    row = dict(ACME_ROWS[0]) | {"Quantity": Decimal(3), "Unit price": Decimal("33.335"), "Line total": Decimal("100.01"),
                                 "Subtotal": Decimal("100.01"), "Invoice total": Decimal("100.01")}
    book = FileWorkbook.create(path)
    load_preset(book, preset)
    book.write_table("Invoices", Table(list(DEFAULT_COLUMNS), [[row.get(c.name) for c in DEFAULT_COLUMNS]]))
    book.save()
    return path


@pytest.mark.parametrize("preset", ["xero-csv", "sage50-csv"])
def test_a_line_the_target_would_multiply_to_another_amount_is_flagged(tmp_path: Path, preset: str) -> None:
    path = one_line_book(tmp_path / "ar.xlsx", preset)
    shown = preview(FileWorkbook.open(path), today=EXPORT_DATE)
    spec = line_spec(preset)
    price = Sheet(path, spec).cell(field_at(spec, AmountRole.UNIT_PRICE))
    (error,) = [p for p in shown.problems if p.severity == "error"]
    assert str(error).endswith("3 × 33.34 comes to 100.02 in the accounting system, which works each line out "
                               "again, but the line's amount is 100.01; set Quantity times price to 'quantity 1' on "
                               "Settings to send such lines as 1 × 100.01, or correct the quantity or the price.")
    with pytest.raises(ValidationFailed) as refused:
        export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    assert refused.value.problems[0].startswith(f"Export!{price}: ")


@pytest.mark.parametrize(("preset", "quantity", "price"), [("xero-csv", "1", "100.01"), ("sage50-csv", "1.00", "100.01")])
def test_quantity_1_sends_such_a_line_at_its_amount(tmp_path: Path, preset: str, quantity: str, price: str) -> None:
    import csv
    import io

    from test_clerk_forms_e2e import set_setting

    path = one_line_book(tmp_path / "ar.xlsx", preset)
    set_setting(path, "Quantity times price", "quantity 1")
    shown = preview(FileWorkbook.open(path), today=EXPORT_DATE)
    assert shown.errors == 0, [str(p) for p in shown.problems]
    (warning,) = [str(p) for p in shown.problems if p.severity == "warning"]
    assert warning.endswith("sent as 1 × 100.01: 3 × 33.34 would come to 100.02 in the accounting system, not the "
                            "line's 100.01.")
    assert shown.corrections == 0  # Preview's own rewrite, not a correction of the clerk's
    done = export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    encoding = "utf-8" if preset == "xero-csv" else "cp1252"
    (line,) = list(csv.DictReader(io.StringIO(done.path.read_text(encoding=encoding))))
    names = line_spec(preset).field_names
    quantity_name, price_name = (names[field_at(line_spec(preset), role)]
                                 for role in (AmountRole.QUANTITY, AmountRole.UNIT_PRICE))
    assert (line[quantity_name], line[price_name]) == (quantity, price)


def test_a_row_added_by_hand_with_a_record_no_of_its_own_is_refused(tmp_path: Path) -> None:
    path, out = tmp_path / "ar.xlsx", tmp_path / "out"
    out.mkdir()
    preview(make_book(path, "generic-csv"), today=EXPORT_DATE)
    sheet = Sheet(path, line_spec("generic-csv"))
    target = copy_a_line_row(sheet)
    sheet.ws.cell(int(target[1:]), sheet.last_column()).value = 99  # a Record no no Preview gave
    sheet.save()
    with pytest.raises(ValidationFailed) as refused:
        export(FileWorkbook.open(path), out=out, book_folder=tmp_path, now=NOW)
    assert refused.value.problems[0] == (f"Export!{target}: this row's hidden Record no (99) is not one Preview made: "
                                         "the row was added by hand, and the file would hold it; delete it or click "
                                         "Preview again.")
    assert "does not add up" in refused.value.problems[1]  # and the line it adds would unbalance its invoice
    assert list(out.iterdir()) == []
