"""A sheet the file adapter writes from scratch: what it holds until save, and its XML.

``write_table`` keeps the caller's table as it is (no copy, no cell objects) and the
sheet's XML is generated from it row by row while the zip entry is being deflated, so a
100,000-row table is never held in a second or third shape. Plain rows, header styles,
titles and cell marks are a small overlay on top. Text is written as inline strings: the
workbook's shared-string table, which other sheets use, is never touched.

Cell conventions (the same as the live adapter's): text stays text, formula-looking text
gets a quote prefix, ids in TEXT columns are text, dates are real dates, money has two
decimals, TEXT columns keep the ``@`` format for rows the clerk adds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from stac_xl.book.cells import (
    FORMULA_STARTS,
    MAX_CELL_TEXT,
    NUMBER_FORMATS,
    clean_text,
    column_letter,
    column_width,
    convert,
    general,
    trim_grid,
)
from stac_xl.book.layout import SheetLayout
from stac_xl.book.port import CellMark
from stac_xl.book.table import ColumnKind, Table
from stac_xl.book.xlsx_styles import DATE_FORMAT, DATETIME_FORMAT, HEADER_FILL, MARK_FILLS, CellStyle, StyleSheet
from stac_xl.book.xlsx_values import excel_serial, is_date_format
from stac_xl.book.xlsx_xml import escape_text

WIDTH_SAMPLE_ROWS = 200
# Text that needs more than pasting in: XML escapes, control characters, a formula look (the
# quote prefix), spaces at either end (xml:space), a carriage return (a character reference).
_SPECIAL_TEXT = re.compile(r"^[\s=+\-@]|\s$|[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f]")
_EPOCH_ORDINAL = date(1899, 12, 30).toordinal()
DEFAULT_WIDTH = 9.140625  # Excel's standard column width for Calibri 11
HEADER = CellStyle(font="header", fill=HEADER_FILL)
TITLE = CellStyle(font="title")
Cell = tuple[Any, CellStyle | None]   # a converted value and its format (None: none)
CellWriter = Callable[[Any, str], str]


def mark_fill(kind: str) -> str:
    """The fill colour of a mark kind (ValueError for an unknown kind: our own bug)."""
    try:
        return MARK_FILLS[kind]
    except KeyError:
        raise ValueError(f"unknown mark kind {kind!r}; use one of {sorted(MARK_FILLS)}") from None


@dataclass
class NewSheet:
    """Everything a sheet written from scratch will hold; XML only on :meth:`chunks`."""

    table: Table | None = None
    cells: dict[int, dict[int, Cell]] = field(default_factory=dict)
    fills: dict[tuple[int, int], str] = field(default_factory=dict)
    notes: dict[tuple[int, int], str] = field(default_factory=dict)
    widths: list[float] = field(default_factory=list)
    column_formats: dict[int, str] = field(default_factory=dict)
    hidden_columns: set[int] = field(default_factory=set)
    freeze: str | None = None
    filter: str | None = None
    tab_color: dict[str, str] | None = None
    selected: bool = False
    # a table sheet prints as a clerk reads it: landscape, one page wide, header on every page
    printed_as_table: bool = False

    # --- filling it ----------------------------------------------------------------------

    def write_table(self, table: Table, hidden_columns: Sequence[str] = ()) -> None:
        """The sheet becomes ``table``: header, typed cells, freeze, filter, widths."""
        hidden = [table.index(name) + 1 for name in hidden_columns]
        width = len(table.columns)
        for number, row in enumerate(table.rows, start=1):
            if len(row) != width:
                raise ValueError(f"table row {number} has {len(row)} values for {width} columns")
        self.table = table
        if not width:
            return
        self.freeze = "A2"
        self.filter = f"A1:{column_letter(width)}{len(table.rows) + 1}"
        self.printed_as_table = True
        self.widths = _widths(table)
        self.hidden_columns = set(hidden)
        # Empty TEXT columns still take typed ids as text when the clerk adds rows by hand.
        self.column_formats = {c: "@" for c, col in enumerate(table.columns, start=1) if col.kind is ColumnKind.TEXT}

    def write_rows(self, rows: list[list[Any]], start_row: int = 1, start_column: int = 1) -> None:
        """Plain values with the top-left at (``start_row``, ``start_column``); a cell that
        had a format keeps it (a date gets a date format, formula-looking text a quote)."""
        for row_number, row in enumerate(rows, start=start_row):
            for column, value in enumerate(row, start=start_column):
                value = general(value)
                self._cell_row(row_number)[column] = (value, written_style(self.style_at(row_number, column), value))

    def restyle(self, row: int, column: int, change: Callable[[CellStyle], CellStyle]) -> None:
        """Give one cell a new format made from its current one (its value kept)."""
        value = self.value_at(row, column)
        self._cell_row(row)[column] = (value, change(self.style_at(row, column) or CellStyle()))

    def style_header(self, row: int, width: int) -> None:
        """Bold text on a fill for the first ``width`` cells of ``row``."""
        for column in range(1, width + 1):
            self.restyle(row, column, lambda s: replace(s, font=HEADER.font, fill=HEADER.fill))

    def style_title(self, row: int) -> None:
        """Bold, bigger text in the first cell of ``row``."""
        self.restyle(row, 1, lambda s: replace(s, font=TITLE.font))

    def style_known_rows(self, styled: tuple[list[int], list[int]]) -> None:
        """Header rows (as wide as the sheet) and title rows, as ``layout.styled_rows`` found them."""
        header_rows, title_rows = styled
        for row in header_rows:
            self.style_header(row, self.max_column())
        for row in title_rows:
            self.style_title(row)

    def lay_out(self, layout: SheetLayout) -> None:
        """Draw a new workbook's ``layout``."""
        self.write_rows(layout.rows)
        for row in layout.header_rows:
            self.style_header(row, len(layout.rows[row - 1]))
        for row in layout.title_rows:
            self.style_title(row)
        self.widths = list(layout.widths)
        self.freeze = layout.freeze

    def mark(self, marks: Sequence[CellMark]) -> None:
        """Colour each marked cell by kind; its note (none: no note) goes in a comment."""
        for m in marks:
            self.fills[(m.row, m.column)] = mark_fill(m.kind)
            if m.note:
                self.notes[(m.row, m.column)] = m.note
            else:
                self.notes.pop((m.row, m.column), None)

    def _cell_row(self, row: int) -> dict[int, Cell]:
        cells = self.cells.get(row)
        if cells is None:
            cells = self.cells[row] = {}
        return cells

    # --- reading it back -----------------------------------------------------------------

    def _in_table(self, row: int, column: int) -> bool:
        t = self.table
        return t is not None and 1 <= column <= len(t.columns) and 1 <= row <= len(t.rows) + 1

    def value_at(self, row: int, column: int) -> Any:
        """The converted value a cell holds."""
        overlay = self.cells.get(row, {}).get(column)
        if overlay is not None:
            return overlay[0]
        if self.table is not None and self._in_table(row, column):
            if row == 1:
                return general(self.table.columns[column - 1].name)
            return convert(self.table.rows[row - 2][column - 1], self.table.columns[column - 1].kind)
        return None

    def style_at(self, row: int, column: int) -> CellStyle | None:
        """The format a cell has now (None: none of its own)."""
        overlay = self.cells.get(row, {}).get(column)
        if overlay is not None:
            return overlay[1]
        if self.table is not None and self._in_table(row, column):
            if row == 1:
                return HEADER
            return CellStyle(NUMBER_FORMATS[self.table.columns[column - 1].kind])
        return None

    def max_row(self) -> int:
        """The last row with a cell in it (0 for an empty sheet)."""
        rows = [r for r, cells in self.cells.items() if cells]
        rows += [r for r, _ in self.fills] + [r for r, _ in self.notes]
        if self.table is not None and self.table.columns:
            rows.append(len(self.table.rows) + 1)
        return max(rows, default=0)

    def max_column(self) -> int:
        """The last column with a cell in it (0 for an empty sheet)."""
        columns = [c for cells in self.cells.values() for c in cells]
        columns += [c for _, c in self.fills] + [c for _, c in self.notes]
        if self.table is not None:
            columns.append(len(self.table.columns))
        return max(columns, default=0)

    def grid(self) -> list[list[Any]]:
        """The values as ``read_grid`` promises them (trailing empties trimmed)."""
        grid: list[list[Any]] = []
        if self.table is not None and self.table.columns:
            kinds = [c.kind for c in self.table.columns]
            grid.append([general(c.name) for c in self.table.columns])
            grid += [[convert(v, k) for v, k in zip(row, kinds)] for row in self.table.rows]
        for row, cells in self.cells.items():
            while len(grid) < row:
                grid.append([])
            line = grid[row - 1]
            for column, (value, _) in cells.items():
                line.extend([None] * (column - len(line)))
                line[column - 1] = value
        return trim_grid(grid)

    # --- XML -----------------------------------------------------------------------------

    def chunks(self, styles: StyleSheet, legacy_drawing: str | None) -> Iterator[str]:
        """The worksheet part, a few hundred rows per chunk. Formats missing from
        ``styles`` are added to it on the way."""
        last_row, last_column = self.max_row(), self.max_column()
        dimension = f"A1:{column_letter(last_column)}{last_row}" if last_row and last_column else "A1"
        yield ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">')
        colour = "".join(f' {k}="{escape_text(v)}"' for k, v in (self.tab_color or {}).items())
        tab = f"<tabColor{colour}/>" if self.tab_color else ""
        fit = '<pageSetUpPr fitToPage="1"/>' if self.printed_as_table else ""
        if tab or fit:
            yield f"<sheetPr>{tab}{fit}</sheetPr>"
        yield f'<dimension ref="{dimension}"/>' + _views(self.freeze, self.selected)
        yield '<sheetFormatPr defaultRowHeight="15"/>' + self._cols(styles, last_column)
        yield "<sheetData>"
        yield from self._rows(styles, last_row)
        yield "</sheetData>"
        if self.filter:
            yield f'<autoFilter ref="{self.filter}"/>'
        yield '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        if self.printed_as_table:
            yield '<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
        if legacy_drawing:
            yield f'<legacyDrawing r:id="{legacy_drawing}"/>'
        yield "</worksheet>"

    def _cols(self, styles: StyleSheet, last_column: int) -> str:
        count = max([len(self.widths), *self.hidden_columns, *self.column_formats, 0])
        if not count:
            return ""
        parts = []
        for c in range(1, count + 1):
            custom = c <= len(self.widths)
            width = self.widths[c - 1] if custom else DEFAULT_WIDTH
            extra = ' customWidth="1"' if custom else ""
            if c in self.column_formats:
                extra += f' style="{styles.index(CellStyle(self.column_formats[c]))}"'
            if c in self.hidden_columns:
                extra += ' hidden="1"'
            parts.append(f'<col min="{c}" max="{c}" width="{width:g}"{extra}/>')
        return "<cols>" + "".join(parts) + "</cols>"

    def _rows(self, styles: StyleSheet, last_row: int) -> Iterator[str]:
        table = self.table
        body = len(table.rows) + 1 if table is not None and table.columns else 0
        touched = set(self.cells) | {r for r, _ in self.fills}
        writers = _column_writers(table, styles) if body else []
        batch: list[str] = []
        for number in range(1, last_row + 1):
            rn = str(number)
            if number in touched or number == 1 or number > body:
                line = self._slow_row(number, styles)
            else:
                assert table is not None
                line = "".join([w(v, rn) for w, v in zip(writers, table.rows[number - 2])])
            if line:
                batch.append(f'<row r="{rn}">{line}</row>')
            if len(batch) >= 500:
                yield "".join(batch)
                batch = []
        yield "".join(batch)

    def _slow_row(self, number: int, styles: StyleSheet) -> str:
        """One row cell by cell: the header, rows with marks or written cells, plain rows."""
        columns = set(self.cells.get(number, {})) | {c for r, c in self.fills if r == number}
        if self.table is not None and number <= len(self.table.rows) + 1:
            columns |= set(range(1, len(self.table.columns) + 1))
        rn = str(number)
        overlay = self.cells.get(number, {})
        parts = []
        for column in sorted(columns):
            if column in overlay:
                value, style = overlay[column]
            else:
                value = self.value_at(number, column)
                style = written_style(self.style_at(number, column), value)
            fill = self.fills.get((number, column))
            if fill is not None:
                style = replace(style or CellStyle(), fill=fill)
            parts.append(cell_xml(column_letter(column) + rn, value, style, styles))
        return "".join(parts)


