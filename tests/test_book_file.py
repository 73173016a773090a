"""FileWorkbook: real .xlsx/.xlsm files, read back with python-calamine (an independent
reader) or with openpyxl for presentation (freeze, filter, widths, fills)."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings
from python_calamine import CalamineWorkbook

from stac_xl.book.cells import as_text, clean_text, column_width, convert
from stac_xl.book.file import FileWorkbook
from stac_xl.book.layout import SHEET_ORDER, new_workbook_grids
from stac_xl.book.port import CellMark, WorkbookPort
from stac_xl.book.table import Column, ColumnKind, Table
from stac_xl.errors import WorkbookError

K = ColumnKind
NEW_HINT = "Create one with: stac-xl new BOOK.xlsx"


def calamine_grid(path: Path, sheet: str) -> list[list[Any]]:
    """A sheet as calamine reads it, with empty cells as None and trailing empties trimmed."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    grid = [[None if v == "" else v for v in row] for row in rows]
    for row in grid:
        while row and row[-1] is None:
            row.pop()
    while grid and not grid[-1]:
        grid.pop()
    return grid


def sheet_xml(path: Path, sheet: str) -> str:
    """The worksheet part of ``sheet``, found through the workbook's relationships."""
    book = openpyxl.load_workbook(path)
    index = book.sheetnames.index(sheet) + 1
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{index}.xml").decode()


def blank_none(grid: list[list[Any]]) -> list[list[Any]]:
    return [[None if v == "" else v for v in row] for row in grid]


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    path = tmp_path / "Book.xlsx"
    FileWorkbook.create(path)
    return path


INVOICES = Table(
    [
        Column("Invoice id", K.TEXT),
        Column("Date", K.DATE),
        Column("Created", K.DATETIME),
        Column("Total", K.MONEY),
        Column("Qty", K.NUMBER),
        Column("Line", K.INTEGER),
        Column("Taxable", K.BOOL),
        Column("Description"),
        Column("Line id", K.TEXT),
    ],
    [
        ["000451", date(2024, 3, 15), datetime(2024, 3, 15, 10, 30), Decimal("556.50"), Decimal("1.5"), 1, True, "=SUM(A1:A9)", "900001"],
        ["000452", date(2024, 3, 16), datetime(2024, 3, 16, 8, 0, tzinfo=UTC), Decimal("-12.25"), 2, 2, False, "+44 20 7946", "900002"],
        ["000453", None, None, Decimal("0.00"), None, 3, None, "-5 credit", "900003"],
        ["000454", date(2024, 3, 17), datetime(2024, 3, 17, 9, 15), Decimal("1234567.89"), 3, 4, True, "@user #N/A", "900004"],
    ],
)


# --- create / open ---------------------------------------------------------------------

def test_create_lays_out_every_sheet(book_path: Path) -> None:
    assert CalamineWorkbook.from_path(str(book_path)).sheet_names == list(SHEET_ORDER)
    for sheet, grid in new_workbook_grids().items():
        assert calamine_grid(book_path, sheet) == blank_none(grid), sheet


def test_create_styles_headers_and_freezes(book_path: Path) -> None:
    book = openpyxl.load_workbook(book_path)
    settings = book["Settings"]
    assert settings["A1"].font.bold and settings["A1"].fill.fgColor.rgb.endswith("D9E1F2")
    assert settings.freeze_panes == "A2" and book["Log"].freeze_panes == "A2"
    assert settings.column_dimensions["C"].width == 90
    mapping = book["Mapping"]
    assert mapping["A1"].font.bold and mapping["A4"].font.bold
    assert mapping["B5"].font.bold and mapping["B5"].fill.fill_type == "solid"
    assert book.active is not None and book.active.title == "Settings"


def test_open_reads_back_the_layout(book_path: Path) -> None:
    workbook: WorkbookPort = FileWorkbook.open(book_path)  # type-checked conformance
    port_methods = [n for n in vars(WorkbookPort) if not n.startswith("_")]
    assert port_methods and all(callable(getattr(workbook, n)) for n in port_methods)
    assert workbook.sheet_names() == list(SHEET_ORDER)
    for sheet, grid in new_workbook_grids().items():
        assert workbook.read_grid(sheet) == blank_none(grid), sheet


