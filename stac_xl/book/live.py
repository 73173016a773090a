"""``LiveWorkbook``: the workbook port over the book open in Excel, through xlwings.

Every xlwings property get or set is a cross-process COM call, so the cost of an action is
the number of calls, not the number of cells (shared/reference/excel-addin.md §4). Writing
a table is a constant number of calls whatever its length: clear the sheet, one number
format per column, one bulk 2-D write of every value converted in Python beforehand, one
width per column, header style, frozen header and filter. Screen updating and calculation
are off while writing and restored even on errors.

Cell values: text Excel would parse (``=…`` formulas, ``00123`` → 123, ``TRUE``, …) goes in
with a leading apostrophe, which Excel strips and keeps as "stored as text"; TEXT columns
get the ``@`` format *before* the write instead, since a text-formatted cell takes any
typed text literally. ``Decimal`` becomes ``float``, ``date`` becomes ``datetime``.

This is the only module above the entry points that imports xlwings.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlwings as xw

from stac_xl.book.cells import NUMBER_FORMATS, column_width, convert, general, trim_grid
from stac_xl.book.port import CellMark
from stac_xl.book.table import ColumnKind, Table
from stac_xl.errors import WorkbookError

MAX_ROWS = 1_048_576
HEADER_COLOR = "#D9E1F2"
# Same colours as the file adapter, so a marked cell looks alike in both.
MARK_COLORS = {"error": "#FFC7CE", "warning": "#FFEB9C", "edited": "#DDEBF7"}
WIDTH_SAMPLE_ROWS = 200


def _cosmetic_errors() -> tuple[type[BaseException], ...]:
    """Errors a purely cosmetic COM call may raise (no COM object, a protected sheet)."""
    try:
        import pywintypes  # type: ignore[import-not-found]  # Windows only
    except ImportError:
        return (AttributeError,)
    return (AttributeError, pywintypes.com_error)


def excel_value(value: Any, *, text_column: bool = False) -> Any:
    """An already converted cell value as Excel should receive it over COM."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str) and value and not text_column:
        return "'" + value  # Excel keeps the rest exactly as typed, as text
    return value


@contextmanager
def progress(book: xw.Book) -> Iterator[None]:
    """Use around an action that calls ``status``: hands the status bar back to Excel after."""
    try:
        yield
    finally:
        book.app.status_bar = False