def written_style(style: CellStyle | None, value: Any) -> CellStyle | None:
    """The format a cell gets when ``value`` is written into it: its old one, with a date
    format for a date and a quote prefix for formula-looking text (as openpyxl did)."""
    if isinstance(value, datetime | date) and not (style and is_date_format(style.number_format)):
        style = replace(style or CellStyle(), number_format=DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        style = replace(style or CellStyle(), quote=True)
    return style


def cell_xml(ref: str, value: Any, style: CellStyle | None, styles: StyleSheet) -> str:
    """One ``<c>`` element for a converted value (an empty, unformatted cell: nothing)."""
    s = "" if style is None or style == CellStyle() else f' s="{styles.index(style)}"'
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>' if s else ""
    if isinstance(value, str):
        return f'<c r="{ref}"{s} t="inlineStr"><is>{_t(value)}</is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    number = _number_text(value)
    if number is None:
        return f'<c r="{ref}"{s} t="inlineStr"><is>{_t(str(value))}</is></c>'
    return f'<c r="{ref}"{s}><v>{number}</v></c>'


def _t(text: str) -> str:
    if text[:1].isspace() or text[-1:].isspace():
        return f'<t xml:space="preserve">{escape_text(text)}</t>'
    return f"<t>{escape_text(text)}</t>"


def _number_text(value: Any) -> str | None:
    """The ``<v>`` text of a number or date; None for what no number cell can hold."""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (datetime, date)):
        return repr(excel_serial(value)) if isinstance(value, datetime) else str(excel_serial(value))
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return repr(number)