def test_create_refuses_to_overwrite(book_path: Path) -> None:
    before = book_path.read_bytes()
    with pytest.raises(WorkbookError) as err:
        FileWorkbook.create(book_path)
    assert str(err.value) == f"{book_path} already exists; choose another name or allow overwriting it."
    assert book_path.read_bytes() == before
    FileWorkbook.create(book_path, overwrite=True)
    assert calamine_grid(book_path, "Log") == new_workbook_grids()["Log"]


def test_create_wants_an_xlsx_in_an_existing_folder(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match=r"^A new STAC workbook must be an \.xlsx file, not Book\.xlsm\.$"):
        FileWorkbook.create(tmp_path / "Book.xlsm")
    with pytest.raises(WorkbookError) as err:
        FileWorkbook.create(tmp_path / "nope" / "Book.xlsx")
    assert str(err.value) == f"The folder {tmp_path / 'nope'} does not exist."


# --- errors on open --------------------------------------------------------------------

def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "Gone.xlsx"
    with pytest.raises(WorkbookError) as err:
        FileWorkbook.open(path)
    assert str(err.value) == f"The workbook {path} does not exist."


def test_folder_is_not_a_workbook(tmp_path: Path) -> None:
    folder = tmp_path / "Book.xlsx"
    folder.mkdir()
    with pytest.raises(WorkbookError) as err:
        FileWorkbook.open(folder)
    assert str(err.value) == f"{folder} is a folder, not an Excel workbook."