class LiveWorkbook:
    """The workbook a ribbon button was clicked in; implements ``WorkbookPort``.

    ``chunk_rows`` splits the bulk write into blocks of that many rows (None: one write).
    xlwings 0.37.8 would otherwise chunk writes above 100,000 cells by itself, making the
    call count grow with the table; pass e.g. 10_000 if a very wide table times out.
    """

    def __init__(self, book: xw.Book, *, chunk_rows: int | None = None) -> None:
        self._book = book
        self._chunk_rows = chunk_rows

    def sheet_names(self) -> list[str]:
        """Names of the sheets, in tab order."""
        return [sheet.name for sheet in self._book.sheets]

    def _sheet(self, name: str, *, create: bool = False) -> xw.Sheet:
        if name in self.sheet_names():
            return self._book.sheets[name]
        if not create:
            raise WorkbookError(f"{self._book.name} has no {name} sheet.")
        return self._book.sheets.add(name, after=self._book.sheets[-1])

    def read_grid(self, sheet: str) -> list[list[Any]]:
        """All used cells as rows from A1, trailing empties trimmed; one bulk read.

        Whole numbers come back as ``int`` (COM delivers every number as a float), and
        dates as ``datetime``.
        """
        ws = self._sheet(sheet)
        used = ws.used_range
        top, left = used.row, used.column
        grid: list[list[Any]] = [[None] * (left - 1) + [_from_excel(v) for v in row] for row in used.options(ndim=2).value]
        return trim_grid([[] for _ in range(top - 1)] + grid)

    def write_table(self, sheet: str, table: Table, *, hidden_columns: Sequence[str] = ()) -> None:
        """Replace ``sheet`` with ``table``: formats, values, widths, header, freeze, filter."""
        hidden = [table.index(name) + 1 for name in hidden_columns]
        kinds = [column.kind for column in table.columns]
        rows = _converted_rows(table, kinds)
        with self._book.app.properties(screen_updating=False, calculation="manual"):
            ws = self._sheet(sheet, create=True)
            ws.clear()
            ws.cells.columns.hidden = False  # Clear keeps hidden columns; a new table may differ
            if not kinds:
                return
            last_row = len(rows) + 1
            for column, kind in enumerate(kinds, start=1):
                # TEXT formats the whole column so ids typed in later rows stay text too.
                end = MAX_ROWS if kind is ColumnKind.TEXT else max(last_row, 2)
                ws.range((2, column), (end, column)).number_format = NUMBER_FORMATS[kind]
            header = [excel_value(general(name)) for name in table.headers]
            ws.range((1, 1)).options(chunksize=self._chunk_rows).value = [header, *rows]
            self._finish_table(ws, table, rows, hidden)

    def _finish_table(self, ws: xw.Sheet, table: Table, rows: list[list[Any]], hidden: list[int]) -> None:
        width = len(table.columns)
        header = ws.range((1, 1), (1, width))
        header.color = HEADER_COLOR
        header.font.bold = True
        sample = rows[:WIDTH_SAMPLE_ROWS]
        for index, column in enumerate(table.columns):
            shown = (_shown(row[index]) for row in sample)
            chars = column.width or column_width(column.name, shown, column.kind)
            ws.range((1, index + 1)).column_width = chars
        for position in hidden:
            ws.range((1, position)).columns.hidden = True
        self._freeze_and_filter(ws, len(rows) + 1, width)

    def _freeze_and_filter(self, ws: xw.Sheet, last_row: int, width: int) -> None:
        """Frozen header row and an AutoFilter: Excel's object model only, so skipped when
        the engine has no COM object (the test engine) or Excel refuses (protected sheet)."""
        try:
            ws.activate()  # FreezePanes acts on the active window's sheet
            window = self._book.app.api.ActiveWindow
            window.FreezePanes = False
            window.SplitColumn, window.SplitRow = 0, 1
            window.FreezePanes = True
            ws.api.AutoFilterMode = False
            ws.range((1, 1), (last_row, width)).api.AutoFilter(1)
        except _cosmetic_errors():
            return

    def write_grid(
        self, sheet: str, rows: list[list[Any]], *, start_row: int = 1, start_column: int = 1, clear: bool = False
    ) -> None:
        """Write plain rows at (``start_row``, ``start_column``): one write if the rows are all
        as long, else one per row (cells right of a short row are left alone). A missing
        sheet is added; ``clear`` empties the sheet first."""
        ws = self._sheet(sheet, create=True)
        values = [[excel_value(general(v)) for v in row] for row in rows]
        with self._book.app.properties(screen_updating=False):
            if clear:
                ws.clear()
            if values and len({len(row) for row in values}) == 1 and values[0]:
                ws.range((start_row, start_column)).value = values
                return
            for offset, row in enumerate(values):
                if row:
                    ws.range((start_row + offset, start_column)).value = [row]

    def hide_sheet(self, sheet: str) -> None:
        """Hide ``sheet`` (one call)."""
        self._sheet(sheet).visible = False

    def mark_cells(self, sheet: str, marks: Sequence[CellMark]) -> None:
        """Fill each marked cell by kind and put the note on it (marks are few: per cell)."""
        ws = self._sheet(sheet)
        with self._book.app.properties(screen_updating=False):
            for mark in marks:
                cell = ws.range((mark.row, mark.column))
                cell.color = MARK_COLORS.get(mark.kind, MARK_COLORS["warning"])
                if mark.note:
                    old = cell.note
                    if old is not None:
                        old.delete()  # Excel refuses a second note on a cell
                    cell.add_note(mark.note)

    def status(self, message: str) -> None:
        """Show ``message`` on Excel's status bar (see :func:`progress` to hand it back)."""
        self._book.app.status_bar = message

    def save(self) -> None:
        """Nothing: the clerk saves the workbook in Excel."""


def _converted_rows(table: Table, kinds: list[ColumnKind]) -> list[list[Any]]:
    """Every row converted by column kind and made ready for COM, before touching Excel."""
    width = len(kinds)
    text = [kind is ColumnKind.TEXT for kind in kinds]
    rows = []
    for number, row in enumerate(table.rows, start=1):
        if len(row) != width:
            raise ValueError(f"table row {number} has {len(row)} values for {width} columns")
        rows.append([excel_value(convert(v, k), text_column=t) for v, k, t in zip(row, kinds, text)])
    return rows


def _shown(value: Any) -> Any:
    """A prepared value as the clerk sees it (without the text apostrophe), for widths."""
    return value[1:] if isinstance(value, str) and value.startswith("'") else value


def _from_excel(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
