"""Preview and Export on a real workbook file: the golden files come out, hand corrections
survive and reach the file, and a correction that breaks a rule blocks the export."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from invoice_fixtures import EXPORT_DATE, SHARED_ROWS
from python_calamine import CalamineWorkbook

from stac_xl.actions.export import export
from stac_xl.actions.preview import EXPORT_BASE, preview
from stac_xl.book.file import FileWorkbook
from stac_xl.book.table import Table
from stac_xl.cli import main
from stac_xl.errors import ExportError, ValidationFailed
from stac_xl.invoices.columns import DEFAULT_COLUMNS
from stac_xl.presets import load_preset

GOLDEN = Path(__file__).parent / "golden"
NOW = datetime(2024, 3, 20, 17, 5, 0)
PROFILES = {
    "quickbooks-iif": GOLDEN / "quickbooks.iif",
    "sage300cre": GOLDEN / "sage300cre.txt",
    "xero-csv": GOLDEN / "xero.csv",
    "sage50-csv": GOLDEN / "sage50.csv",
    "generic-csv": GOLDEN / "profiles" / "generic-csv.csv",
}


def make_book(path: Path, preset: str) -> FileWorkbook:
    """A STAC workbook with ``preset`` loaded and the shared invoices on *Invoices*."""
    book = FileWorkbook.create(path)
    load_preset(book, preset)
    table = Table(list(DEFAULT_COLUMNS), [[row.get(c.name) for c in DEFAULT_COLUMNS] for row in SHARED_ROWS])
    book.write_table("Invoices", table)
    book.save()
    return FileWorkbook.open(path)


def export_sheet(path: Path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Export").to_python()


@pytest.mark.parametrize("preset", sorted(PROFILES))
def test_preview_then_export_writes_the_golden_file(tmp_path, preset):
    book = make_book(tmp_path / "ar.xlsx", preset)
    result = preview(book, today=EXPORT_DATE)
    assert result.errors == 0, [str(p) for p in result.problems]
    done = export(FileWorkbook.open(tmp_path / "ar.xlsx"), out=tmp_path, book_folder=tmp_path, now=NOW)
    assert done.path.read_bytes() == PROFILES[preset].read_bytes()
    assert done.invoices == 2 and done.lines == 4


def test_preview_shows_the_records_checks_and_hides_its_base(tmp_path):
    book = make_book(tmp_path / "ar.xlsx", "sage300cre")
    result = preview(book, today=EXPORT_DATE)
    assert (result.totals.invoices, result.totals.lines, str(result.totals.gross)) == (2, 4, "919.00")
    grid = export_sheet(tmp_path / "ar.xlsx")
    assert [row[0] for row in grid[1:] if row[0]] == ["I", "D", "D", "I", "D", "D"]
    assert grid[1][:4] == ["I", "I", "ACME01", "ST10041"]  # the Record column, then the fields
    checks_at = grid[0].index("Checks")
    assert [row[checks_at] for row in grid[1:6]] == ["Invoices", "Lines", "Net", "Tax", "Gross"]
    import openpyxl

    assert openpyxl.load_workbook(tmp_path / "ar.xlsx")[EXPORT_BASE].sheet_state == "hidden"


def edit_export_cell(path: Path, cell: str, value: str) -> None:
    """What the clerk does in Excel: type over one Export cell and save."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb["Export"][cell].value = value
    wb.save(path)


def test_a_hand_correction_survives_preview_and_reaches_the_file(tmp_path):
    path = tmp_path / "ar.xlsx"
    preview(make_book(path, "sage300cre"), today=EXPORT_DATE)
    edit_export_cell(path, "H3", "Quarterly sprinkler inspection (corrected)")
    again = preview(FileWorkbook.open(path), today=EXPORT_DATE)
    assert again.corrections == 1
    assert export_sheet(path)[2][7] == "Quarterly sprinkler inspection (corrected)"
    done = export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    assert '"Quarterly sprinkler inspection (corrected)"' in done.path.read_text(encoding="cp1252")


def test_a_correction_that_breaks_a_rule_blocks_the_export_naming_the_cell(tmp_path):
    path = tmp_path / "ar.xlsx"
    preview(make_book(path, "quickbooks-iif"), today=EXPORT_DATE)
    edit_export_cell(path, "H3", "-450.01")  # the first SPL's AMOUNT: the transaction no longer balances
    with pytest.raises(ValidationFailed) as err:
        export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    assert any(line.startswith("Export!H2: ") and "does not balance" in line for line in err.value.problems)
    assert not list(tmp_path.glob("*.iif"))


