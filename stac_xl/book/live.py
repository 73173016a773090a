"""``LiveWorkbook``: the workbook port over the book open in Excel, through xlwings.

Every xlwings property get or set is a cross-process COM call, so the cost of an action is
the number of calls, not the number of cells (shared/reference/excel-addin.md §4). Writing
a table is a constant number of calls whatever its length: clear the sheet, one number
format per column kind (whole columns, several in one address), one bulk 2-D write of
every value converted in Python beforehand (which xlwings splits into 100,000-cell chunks,
a memory limit of 32-bit Excel), one width per column, header style, frozen header and
filter. Marking problem cells costs one call per fill colour and address batch, plus a
bounded number of notes. Screen updating and calculation are off while writing and
restored even on errors.

Cell values: text Excel would parse (``=…`` formulas, ``00123`` → 123, ``TRUE``, …) goes in
with a leading apostrophe, which Excel strips and keeps as "stored as text"; TEXT columns
get the ``@`` format *before* the write instead, since a text-formatted cell takes any
typed text literally. COM would turn a ``Decimal`` into a 4-decimal Currency, so money
becomes ``float`` here, at the edge, and nowhere else; an integer too big for a double
goes in as text, so an id keeps its digits.

This is the only module above the entry points that imports xlwings.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlwings as xw

from stac_xl.book import layout
from stac_xl.book.addresses import batches, column_runs, whole_columns
from stac_xl.book.cells import NUMBER_FORMATS, column_width, convert, general, trim_grid
from stac_xl.book.layout import SheetLayout
from stac_xl.book.port import CellMark
from stac_xl.book.table import ColumnKind, Table
from stac_xl.errors import WorkbookError

HEADER_COLOR = "#D9E1F2"
TITLE_SIZE = 12
# Same colours as the file adapter, so a marked cell looks alike in both.
MARK_COLORS = {"error": "#FFC7CE", "warning": "#FFEB9C", "edited": "#DDEBF7"}
MARK_ORDER = ("edited", "warning", "error")  # painted in this order: the gravest fill wins
# Each note is a comment object in Excel, slow to make; the Issues column lists every problem.
MAX_NOTES = 50
WIDTH_SAMPLE_ROWS = 200
MAX_EXACT_INT = 2**53  # what a double, all a cell holds, keeps exactly


def _cosmetic_errors() -> tuple[type[BaseException], ...]:
    """Errors a purely cosmetic COM call may raise (no COM object, a protected sheet)."""
    try:
        import pywintypes  # type: ignore[import-untyped]  # Windows only
    except ImportError:
        return (AttributeError,)
    return (AttributeError, pywintypes.com_error)


def excel_value(value: Any, *, text_column: bool = False) -> Any:
    """An already converted cell value as Excel should receive it over COM."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else excel_value(str(value))
    if isinstance(value, float) and not math.isfinite(value):
        return excel_value(str(value))  # COM would drop NaN and refuse infinity
    if isinstance(value, int) and abs(value) > MAX_EXACT_INT:
        return excel_value(str(value), text_column=text_column)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Excel has no zones; the wall-clock time stays
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

    ``chunk_rows`` makes the bulk write go in blocks of that many rows; by default xlwings
    chunks it by itself at 100,000 cells per call. Pass e.g. 10_000 if a very wide,
    text-heavy table times out.
    """

    def __init__(self, book: xw.Book, *, chunk_rows: int | None = None) -> None:
        self._book = book
        self._chunk_rows = chunk_rows
        self._shown: str | None = None  # the last sheet this adapter brought to the front

    @property
    def name(self) -> str:
        """The workbook's full path (its name while unsaved, or on OneDrive without a local
        copy): how the export ledger tells this workbook's batches from others'."""
        try:
            return str(self._book.fullname)
        except xw.XlwingsError:
            return str(self._book.name)

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

        Whole numbers come back as ``int`` (COM delivers every number as a float), dates as
        ``datetime``, and an Excel error value as its text (``#VALUE!``), so Export refuses
        it instead of writing an empty field.
        """
        ws = self._sheet(sheet)
        used = ws.used_range
        top, left = used.row, used.column
        # err_to_str: an error value reads as its text (#VALUE!), as the file adapter gives it, not as an empty cell
        grid: list[list[Any]] = [[None] * (left - 1) + [_from_excel(v) for v in row]
                                 for row in used.options(ndim=2, err_to_str=True).value]
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
            self._format_columns(ws, kinds)
            header = [excel_value(general(name)) for name in table.headers]
            target = ws.range((1, 1))
            if self._chunk_rows:
                target = target.options(chunksize=self._chunk_rows)
            target.value = [header, *rows]
            self._finish_table(ws, table, rows, hidden)

    def _format_columns(self, ws: xw.Sheet, kinds: list[ColumnKind]) -> None:
        """One number format per kind on whole columns (typed-in rows get it too), then the
        header row back to General so header text is never read as a date or number."""
        for kind in dict.fromkeys(kinds):
            columns = [number for number, k in enumerate(kinds, start=1) if k is kind]
            for address in batches(whole_columns(columns)):
                ws.range(address).number_format = NUMBER_FORMATS[kind]
        ws.range((1, 1), (1, len(kinds))).number_format = "General"

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
        if ws.visible:  # Excel refuses to activate a hidden sheet (Preview's Export base)
            self._freeze(ws, rows=1, filter_to=(len(rows) + 1, width))
        self._print_as_table(ws)

    @staticmethod
    def _print_as_table(ws: xw.Sheet) -> None:
        """Landscape, one page wide, the header row on every page: as the file adapter
        writes it. Excel's object model only (PageSetup), so skipped without it."""
        try:
            setup = ws.api.PageSetup
            setup.Orientation = 2  # xlLandscape
            setup.Zoom = False     # FitToPages* count only with Zoom off
            setup.FitToPagesWide, setup.FitToPagesTall = 1, False
            setup.PrintTitleRows = "$1:$1"
        except _cosmetic_errors():
            return

    def _freeze(self, ws: xw.Sheet, *, rows: int, filter_to: tuple[int, int] | None = None) -> None:
        """Frozen top ``rows`` and, if asked, an AutoFilter: Excel's object model only, so
        skipped when the engine has no COM object (the test engine) or Excel refuses."""
        try:
            ws.activate()  # FreezePanes acts on the active window's sheet
            self._shown = ws.name
            window = self._book.app.api.ActiveWindow
            window.FreezePanes = False
            window.SplitColumn, window.SplitRow = 0, rows
            window.FreezePanes = True
            if filter_to:
                ws.api.AutoFilterMode = False
                ws.range((1, 1), filter_to).api.AutoFilter(1)
        except _cosmetic_errors():
            return

    def write_grid(
        self, sheet: str, rows: list[list[Any]], *, start_row: int = 1, start_column: int = 1, clear: bool = False
    ) -> None:
        """Write plain rows at (``start_row``, ``start_column``): one write if the rows are all
        as long, else one per row (cells right of a short row are left alone). A missing
        sheet is added; ``clear`` empties the sheet first, and then the titles, header rows
        and widths the layout knows (Settings, Mapping, Lookups, Log) are styled again."""
        ws = self._sheet(sheet, create=True)
        with self._book.app.properties(screen_updating=False):
            if clear:
                ws.clear()
            _put_rows(ws, rows, start_row, start_column)
            if clear:
                headers, titles = layout.styled_rows(sheet, rows)
                self._style_rows(ws, rows, headers, titles, layout.widths_of(sheet))

    def lay_out(self, sheet_layout: SheetLayout) -> None:
        """Draw one sheet of a new STAC workbook as ``stac-xl new`` does: values, header and
        title styles, widths, frozen rows."""
        ws = self._sheet(sheet_layout.name, create=True)
        with self._book.app.properties(screen_updating=False):
            _put_rows(ws, sheet_layout.rows, 1, 1)
            rows = sheet_layout.rows
            self._style_rows(ws, rows, list(sheet_layout.header_rows), list(sheet_layout.title_rows), sheet_layout.widths)
            if sheet_layout.freeze:
                self._freeze(ws, rows=_row_of(sheet_layout.freeze) - 1)

    def _style_rows(self, ws: xw.Sheet, rows: list[list[Any]], headers: list[int], titles: list[int],
                    widths: Sequence[float]) -> None:
        """Header rows filled and bold, titles bold and larger, one call per style."""
        header_areas = [(r, 1, r, len(rows[r - 1])) for r in headers if r <= len(rows) and rows[r - 1]]
        for address in batches(header_areas):
            ws.range(address).color = HEADER_COLOR
            ws.range(address).font.bold = True
        for address in batches((r, 1, r, 1) for r in titles):
            ws.range(address).font.bold = True
            ws.range(address).font.size = TITLE_SIZE
        for column, chars in enumerate(widths, start=1):
            ws.range((1, column)).column_width = chars

    def hide_sheet(self, sheet: str) -> None:
        """Hide ``sheet``; if it is in front, the sheet this adapter showed last comes back
        first (Excel would show a neighbour, Log, after Preview instead of Export)."""
        ws = self._sheet(sheet)
        if self._shown and self._shown != sheet and self._book.sheets.active.name == sheet:
            self._book.sheets[self._shown].activate()
        ws.visible = False

    def mark_cells(self, sheet: str, marks: Sequence[CellMark]) -> None:
        """Fill marked cells by kind, one call per colour and address batch; notes on the
        first :data:`MAX_NOTES` noted cells, errors first. A cell marked twice takes the
        later kind and the later note, as if the marks were applied one by one."""
        ws = self._sheet(sheet)
        kinds: dict[tuple[int, int], str] = {}
        notes: dict[tuple[int, int], str] = {}
        for mark in marks:
            kind = mark.kind if mark.kind in MARK_COLORS else "warning"
            kinds[(mark.row, mark.column)] = kind
            if mark.note:
                notes[(mark.row, mark.column)] = mark.note
        with self._book.app.properties(screen_updating=False):
            for kind in MARK_ORDER:
                cells = [cell for cell, k in kinds.items() if k == kind]
                for address in batches(column_runs(cells)):
                    ws.range(address).color = MARK_COLORS[kind]
            ranked = sorted(notes, key=lambda cell: -MARK_ORDER.index(kinds[cell]))
            # Preview has just cleared the sheet: with no notes on it, none needs replacing.
            replace = len(ws.notes) > 0
            for cell in ranked[:MAX_NOTES]:
                target = ws.range(cell)
                if replace and (old := target.note) is not None:
                    old.delete()  # Excel refuses a second note on a cell
                target.add_note(notes[cell])

    def status(self, message: str) -> None:
        """Show ``message`` on Excel's status bar (see :func:`progress` to hand it back)."""
        self._book.app.status_bar = message

    def save(self) -> None:
        """Nothing: the clerk saves the workbook in Excel."""


def _put_rows(ws: xw.Sheet, rows: list[list[Any]], start_row: int, start_column: int) -> None:
    """One write if the rows are all as long, else one per non-empty row."""
    values = [[excel_value(general(v)) for v in row] for row in rows]
    if values and len({len(row) for row in values}) == 1 and values[0]:
        ws.range((start_row, start_column)).value = values
        return
    for offset, row in enumerate(values):
        if row:
            ws.range((start_row + offset, start_column)).value = [row]


def _row_of(cell: str) -> int:
    """The row number of an A1 cell name (``A2`` → 2)."""
    return int(cell.lstrip("$ABCDEFGHIJKLMNOPQRSTUVWXYZ").lstrip("$"))


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
