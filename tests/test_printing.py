"""The Invoices and Export sheets print as a clerk reads them: landscape, one page wide,
the header row on every page. Read back by openpyxl, an independent reader of the file."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from stac_xl.book.file import FileWorkbook
from stac_xl.book.table import Column, ColumnKind, Table


@pytest.mark.parametrize("sheet", ["Invoices", "Export"])
def test_a_table_sheet_prints_landscape_one_page_wide_with_its_header_repeated(tmp_path: Path, sheet: str) -> None:
    path = tmp_path / "book.xlsx"
    FileWorkbook.create(path)
    book = FileWorkbook.open(path)
    rows = [[str(n), "Quarterly inspection", n * 10] for n in range(1, 200)]
    book.write_table(sheet, Table([Column("Invoice id", ColumnKind.TEXT), Column("Description", ColumnKind.TEXT),
                                   Column("Amount", ColumnKind.NUMBER)], rows))
    book.save()
    for _ in range(2):  # and again once the sheet is rewritten over its own print titles
        ws = openpyxl.load_workbook(path)[sheet]
        assert ws.page_setup.orientation == "landscape"
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$1"
        book = FileWorkbook.open(path)
        book.write_table(sheet, Table([Column("Invoice id", ColumnKind.TEXT)], [["7"]]))
        book.save()
    with zipfile.ZipFile(path) as package:
        workbook_xml = package.read("xl/workbook.xml").decode()
    assert workbook_xml.count('name="_xlnm.Print_Titles"') == 1  # rewritten, not added twice


def test_a_settings_like_sheet_keeps_excels_default_print_setup(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    FileWorkbook.create(path)
    ws = openpyxl.load_workbook(path)["Log"]
    assert ws.print_title_rows is None
