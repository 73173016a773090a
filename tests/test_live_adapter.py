"""LiveWorkbook (the xlwings adapter) over the in-memory xlwings engine.

xlwings' own Range, conversion and ``App.properties`` code runs; the engine counts what
would each be a COM call into Excel.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from xl_memory_engine import ComError, MemoryEngine, new_book

from stac_xl.book.layout import new_workbook_layout
from stac_xl.book.live import HEADER_COLOR, MARK_COLORS, MAX_NOTES, LiveWorkbook, progress
from stac_xl.book.port import CellMark
from stac_xl.book.table import Column, ColumnKind, Table
from stac_xl.errors import WorkbookError

KINDS = [ColumnKind.TEXT, ColumnKind.DATE, ColumnKind.MONEY, ColumnKind.INTEGER, ColumnKind.GENERAL]


def invoice_table(rows: int, columns: int = 33) -> Table:
    """Synthetic invoice lines: ``columns`` columns cycling through the kinds."""
    cols = [Column(f"Col {i}", KINDS[i % len(KINDS)]) for i in range(columns)]
    samples = {
        ColumnKind.TEXT: lambda r: f"{r:06d}",
        ColumnKind.DATE: lambda r: date(2024, 3, 1 + r % 28),
        ColumnKind.MONEY: lambda r: Decimal(r) / 4,
        ColumnKind.INTEGER: lambda r: r,
        ColumnKind.GENERAL: lambda r: f"line {r}",
    }
    return Table(cols, [[samples[c.kind](r) for c in cols] for r in range(rows)])


def written_calls(engine: MemoryEngine, rows: int) -> dict[str, int]:
    book = new_book(engine, "Invoices")
    LiveWorkbook(book).write_table("Invoices", invoice_table(rows))
    return dict(engine.calls)


def test_writing_ten_times_more_rows_costs_the_same_calls_but_xlwings_chunks(engine: MemoryEngine) -> None:
    small, large = written_calls(engine, 1_000), written_calls(engine, 10_000)
    writes_small, writes_large = small.pop("raw_value.set"), large.pop("raw_value.set")
    # xlwings' default: at most 100,000 cells per call, i.e. 3,030 rows of 33 columns
    assert (writes_small, writes_large) == (1, math.ceil(10_001 / (100_000 // 33)))
    chunk_ranges = large.pop("range") - small.pop("range")
    assert chunk_ranges == writes_large  # each chunk is one slice of the range
    assert small == large
    assert large["number_format.set"] == len(KINDS) + 1  # one per kind, plus the header row
    assert large["column_width.set"] == 33
    assert large["sheet.clear"] == 1


def test_number_formats_cover_whole_columns_and_leave_the_used_range_alone(engine: MemoryEngine) -> None:
    book = new_book(engine, "Invoices")
    LiveWorkbook(book).write_table("Invoices", invoice_table(50, columns=10))
    assert engine.calls["number_format.set"] == 6  # five kinds, each on two columns in one call
    sheet = book.sheets["Invoices"].impl
    assert [sheet.style_at("number_format", 51, c) for c in range(1, 6)] == [
        "@", "yyyy-mm-dd", "#,##0.00", "0", "General"
    ]
    assert sheet.style_at("number_format", 1_048_576, 6) == "@"  # later hand-typed ids stay text
    assert sheet.style_at("number_format", 1, 1) == "General"  # the header is plain text
    assert sheet.value_at(2, 1) == "000000"  # not the number 0: "@" was set before the write
    assert book.sheets["Invoices"].used_range.address == "$A$1:$J$51"


def test_values_reach_excel_as_their_types_and_text_stays_text(engine: MemoryEngine) -> None:
    book = new_book(engine, "Export")
    table = Table(
        [Column("Id", ColumnKind.TEXT), Column("Memo"), Column("When", ColumnKind.DATE), Column("Net", ColumnKind.MONEY)],
        [["=1+1", "=HYPERLINK(\"x\")", date(2024, 1, 31), Decimal("12.30")],
         ["00042", "-5 credit", datetime(2024, 2, 1, 9, 30), Decimal("-0.01")],
         ["7", "TRUE", None, Decimal("1000000.00")]],
    )
    LiveWorkbook(book).write_table("Export", table)
    sheet = book.sheets["Export"].impl
    for row in (2, 3, 4):
        for column in (1, 2):
            assert not sheet.is_formula(row, column)
    assert [sheet.value_at(r, 2) for r in (2, 3, 4)] == ["=HYPERLINK(\"x\")", "-5 credit", "TRUE"]
    assert [sheet.value_at(r, 1) for r in (2, 3, 4)] == ["=1+1", "00042", "7"]
    assert sheet.value_at(2, 3) == datetime(2024, 1, 31)
    assert sheet.value_at(3, 3) == datetime(2024, 2, 1)  # a DATE column drops the time
    assert [sheet.value_at(r, 4) for r in (2, 3, 4)] == [12.3, -0.01, 1_000_000.0]
    assert sheet.style_at("bold", 1, 4) is True and sheet.style_at("color", 1, 1) is not None


def test_app_properties_are_restored_after_an_exception(engine: MemoryEngine) -> None:
    book = new_book(engine, "Invoices")
    with pytest.raises(ValueError, match="sheet name"):
        LiveWorkbook(book).write_table("Bad:name", invoice_table(3))
    assert engine.calls["app.screen_updating"] == 2 and engine.calls["app.calculation"] == 2
    assert book.app.screen_updating is True
    assert book.app.calculation == "automatic"


def test_read_grid_round_trips_a_written_table(engine: MemoryEngine) -> None:
    book = new_book(engine, "Invoices")
    workbook = LiveWorkbook(book)
    workbook.write_table("Invoices", invoice_table(3, columns=5))
    engine.reset_calls()
    grid = workbook.read_grid("Invoices")
    assert engine.calls["raw_value.get"] == 1
    assert grid == [
        ["Col 0", "Col 1", "Col 2", "Col 3", "Col 4"],
        ["000000", datetime(2024, 3, 1), 0, 0, "line 0"],
        ["000001", datetime(2024, 3, 2), 0.25, 1, "line 1"],
        ["000002", datetime(2024, 3, 3), 0.5, 2, "line 2"],
    ]


def test_read_grid_is_two_dimensional_and_anchored_at_a1(engine: MemoryEngine) -> None:
    book = new_book(engine, "Settings", "Empty")
    workbook = LiveWorkbook(book)
    workbook.write_grid("Settings", [["Setting", "Value"]])
    assert workbook.read_grid("Settings") == [["Setting", "Value"]]
    workbook.write_grid("Settings", [["x"]], start_row=4)
    assert workbook.read_grid("Settings") == [["Setting", "Value"], [], [], ["x"]]
    assert workbook.read_grid("Empty") == []
    workbook.write_grid("Empty", [[None, "b2"]], start_row=2)  # used range starts at B2
    assert workbook.read_grid("Empty") == [[], [None, "b2"]]
    with pytest.raises(WorkbookError, match="no Missing sheet"):
        workbook.read_grid("Missing")


def test_write_grid_leaves_cells_right_of_a_short_row_alone(engine: MemoryEngine) -> None:
    book = new_book(engine, "Log")
    workbook = LiveWorkbook(book)
    workbook.write_grid("Log", [["a", "b", "c"], ["d", "e", "f"]])
    workbook.write_grid("Log", [["A"], ["D", "E"]])
    assert workbook.read_grid("Log") == [["A", "b", "c"], ["D", "E", "f"]]
    workbook.write_grid("New", [["made"]])
    assert workbook.sheet_names() == ["Log", "New"]


def test_values_are_made_what_com_takes_at_the_edge(engine: MemoryEngine) -> None:
    book = new_book(engine, "Export")
    table = Table(
        [Column("Net", ColumnKind.MONEY), Column("Ref"), Column("At", ColumnKind.DATETIME), Column("Rate", ColumnKind.NUMBER)],
        [[Decimal("19.99"), 12345678901234567890, datetime(2024, 5, 1, 8, 30, tzinfo=UTC), float("nan")],
         [Decimal("NaN"), 2**53, None, float("inf")]],
    )
    LiveWorkbook(book).write_table("Export", table)  # the strict engine refuses any COM would
    sheet = book.sheets["Export"].impl
    assert [sheet.value_at(2, c) for c in range(1, 5)] == [19.99, "12345678901234567890", datetime(2024, 5, 1, 8, 30), "nan"]
    assert [sheet.value_at(3, c) for c in (1, 2, 4)] == ["NaN", float(2**53), "inf"]
    with pytest.raises(ComError, match="Decimal"):
        book.sheets["Export"].range("A9").raw_value = Decimal("1.5")  # what the edge prevents


def test_mark_cells_colours_by_kind_and_replaces_notes(engine: MemoryEngine) -> None:
    book = new_book(engine, "Export")
    workbook = LiveWorkbook(book)
    workbook.mark_cells("Export", [CellMark(2, 3, "error", "Required"), CellMark(4, 1, "edited")])
    workbook.mark_cells("Export", [CellMark(2, 3, "warning", "Too long")])
    sheet = book.sheets["Export"].impl
    assert sheet.style_at("color", 2, 3) == MARK_COLORS["warning"]
    assert sheet.style_at("color", 4, 1) == MARK_COLORS["edited"]
    assert book.sheets["Export"].range("C2").note.text == "Too long"
    assert book.sheets["Export"].range("A4").note is None


def marked_calls(engine: MemoryEngine, cells: int) -> dict[str, int]:
    """Engine calls to mark ``cells`` cells: errors and warnings in three columns of
    records, every fourth record untouched (as a header record would be)."""
    book = new_book(engine, "Export")
    marks = []
    for n in range(cells):
        row, column = 2 + (n // 3) * 4 // 3, (3, 5, 9)[n % 3]
        marks.append(CellMark(row, column, "error" if column == 5 else "warning", f"problem {n}"))
    LiveWorkbook(book).mark_cells("Export", marks)
    sheet = book.sheets["Export"].impl
    assert sheet.style_at("color", marks[-1].row, marks[-1].column) == MARK_COLORS[marks[-1].kind]
    assert len(sheet.notes) == min(cells, MAX_NOTES)
    return dict(engine.calls)


def test_marking_cells_costs_calls_per_colour_and_address_not_per_cell(engine: MemoryEngine) -> None:
    few, many = marked_calls(engine, 100), marked_calls(engine, 10_000)
    assert few["note.add"] == many["note.add"] == MAX_NOTES
    assert many["note.get"] == MAX_NOTES  # xlwings' own check only: a sheet without notes has none to replace
    assert few["color.set"] == 2  # errors and warnings: one address each
    # runs of three cells down three columns: about 70 cells per 255-character address
    assert many["color.set"] <= 10_000 // 60


def test_a_cell_marked_twice_takes_the_later_kind_and_errors_get_the_notes(engine: MemoryEngine) -> None:
    book = new_book(engine, "Export")
    marks = [CellMark(2, 2, "error", "Required"), CellMark(2, 2, "edited", "Your correction")]
    marks += [CellMark(10 + n, 4, "warning", f"w{n}") for n in range(MAX_NOTES)]
    marks += [CellMark(3, 4, "error", "Too long"), CellMark(4, 4, "bogus")]
    LiveWorkbook(book).mark_cells("Export", marks)
    sheet = book.sheets["Export"].impl
    assert sheet.style_at("color", 2, 2) == MARK_COLORS["edited"]
    assert sheet.style_at("color", 4, 4) == MARK_COLORS["warning"]  # an unknown kind shows as a warning
    assert book.sheets["Export"].range("D3").note.text == "Too long"  # an error: noted first
    assert book.sheets["Export"].range("D10").note.text == "w0"
    assert book.sheets["Export"].range(f"D{9 + MAX_NOTES}").note is None  # past the bound: Issues only
    assert book.sheets["Export"].range("B2").note is None  # a correction's note ranks last
    assert len(sheet.notes) == MAX_NOTES


def test_a_hidden_sheet_is_rewritten_without_being_activated(engine: MemoryEngine) -> None:
    book = new_book(engine, "Export")
    workbook = LiveWorkbook(book)
    for _ in range(2):  # Preview twice: the second time Export base is already hidden
        workbook.write_table("Export", invoice_table(3, columns=2))
        workbook.write_table("Export base", invoice_table(3, columns=2))
        workbook.hide_sheet("Export base")
        assert book.sheets.active.name == "Export"
    assert book.sheets["Export base"].visible is False
    with pytest.raises(ComError, match="hidden"):
        book.sheets["Export base"].activate()


def test_hidden_columns_and_widths(engine: MemoryEngine) -> None:
    book = new_book(engine, "Export")
    table = Table([Column("Record"), Column("Invoice id", ColumnKind.TEXT, width=12)], [["H", "1"]])
    LiveWorkbook(book).write_table("Export", table, hidden_columns=["Invoice id"])
    sheet = book.sheets["Export"].impl
    assert sheet.hidden == {2}
    assert sheet.widths[2] == 12 and sheet.widths[1] >= 6
    LiveWorkbook(book).write_table("Export", Table([Column("A"), Column("B")], [["x", "y"]]))
    assert sheet.hidden == set()  # a later table without hidden columns shows them all


def test_status_bar_is_handed_back_even_after_an_error(engine: MemoryEngine) -> None:
    book = new_book(engine, "Invoices")
    workbook = LiveWorkbook(book)
    with pytest.raises(RuntimeError), progress(book):
        workbook.status("Fetching page 2 of 3…")
        assert book.app.status_bar == "Fetching page 2 of 3…"
        raise RuntimeError("network")
    assert book.app.status_bar is False


def test_a_new_workbook_sheet_gets_the_styles_of_stac_xl_new(engine: MemoryEngine) -> None:
    book = new_book(engine, "Sheet1")
    workbook = LiveWorkbook(book)
    mapping = next(s for s in new_workbook_layout() if s.name == "Mapping")
    workbook.lay_out(mapping)
    sheet = book.sheets["Mapping"].impl
    assert workbook.read_grid("Mapping") == [list(row) for row in mapping.rows]
    for row in mapping.header_rows:
        assert sheet.style_at("color", row, 1) == HEADER_COLOR and sheet.style_at("bold", row, 2) is True
    for row in mapping.title_rows:
        assert sheet.style_at("bold", row, 1) is True and sheet.style_at("font_size", row, 1) == 12
    assert [sheet.widths[c] for c in range(1, len(mapping.widths) + 1)] == list(mapping.widths)
    assert engine.calls["color.set"] == 1  # both header rows in one address


def test_rewriting_a_known_sheet_styles_its_headers_again(engine: MemoryEngine) -> None:
    book = new_book(engine, "Lookups")
    grid = [["Table: GL"], ["Key", "Value"], ["Sprinkler", "4010"], [], ["Table: Tax"], ["Key", "Value"]]
    LiveWorkbook(book).write_grid("Lookups", grid, clear=True)
    sheet = book.sheets["Lookups"].impl
    assert [sheet.style_at("color", r, 2) for r in (2, 3, 6)] == [HEADER_COLOR, None, HEADER_COLOR]
    assert sheet.style_at("bold", 5, 1) is True


def test_chunk_rows_splits_the_bulk_write(engine: MemoryEngine) -> None:
    book = new_book(engine, "Invoices")
    LiveWorkbook(book, chunk_rows=400).write_table("Invoices", invoice_table(999, columns=3))
    assert engine.calls["raw_value.set"] == 3  # 1,000 rows with the header
    assert book.sheets["Invoices"].impl.value_at(1000, 1) == "000998"


def test_save_is_a_no_op(engine: MemoryEngine) -> None:
    book = new_book(engine, "Invoices")
    LiveWorkbook(book).save()
    assert engine.total_calls == 0