def test_export_never_overwrites_and_logs_the_batch(tmp_path):
    path = tmp_path / "ar.xlsx"
    preview(make_book(path, "generic-csv"), today=EXPORT_DATE)
    first = export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    before = first.path.read_bytes()
    with pytest.raises(ExportError) as err:
        export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    assert "already exists" in str(err.value)
    assert first.path.read_bytes() == before
    log = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Log").to_python()
    exports = [row for row in log if row[1] == "export"]
    assert len(exports) == 1 and exports[0][8] == first.sha256 and exports[0][3] == 2


def test_export_of_an_empty_export_sheet_says_preview_first(tmp_path):
    book = make_book(tmp_path / "ar.xlsx", "generic-csv")
    with pytest.raises(ExportError) as err:
        export(book, out=tmp_path, book_folder=tmp_path, now=NOW)
    assert str(err.value) == "The Export sheet is empty; click Preview first."


def test_cli_preview_and_export(tmp_path, capsys):
    make_book(tmp_path / "ar.xlsx", "xero-csv")
    assert main(["preview", str(tmp_path / "ar.xlsx")]) == 0
    assert main(["export", str(tmp_path / "ar.xlsx"), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    written = Path(out.strip().splitlines()[-1])
    assert written.suffix == ".csv" and written.parent == tmp_path
    assert written.read_text(encoding="utf-8").startswith("*ContactName,EmailAddress,")


@pytest.mark.parametrize(
    "cell, value, message",
    [
        ("C9", "Custmer id", "Mapping!C9: "),
        ("D9", "uper", "Mapping!D9: unknown transform 'uper'"),
        ("D9", "lookup(NoSuchTable)", "Mapping!D9: "),
        ("D9", "date(QQ/ZZ)", "Mapping!D9: "),
    ],
    ids=["unknown-column", "unknown-transform", "missing-lookup-table", "bad-date-pattern"],
)
def test_a_bad_rule_names_its_cell_and_no_file_is_written(tmp_path, capsys, cell, value, message):
    import openpyxl

    path = tmp_path / "ar.xlsx"
    preview(make_book(path, "generic-csv"), today=EXPORT_DATE)  # a good Export sheet exists
    wb = openpyxl.load_workbook(path)
    wb["Mapping"][cell].value = value
    wb.save(path)
    before = path.read_bytes()
    for command in (["preview", str(path)], ["export", str(path), "--out", str(tmp_path)]):
        capsys.readouterr()
        assert main(command) == 5
        err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("stac-xl:")]
        assert len(err) == 1 and err[0].startswith(f"stac-xl: {message}"), err
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ar.xlsx"]


# -- the ledger, the fingerprint and the file's own order and totals --------------------------

def ledger_batches() -> list:
    from stac_xl.actions.ledger import ledger_file, open_ledger

    ledger = open_ledger(ledger_file(""))
    try:
        return ledger.batches()
    finally:
        ledger.close()


def log_rows(path: Path, action: str = "export") -> list[list]:
    log = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Log").to_python()
    return [row for row in log[1:] if row[1] == action]


def test_the_same_invoices_are_never_exported_twice_unless_allowed(tmp_path):
    path = tmp_path / "ar.xlsx"
    preview(make_book(path, "generic-csv"), today=EXPORT_DATE)
    first = export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    # the same Export sheet a minute later (another file name): the ledger refuses
    with pytest.raises(ExportError) as err:
        export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW.replace(minute=6))
    assert str(err.value) == (
        f"Export refused: 2 invoices on the Export sheet are already exported (10041, 10042), 10041 in batch "
        f"{first.batch_id} (exported {NOW:%Y-%m-%d %H:%M} by {ledger_batches()[0].user}); click Preview to leave "
        "them out, or set Allow re-export to yes to export them again.")
    # a new Preview leaves them out and says why; Export then has nothing to write
    again = preview(FileWorkbook.open(path), today=EXPORT_DATE)
    assert (again.records, again.left_out) == ([], 2)
    assert any(f"left out: already in batch {first.batch_id}" in str(p) for p in again.problems)
    grid = export_sheet(path)
    checks_at = grid[0].index("Checks")
    assert ["Left out", 2] in [row[checks_at:checks_at + 2] for row in grid]
    with pytest.raises(ExportError, match=r"^Nothing to export: the last Preview left every invoice out"):
        export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW.replace(minute=7))
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == [first.path.name]
    assert [b.id for b in ledger_batches()] == [first.batch_id]