def _column_writers(table: Table | None, styles: StyleSheet) -> list[CellWriter]:
    assert table is not None
    return [_writer(column_letter(c), col.kind, styles) for c, col in enumerate(table.columns, start=1)]


def _writer(letter: str, kind: ColumnKind, styles: StyleSheet) -> CellWriter:
    """The fastest way to write one body cell of a ``kind`` column: one call per cell, and
    for the usual values (plain text, a Decimal, an int, a date) no further call at all."""
    base = CellStyle(NUMBER_FORMATS[kind])
    sid = styles.index(base)
    s = f' s="{sid}"' if sid else ""
    open_ = f'<c r="{letter}'
    text_open = f'"{s} t="inlineStr"><is><t>'
    number_open = f'"{s}><v>'
    date_column = is_date_format(base.number_format)

    def slow(value: Any, rn: str) -> str:
        converted = convert(value, kind)
        return cell_xml(letter + rn, converted, written_style(base, converted), styles)

    if kind is ColumnKind.TEXT:
        def text_cell(value: Any, rn: str) -> str:
            if value.__class__ is str and len(value) <= MAX_CELL_TEXT and _SPECIAL_TEXT.search(value) is None:
                return open_ + rn + text_open + value + "</t></is></c>" if value else ""
            return slow(value, rn)
        return text_cell

    def any_cell(value: Any, rn: str) -> str:
        if value is None:
            return ""
        cls = value.__class__
        if cls is str:
            if len(value) <= MAX_CELL_TEXT and _SPECIAL_TEXT.search(value) is None:
                return open_ + rn + text_open + value + "</t></is></c>" if value else ""
        elif cls is Decimal:
            if kind is not ColumnKind.INTEGER and value.is_finite():
                return open_ + rn + number_open + repr(float(value)) + "</v></c>"
        elif cls is int:
            return open_ + rn + number_open + str(value) + "</v></c>"
        elif cls is date and date_column:
            days = value.toordinal() - _EPOCH_ORDINAL
            return open_ + rn + number_open + str(days - 1 if 0 < days <= 60 else days) + "</v></c>"
        return slow(value, rn)
    return any_cell