@pytest.mark.parametrize(
    "name, content",
    [
        ("Renamed.xlsx", b"Invoice,Total\n10041,556.50\n"),
        ("Data.csv", b"Invoice,Total\n"),
        ("Empty.xlsx", b""),
    ],
)
def test_not_an_excel_workbook(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(WorkbookError) as err:
        FileWorkbook.open(path)
    assert str(err.value) == f"{path} is not an Excel workbook (.xlsx or .xlsm)."


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "Archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(WorkbookError) as err:
        FileWorkbook.open(path)
    assert str(err.value) == f"{path} is not an Excel workbook (.xlsx or .xlsm)."


def test_old_xls_gets_its_own_advice(tmp_path: Path) -> None:
    path = tmp_path / "Old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(WorkbookError) as err:
        FileWorkbook.open(path)
    assert str(err.value) == f"{path} is an old Excel 97-2003 (.xls) file; open it in Excel and save it as .xlsx."


def _plain_workbook(path: Path, sheets: dict[str, str | None]) -> None:
    book = openpyxl.Workbook()
    book.remove(book.worksheets[0])
    for name, a1 in sheets.items():
        book.create_sheet(name)["A1"] = a1
    book.save(path)


@pytest.mark.parametrize(
    "sheets, problem",
    [
        ({"Sheet1": "x", "Mapping": None}, "no Settings sheet"),
        ({"Settings": "Name", "Mapping": None}, "Settings!A1 is not 'Setting'"),
        ({"Settings": "Setting"}, "no Mapping sheet"),
    ],
)
def test_not_a_stac_workbook(tmp_path: Path, sheets: dict[str, str | None], problem: str) -> None:
    path = tmp_path / "Other.xlsx"
    _plain_workbook(path, sheets)
    with pytest.raises(WorkbookError) as err:
        FileWorkbook.open(path)
    assert str(err.value) == f"{path} is not a STAC workbook ({problem}). {NEW_HINT}"


def test_open_in_excel(book_path: Path) -> None:
    (book_path.parent / "~$Book.xlsx").write_bytes(b"owner")
    with pytest.raises(WorkbookError) as err:
        FileWorkbook.open(book_path)
    assert str(err.value) == f"{book_path} is open in Excel (lock file ~$Book.xlsx). Close it there and try again."


def test_missing_sheet_is_named(book_path: Path) -> None:
    workbook = FileWorkbook.open(book_path)
    with pytest.raises(WorkbookError, match=r"^Book\.xlsx has no Summary sheet\.$"):
        workbook.read_grid("Summary")
    with pytest.raises(WorkbookError, match="no Summary sheet"):
        workbook.mark_cells("Summary", [CellMark(1, 1, "error")])


# --- read_grid -------------------------------------------------------------------------

def test_read_grid_trims_trailing_empty_rows_and_cells(book_path: Path) -> None:
    workbook = FileWorkbook.open(book_path)
    workbook.write_grid("Invoices", [["a", None, "b", None, ""], [None], ["c"], [None, None], []])
    # A styled but empty cell far away must not stretch the grid.
    workbook.mark_cells("Invoices", [CellMark(40, 12, "warning")])
    assert workbook.read_grid("Invoices") == [["a", None, "b"], [], ["c"]]
    workbook.save()
    assert FileWorkbook.open(book_path).read_grid("Invoices") == [["a", None, "b"], [], ["c"]]


def test_read_grid_gives_formula_results_excel_stored(book_path: Path, tmp_path: Path) -> None:
    workbook = FileWorkbook.open(book_path)
    workbook.write_grid("Export", [["MARKER", 2]])
    workbook.save()
    # Rewrite A1 as Excel would save a formula: the formula plus its last computed value.
    patched = tmp_path / "Formula.xlsx"
    with zipfile.ZipFile(book_path) as src, zipfile.ZipFile(patched, "w") as dst:
        index = SHEET_ORDER.index("Export") + 1
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == f"xl/worksheets/sheet{index}.xml":
                text = data.decode()
                start = text.index('<c r="A1"')
                end = text.index("</c>", start) + len("</c>")
                data = (text[:start] + '<c r="A1"><f>B1*21</f><v>42</v></c>' + text[end:]).encode()
            dst.writestr(item, data)
    assert FileWorkbook.open(patched).read_grid("Export") == [[42, 2]]


# --- write_table -----------------------------------------------------------------------

def test_write_table_values_read_back_by_calamine(book_path: Path) -> None:
    workbook = FileWorkbook.open(book_path)
    workbook.write_table("Invoices", INVOICES)
    workbook.save()
    grid = calamine_grid(book_path, "Invoices")
    assert grid[0] == INVOICES.headers
    first, second, third, fourth = grid[1:]
    assert first[0] == "000451" and first[8] == "900001"
    assert first[1] == date(2024, 3, 15) and type(first[1]) is date
    assert first[2] == datetime(2024, 3, 15, 10, 30)
    assert first[3] == 556.5 and second[3] == -12.25 and fourth[3] == 1234567.89
    assert first[4] == 1.5 and first[5] == 1 and first[6] is True and second[6] is False
    assert first[7] == "=SUM(A1:A9)"
    assert second[2] == datetime(2024, 3, 16, 8, 0)  # the zone dropped, the wall clock kept
    assert second[7] == "+44 20 7946" and third[7] == "-5 credit" and fourth[7] == "@user #N/A"
    assert third[1] is None and third[3] == 0


def test_write_table_xml_has_numbers_and_no_formulas(book_path: Path) -> None:
    workbook = FileWorkbook.open(book_path)
    workbook.write_table("Invoices", INVOICES)
    workbook.save()
    xml = sheet_xml(book_path, "Invoices")
    assert "<f>" not in xml and "<f " not in xml
    assert "<v>556.5</v>" in xml and "<v>1234567.89</v>" in xml
    assert "<t>000451</t>" in xml


def test_write_table_presentation(book_path: Path) -> None:
    workbook = FileWorkbook.open(book_path)
    workbook.write_table("Invoices", INVOICES, hidden_columns=["Line id"])
    workbook.save()
    sheet = openpyxl.load_workbook(book_path)["Invoices"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:I5"
    assert sheet["A1"].font.bold and sheet["A1"].fill.fill_type == "solid"
    assert sheet.column_dimensions["I"].hidden and not sheet.column_dimensions["A"].hidden
    formats = [sheet.cell(row=2, column=c).number_format for c in range(1, 8)]
    assert formats == ["@", "yyyy-mm-dd", "yyyy-mm-dd hh:mm", "#,##0.00", "General", "0", "General"]
    assert sheet["H2"].data_type == "s" and sheet["H2"].quotePrefix
    assert sheet["H5"].data_type == "s"  # "@user #N/A" is neither formula nor error
    assert 6 <= sheet.column_dimensions["H"].width <= 60


def test_column_width_prefers_the_column_setting(book_path: Path) -> None:
    workbook = FileWorkbook.open(book_path)
    long_text = "x" * 500
    table = Table([Column("Notes"), Column("Fixed", width=33)], [[long_text, "y"]])
    workbook.write_table("Export", table)
    workbook.save()
    sheet = openpyxl.load_workbook(book_path)["Export"]
    assert sheet.column_dimensions["A"].width == 60
    assert sheet.column_dimensions["B"].width == 33


def test_second_write_table_replaces_the_sheet(book_path: Path) -> None:
    workbook = FileWorkbook.open(book_path)
    workbook.write_table("Invoices", INVOICES)
    workbook.mark_cells("Invoices", [CellMark(5, 1, "error", "old problem")])
    workbook.save()
    smaller = Table([Column("Invoice id", K.TEXT)], [["000999"]])
    workbook = FileWorkbook.open(book_path)
    workbook.write_table("Invoices", smaller)
    assert workbook.read_grid("Invoices") == [["Invoice id"], ["000999"]]
    workbook.save()
    assert calamine_grid(book_path, "Invoices") == [["Invoice id"], ["000999"]]
    assert CalamineWorkbook.from_path(str(book_path)).sheet_names == list(SHEET_ORDER)
    sheet = openpyxl.load_workbook(book_path)["Invoices"]
    assert sheet.auto_filter.ref == "A1:A2" and sheet["A5"].comment is None
    assert calamine_grid(book_path, "Settings") == blank_none(new_workbook_grids()["Settings"])


def test_control_characters_are_cleaned_so_the_save_works(book_path: Path) -> None:
    workbook = FileWorkbook.open(book_path)
    table = Table([Column("Description"), Column("Code", K.TEXT)], [["Pump\x0bmotor\x1f ok\x00", "A\x07B"]])
    workbook.write_table("Invoices", table)
    workbook.write_grid("Log", [["bell\x07"]], start_row=2)
    workbook.save()
    assert calamine_grid(book_path, "Invoices")[1] == ["Pump\nmotor ok", "AB"]
    assert calamine_grid(book_path, "Log")[1] == ["bell"]


def test_empty_table_and_wrong_row_length(book_path: Path) -> None:
    workbook = FileWorkbook.open(book_path)
    workbook.write_table("Export", Table([Column("Record")]))
    assert workbook.read_grid("Export") == [["Record"]]
    with pytest.raises(ValueError, match="table row 1 has 2 values for 1 columns"):
        workbook.write_table("Export", Table([Column("Record")], [["a", "b"]]))
    with pytest.raises(KeyError):
        workbook.write_table("Export", Table([Column("Record")]), hidden_columns=["Nope"])


def test_write_table_adds_a_missing_sheet_at_the_end(book_path: Path) -> None:
    workbook = FileWorkbook.open(book_path)
    workbook.write_table("Extra", Table([Column("A")], [["x"]]))
    assert workbook.sheet_names() == [*SHEET_ORDER, "Extra"]


# --- write_grid, marks, status ---------------------------------------------------------

def test_write_grid_appends_a_log_row(book_path: Path) -> None:
    workbook = FileWorkbook.open(book_path)
    row = [datetime(2024, 3, 15, 17, 5), "Export", "=cmd|' /C calc'!A0", 5, 12, Decimal("100.00"), Decimal("7.25"), Decimal("107.25"), "ab" * 32, None]
    workbook.write_grid("Log", [row], start_row=2)
    workbook.save()
    grid = calamine_grid(book_path, "Log")
    assert grid[0][0] == "Time" and len(grid) == 2
    assert grid[1][:9] == [datetime(2024, 3, 15, 17, 5), "Export", "=cmd|' /C calc'!A0", 5, 12, 100, 7.25, 107.25, "ab" * 32]
    assert "<f>" not in sheet_xml(book_path, "Log")


def test_mark_cells_colours_and_notes(book_path: Path) -> None:
    workbook = FileWorkbook.open(book_path)
    workbook.write_table("Export", Table([Column("A"), Column("B")], [["x", "y"], ["z", "w"]]))
    workbook.mark_cells("Export", [
        CellMark(2, 1, "error", "Required field is empty."),
        CellMark(2, 2, "warning", "Longer than 30 characters."),
        CellMark(3, 1, "edited"),
    ])
    with pytest.raises(ValueError, match="unknown mark kind"):
        workbook.mark_cells("Export", [CellMark(3, 2, "fatal")])
    workbook.save()
    sheet = openpyxl.load_workbook(book_path)["Export"]
    assert sheet["A2"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["B2"].fill.fgColor.rgb.endswith("FFEB9C")
    assert sheet["A3"].fill.fgColor.rgb.endswith("DDEBF7")
    assert sheet["A2"].comment.text == "Required field is empty."
    assert sheet["B2"].comment.text == "Longer than 30 characters."
    assert sheet["A3"].comment is None
    assert calamine_grid(book_path, "Export") == [["A", "B"], ["x", "y"], ["z", "w"]]


def test_status_goes_to_the_stream(book_path: Path) -> None:
    stream = io.StringIO()
    FileWorkbook.open(book_path, stream=stream).status("Fetching page 1 of 3")
    assert stream.getvalue() == "Fetching page 1 of 3\n"


# --- save ------------------------------------------------------------------------------

class ExplodingDecimal(Decimal):
    """A number whose conversion fails only when the workbook is being written."""

    def __float__(self) -> float:
        raise RuntimeError("boom while saving")


def test_failed_save_leaves_the_workbook_untouched(book_path: Path) -> None:
    before = book_path.read_bytes()
    workbook = FileWorkbook.open(book_path)
    workbook.write_grid("Invoices", [["kept?", ExplodingDecimal("1")]])
    with pytest.raises(RuntimeError, match="boom while saving"):
        workbook.save()
    assert book_path.read_bytes() == before
    assert sorted(p.name for p in book_path.parent.iterdir()) == ["Book.xlsx"]


def test_save_refused_when_excel_opened_the_book_meanwhile(book_path: Path) -> None:
    before = book_path.read_bytes()
    workbook = FileWorkbook.open(book_path)
    workbook.write_grid("Invoices", [["new"]])
    (book_path.parent / "~$Book.xlsx").write_bytes(b"owner")
    with pytest.raises(WorkbookError, match=r"is open in Excel \(lock file ~\$Book\.xlsx\)"):
        workbook.save()
    assert book_path.read_bytes() == before


def test_save_into_a_vanished_folder(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    folder.mkdir()
    workbook = FileWorkbook.create(folder / "Book.xlsx")
    shutil.rmtree(folder)
    with pytest.raises(WorkbookError) as err:
        workbook.save()
    assert str(err.value) == f"Cannot save {folder / 'Book.xlsx'}: the folder {folder} does not exist."


def test_save_keeps_file_permissions(book_path: Path) -> None:
    os.chmod(book_path, 0o640)
    workbook = FileWorkbook.open(book_path)
    workbook.write_grid("Invoices", [["x"]])
    workbook.save()
    assert book_path.stat().st_mode & 0o777 == 0o640
    assert calamine_grid(book_path, "Invoices") == [["x"]]


# --- .xlsm ------------------------------------------------------------------------------

def test_xlsm_keeps_its_vba_project(tmp_path: Path) -> None:
    source = Path(xlwings.__file__).parent / "quickstart.xlsm"
    with zipfile.ZipFile(source) as archive:
        vba = archive.read("xl/vbaProject.bin")
    path = tmp_path / "Macros.xlsm"
    shutil.copyfile(source, path)
    own_sheets = openpyxl.load_workbook(path).sheetnames
    adopted = FileWorkbook.adopt(path)
    adopted.save()
    workbook = FileWorkbook.open(path)
    assert workbook.sheet_names() == [*own_sheets, *SHEET_ORDER]
    workbook.write_table("Invoices", INVOICES)
    workbook.save()
    with zipfile.ZipFile(path) as archive:
        assert archive.read("xl/vbaProject.bin") == vba
        assert "macroEnabled" in archive.read("[Content_Types].xml").decode()
    assert calamine_grid(path, "Invoices")[1][0] == "000451"
    with pytest.raises(WorkbookError, match="already has a sheet called Settings"):
        FileWorkbook.adopt(path)


# --- cell conversion ----------------------------------------------------------------------

def test_cell_conversion_rules() -> None:
    assert clean_text("a\x0cb\x1bc\td\r\n") == "a\nbc\td\r\n"
    assert len(clean_text("x" * 40_000)) == 32_767
    assert as_text(Decimal("10.50")) == "10.50" and as_text(451.0) == "451" and as_text(True) == "TRUE"
    assert as_text(date(2024, 3, 15)) == "2024-03-15"
    assert convert(datetime(2024, 3, 15, 9), K.DATE) == date(2024, 3, 15)
    assert convert(Decimal("3.00"), K.INTEGER) == 3 and convert(Decimal("3.5"), K.INTEGER) == Decimal("3.5")
    assert convert(Decimal("NaN"), K.MONEY) == "NaN"
    assert convert({"city": "Raleigh"}, K.GENERAL) == '{"city": "Raleigh"}'
    assert convert("n/a", K.MONEY) == "n/a"
    assert column_width("Total", [Decimal("1234567.89")], K.MONEY) == 13


def test_write_grid_with_clear_replaces_the_whole_sheet_and_styles_titles(tmp_path: Path) -> None:
    book = FileWorkbook.create(tmp_path / "b.xlsx")
    rows: list[list[Any]] = [["Records"], ["Record", "When", "Header row", "Notes"], ["Line", "line", "yes", None], [],
            ["Rules"], ["Record", "Field", "Source", "Transform", "Default", "Required", "Max length", "Notes"],
            ["Line", "Invoice", "Invoice number", None, None, "yes", 20, None]]
    book.write_grid("Mapping", rows, clear=True)
    book.save()
    assert calamine_grid(tmp_path / "b.xlsx", "Mapping")[6][:3] == ["Line", "Invoice", "Invoice number"]
    ws = openpyxl.load_workbook(tmp_path / "b.xlsx")["Mapping"]
    assert ws["A5"].font.b and ws["B6"].font.b and not ws["A7"].font.b
    assert ws.column_dimensions["C"].width == 30  # the layout's widths survive a clear
    assert ws.max_row == 7
    assert SHEET_ORDER.index("Mapping") == openpyxl.load_workbook(tmp_path / "b.xlsx").sheetnames.index("Mapping")


def test_write_grid_at_a_start_column_leaves_the_cells_to_its_left(tmp_path: Path) -> None:
    book = FileWorkbook.create(tmp_path / "b.xlsx")
    book.write_grid("Log", [["checks", 3]], start_row=1, start_column=12)
    assert book.read_grid("Log")[0][0] == "Time"
    assert book.read_grid("Log")[0][11:13] == ["checks", 3]


def test_save_refused_when_another_program_changed_the_book_meanwhile(book_path: Path) -> None:
    """The parts a command leaves alone are copied from the file at save: if someone saved
    the book in between, that copy would mix two books, so the save is refused instead."""
    workbook = FileWorkbook.open(book_path)
    workbook.write_grid("Log", [["mine"]], start_row=2)
    other = FileWorkbook.open(book_path)
    other.write_grid("Lookups", [["theirs"]], start_row=9)
    other.save()
    theirs = book_path.read_bytes()
    with pytest.raises(WorkbookError) as err:
        workbook.save()
    assert str(err.value) == (f"{book_path} was changed by another program while stac_xl worked on it; "
                              "run the command again.")
    assert book_path.read_bytes() == theirs
    assert sorted(p.name for p in book_path.parent.iterdir()) == ["Book.xlsx"]
