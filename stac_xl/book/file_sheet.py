"""Writing one worksheet through openpyxl: tables, plain rows, layouts and cell marks.

The file adapter's drawing code, kept apart from opening and saving (``file.py``). Styles
are module-level objects created once: openpyxl interns them per workbook, and making a
Font or Fill per cell is what makes big writes slow.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from stac_xl.book.cells import NUMBER_FORMATS, column_width, convert, general, looks_like_formula
from stac_xl.book.layout import SheetLayout
from stac_xl.book.port import CellMark
from stac_xl.book.table import ColumnKind, Table
from stac_xl.gc_pause import gc_paused

HEADER_FONT = Font(name="Calibri", bold=True)  # a name, or LibreOffice falls back to a serif
HEADER_FILL = PatternFill(fill_type="solid", fgColor="D9E1F2")
TITLE_FONT = Font(name="Calibri", bold=True, size=12)
MARK_FILLS: dict[str, PatternFill] = {
    "error": PatternFill(fill_type="solid", fgColor="FFC7CE"),    # light red
    "warning": PatternFill(fill_type="solid", fgColor="FFEB9C"),  # light yellow
    "edited": PatternFill(fill_type="solid", fgColor="DDEBF7"),   # light blue
}
WIDTH_SAMPLE_ROWS = 200


def put(cell: Cell, value: Any) -> None:
    """Set ``cell`` to an already converted ``value``; text always stays text.

    openpyxl would store "=…" as a formula and "#N/A" as an error; forcing the type to
    string stops both, and the quote prefix keeps formula-looking text as text even when
    the clerk edits the cell in Excel.
    """
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True


def replace_sheet(book: Workbook, name: str) -> Worksheet:
    """An empty sheet called ``name`` in place of the old one (same tab, same tab colour).

    Deleting and recreating is far faster than clearing cells, and leaves no stale rows,
    styles, comments or filters behind. A new sheet goes at the end.
    """
    if name not in book.sheetnames:
        return book.create_sheet(name)
    old = book[name]
    index = book.sheetnames.index(name)
    tab_color = old.sheet_properties.tabColor
    was_active = book.active is old
    book.remove(old)
    sheet = book.create_sheet(name, index)
    sheet.sheet_properties.tabColor = tab_color
    if was_active:
        book.active = sheet
    return sheet


def style_header(sheet: Worksheet, row: int, width: int) -> None:
    """Bold text on a fill for the first ``width`` cells of ``row``."""
    for column in range(1, width + 1):
        cell = sheet.cell(row=row, column=column)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL


def set_widths(sheet: Worksheet, widths: Sequence[float]) -> None:
    """Column widths in characters, column A first."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _check_hidden(table: Table, hidden_columns: Sequence[str]) -> list[int]:
    """1-based positions of the hidden columns (a name not in the table is our own bug)."""
    return [table.index(name) + 1 for name in hidden_columns]


def _widths(table: Table, converted_sample: list[list[Any]]) -> list[int]:
    widths = []
    for index, column in enumerate(table.columns):
        if column.width is not None:
            widths.append(column.width)
        else:
            values = (row[index] for row in converted_sample)
            widths.append(column_width(column.name, values, column.kind))
    return widths


def _column_styles(sheet: Worksheet, formats: list[str]) -> list[tuple[StyleArray, StyleArray]]:
    """Per column, the style of a plain cell and of formula-looking text (quote prefix).

    Styling each cell through openpyxl's setters looks the format up again per cell; a
    prepared style copied into each cell is the same result for a fraction of the time.
    """
    styles = []
    for number_format in formats:
        plain = Cell(sheet)
        plain.number_format = number_format
        quoted = Cell(sheet)
        quoted.number_format = number_format
        quoted.quotePrefix = True
        styles.append((plain._style, quoted._style))
    return styles


def _write_rows(sheet: Worksheet, table: Table) -> list[list[Any]]:
    """Append the data rows under the header; return the first converted rows for sizing."""
    kinds = [c.kind for c in table.columns]
    styles = _column_styles(sheet, [NUMBER_FORMATS[k] for k in kinds])
    width = len(kinds)
    sample: list[list[Any]] = []
    for number, row in enumerate(table.rows, start=1):
        if len(row) != width:
            raise ValueError(f"table row {number} has {len(row)} values for {width} columns")
        values = [convert(v, k) for v, k in zip(row, kinds)]
        if len(sample) < WIDTH_SAMPLE_ROWS:
            sample.append(values)
        cells = []
        for value, (plain, quoted) in zip(values, styles):
            is_text = isinstance(value, str)
            style = quoted if is_text and looks_like_formula(value) else plain
            # A date in a General column gets a date format from openpyxl's setter.
            cell = Cell(sheet, style_array=copy(style))
            cell.value = value
            if is_text:
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    return sample


def write_table(sheet: Worksheet, table: Table, hidden_columns: Sequence[str] = ()) -> None:
    """Fill an empty ``sheet`` with ``table``: header, typed cells, freeze, filter, widths."""
    hidden = _check_hidden(table, hidden_columns)
    for column, name in enumerate(table.headers, start=1):
        put(sheet.cell(row=1, column=column), general(name))
    if not table.columns:
        return
    style_header(sheet, 1, len(table.columns))
    with gc_paused():
        sample = _write_rows(sheet, table)
    last = get_column_letter(len(table.columns))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
    set_widths(sheet, _widths(table, sample))
    for column in hidden:
        sheet.column_dimensions[get_column_letter(column)].hidden = True
    # Empty TEXT columns still take typed ids as text when the clerk adds rows by hand.
    for column, col in enumerate(table.columns, start=1):
        if col.kind is ColumnKind.TEXT:
            sheet.column_dimensions[get_column_letter(column)].number_format = "@"


def write_rows(sheet: Worksheet, rows: list[list[Any]], start_row: int = 1, start_column: int = 1) -> None:
    """Write plain values with the top-left at (``start_row``, ``start_column``); other
    cells are untouched."""
    with gc_paused():
        for row_number, row in enumerate(rows, start=start_row):
            for column, value in enumerate(row, start=start_column):
                put(sheet.cell(row=row_number, column=column), general(value))


def style_known_rows(sheet: Worksheet, styled: tuple[list[int], list[int]]) -> None:
    """Bold titles and filled header rows, as :func:`layout.styled_rows` found them."""
    header_rows, title_rows = styled
    for row in header_rows:
        style_header(sheet, row, sheet.max_column)
    for row in title_rows:
        sheet.cell(row=row, column=1).font = TITLE_FONT


def lay_out(sheet: Worksheet, layout: SheetLayout) -> None:
    """Draw a new workbook's ``layout`` on an empty ``sheet``."""
    write_rows(sheet, layout.rows)
    for row in layout.header_rows:
        style_header(sheet, row, len(layout.rows[row - 1]))
    for row in layout.title_rows:
        sheet.cell(row=row, column=1).font = TITLE_FONT
    set_widths(sheet, layout.widths)
    if layout.freeze:
        sheet.freeze_panes = layout.freeze


def mark(sheet: Worksheet, marks: Sequence[CellMark]) -> None:
    """Colour each marked cell by kind and put its note in a comment (no note: none)."""
    for m in marks:
        try:
            fill = MARK_FILLS[m.kind]
        except KeyError:
            raise ValueError(f"unknown mark kind {m.kind!r}; use one of {sorted(MARK_FILLS)}") from None
        cell = sheet.cell(row=m.row, column=m.column)
        cell.fill = fill
        cell.comment = Comment(m.note, "STAC", width=300, height=120) if m.note else None