def _widths(table: Table) -> list[float]:
    """Readable widths: the column's own, else from the header and the first rows."""
    widths: list[float] = []
    sample = table.rows[:WIDTH_SAMPLE_ROWS]
    for index, column in enumerate(table.columns):
        if column.width is not None:
            widths.append(column.width)
        else:
            values = (convert(row[index], column.kind) for row in sample)
            widths.append(column_width(column.name, values, column.kind))
    return widths


def _views(freeze: str | None, selected: bool) -> str:
    tab = ' tabSelected="1"' if selected else ""
    if not freeze or freeze == "A1":
        return f'<sheetViews><sheetView{tab} workbookViewId="0"/></sheetViews>'
    letters = freeze.rstrip("0123456789")
    row = int(freeze[len(letters):])
    column = 0
    for ch in letters:
        column = column * 26 + ord(ch) - 64
    splits = (f' xSplit="{column - 1}"' if column > 1 else "") + (f' ySplit="{row - 1}"' if row > 1 else "")
    pane = "bottomRight" if column > 1 and row > 1 else ("bottomLeft" if row > 1 else "topRight")
    return (f'<sheetViews><sheetView{tab} workbookViewId="0"><pane{splits} topLeftCell="{freeze}" '
            f'activePane="{pane}" state="frozen"/><selection pane="{pane}" activeCell="{freeze}" sqref="{freeze}"/>'
            "</sheetView></sheetViews>")


__all__ = ["NewSheet", "cell_xml", "clean_text", "mark_fill", "written_style"]