def test_re_export_needs_the_override_and_the_batch_records_it(tmp_path):
    path = tmp_path / "ar.xlsx"
    preview(make_book(path, "generic-csv"), today=EXPORT_DATE)
    first = export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    shown = preview(FileWorkbook.open(path), today=EXPORT_DATE, reexport=True)
    assert shown.left_out == 0 and shown.totals.invoices == 2
    assert any("exported again because Allow re-export is yes" in str(p) for p in shown.problems)
    again = export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW.replace(minute=6),
                   reexport=True)
    assert again.reexport and again.path.read_bytes() == first.path.read_bytes()
    assert [b.reexport for b in ledger_batches()] == [False, True]
    assert "re-exports invoices that were exported before" in log_rows(path)[-1][9]


def test_an_invoice_changed_after_its_export_says_what_changed(tmp_path):
    import openpyxl

    path = tmp_path / "ar.xlsx"
    preview(make_book(path, "generic-csv"), today=EXPORT_DATE)
    export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    wb = openpyxl.load_workbook(path)
    sheet = wb["Invoices"]
    column = [c.value for c in sheet[1]].index("Customer PO") + 1
    sheet.cell(row=2, column=column).value = "PO-7781-B"
    wb.save(path)
    shown = preview(FileWorkbook.open(path), today=EXPORT_DATE)
    (changed,) = [str(p) for p in shown.problems if "changed in ServiceTrade" in str(p)]
    assert changed.startswith("Invoice 10041: left out: already in batch 1")
    assert "It changed in ServiceTrade after that export: Customer PO " in changed and "→ 'PO-7781-B'" in changed


def test_export_refuses_a_sheet_the_invoices_no_longer_match(tmp_path):
    import openpyxl

    path = tmp_path / "ar.xlsx"
    preview(make_book(path, "generic-csv"), today=EXPORT_DATE)
    wb = openpyxl.load_workbook(path)
    wb["Invoices"]["B2"].value = "ST99999"  # what a Fetch of another day does to the sheet
    wb.save(path)
    with pytest.raises(ExportError) as err:
        export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    assert str(err.value) == "Invoices changed since the last Preview: click Preview, check, then Export."
    assert not list(tmp_path.glob("*.csv")) and ledger_batches() == []


def test_a_sorted_export_sheet_writes_the_same_bytes(tmp_path):
    import openpyxl

    path = tmp_path / "ar.xlsx"
    preview(make_book(path, "quickbooks-iif"), today=EXPORT_DATE)
    wb = openpyxl.load_workbook(path)
    sheet = wb["Export"]
    width = [c.value for c in sheet[1]].index("Record no") + 1
    rows = [[c.value for c in row[:width]] for row in sheet.iter_rows(min_row=2, max_row=sheet.max_row)
            if row[0].value]
    rows.sort(key=lambda r: str(r[0]))  # the Record filter button: ENDTRNS, SPL, TRNS
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            sheet.cell(row=r, column=c).value = value
    wb.save(path)
    assert [row[0] for row in export_sheet(path)[1:4]] == ["ENDTRNS", "ENDTRNS", "SPL"]
    done = export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    assert done.path.read_bytes() == PROFILES["quickbooks-iif"].read_bytes()


def test_log_and_ledger_totals_are_those_of_the_records_written(tmp_path):
    import csv

    path = tmp_path / "ar.xlsx"
    preview(make_book(path, "sage300cre"), today=EXPORT_DATE)
    edit_export_cell(path, "I2", "600.00")  # the I record's Amount: the clerk corrects the invoice
    edit_export_cell(path, "G3", "493.50")  # and its first distribution, so it still balances
    done = export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    with open(done.path, encoding="cp1252", newline="") as f:
        written = list(csv.reader(f))
    gross = sum(Decimal(r[7]) for r in written if r[0] == "I")
    net = sum(Decimal(r[5]) for r in written if r[0] == "D")
    assert (gross, net) == (Decimal("962.50"), Decimal("962.50"))  # Invoices still say 919.00
    (row,) = log_rows(path)
    assert [Decimal(str(v)) for v in row[5:8]] == [net, Decimal(0), gross] and row[3] == 2
    (batch,) = ledger_batches()
    assert (batch.money.net, batch.money.tax, batch.money.gross, batch.invoices) == (net, Decimal("0.00"), gross, 2)
    assert "net 962.50, tax 0.00, gross 962.50" in done.summary() and done.sha256 not in done.summary()
