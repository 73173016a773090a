"""The layout of a new STAC workbook and how a STAC workbook is recognised."""

from __future__ import annotations

from stac_xl.book import layout
from stac_xl.settings import SETTINGS_ROWS, Settings, read_settings


def test_sheets_come_in_tab_order() -> None:
    names = [sheet.name for sheet in layout.new_workbook_layout()]
    assert names == ["Settings", "Mapping", "Lookups", "Invoices", "Export", "Log"]
    assert tuple(names) == layout.SHEET_ORDER
    assert list(layout.new_workbook_grids()) == names


def test_settings_sheet_lists_every_setting_with_its_default() -> None:
    grid = layout.new_workbook_grids()["Settings"]
    assert grid[0] == ["Setting", "Value", "Notes"]
    assert grid[1:] == [list(row) for row in SETTINGS_ROWS]


def test_new_settings_sheet_reads_as_the_default_settings() -> None:
    assert read_settings(layout.new_workbook_grids()["Settings"]) == Settings()


def test_mapping_sheet_has_records_then_rules_sections() -> None:
    assert layout.new_workbook_grids()["Mapping"] == [
        ["Records"],
        ["Record", "When", "Header row", "Only if", "Notes"],
        [],
        ["Rules"],
        ["Record", "Field", "Source", "Transform", "Default", "Required", "Max length", "Notes"],
    ]


def test_lookups_sheet_has_a_sample_table() -> None:
    grid = layout.new_workbook_grids()["Lookups"]
    assert grid[0] == ["Table: ServiceLineGL"]
    assert grid[1] == ["Key", "Value"]
    assert all(len(row) == 2 and all(isinstance(v, str) and v for v in row) for row in grid[2:])


def test_log_header_and_empty_data_sheets() -> None:
    grids = layout.new_workbook_grids()
    assert grids["Log"] == [["Time", "Action", "File", "Invoices", "Lines", "Net", "Tax", "Gross", "SHA-256", "Note", "Batch"]]
    assert grids["Invoices"] == [] and grids["Export"] == []


def test_header_and_title_rows_point_at_headers_and_titles() -> None:
    for sheet in layout.new_workbook_layout():
        for row in sheet.header_rows:
            assert sheet.rows[row - 1] and all(isinstance(v, str) and v for v in sheet.rows[row - 1])
        for row in sheet.title_rows:
            assert len(sheet.rows[row - 1]) == 1
        assert len(sheet.widths) >= max((len(r) for r in sheet.rows), default=0)


def test_grids_are_fresh_copies() -> None:
    first = layout.new_workbook_grids()
    first["Settings"][0][0] = "changed"
    assert layout.new_workbook_grids()["Settings"][0][0] == "Setting"


def test_a_stac_workbook_is_recognised() -> None:
    names = list(layout.SHEET_ORDER)
    assert layout.is_stac_workbook(names, "Setting")
    assert layout.is_stac_workbook(["Mapping", "Settings"], " Setting ")
    assert layout.stac_workbook_problem(names, "Setting") is None
    assert layout.not_stac_message("Book.xlsx", names, "Setting") is None


def test_what_is_not_a_stac_workbook() -> None:
    assert layout.stac_workbook_problem(["Sheet1", "Mapping"], None) == "no Settings sheet"
    assert layout.stac_workbook_problem(["Settings", "Mapping"], "Name") == "Settings!A1 is not 'Setting'"
    assert layout.stac_workbook_problem(["Settings", "Mapping"], 7) == "Settings!A1 is not 'Setting'"
    assert layout.stac_workbook_problem(["Settings"], "Setting") == "no Mapping sheet"
    assert not layout.is_stac_workbook(["Settings"], "Setting")
    assert layout.not_stac_message("Book.xlsx", ["Sheet1"], None) == (
        "Book.xlsx is not a STAC workbook (no Settings sheet). Create one with: stac-xl new BOOK.xlsx"
    )


def test_lookup_title() -> None:
    assert layout.lookup_title("TaxCodes") == "Table: TaxCodes"
