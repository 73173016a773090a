"""Changing a few cells of a sheet that is otherwise kept as it is (a row appended to *Log*,
a block written beside a table, a mark on a cell).

Only the ``<row>`` elements that change are rebuilt; every other byte of the worksheet part
(other rows, shared-string references, column settings, conditional formats, extensions)
stays as it was. A written cell keeps its format, with a date format for a date and a quote
prefix for formula-looking text, as :func:`~stac_xl.book.file_sheet.written_style` says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from stac_xl.book import xlsx_xml as X
from stac_xl.book.cells import FORMULA_STARTS, column_letter, general
from stac_xl.book.file_sheet import cell_xml, mark_fill
from stac_xl.book.port import CellMark
from stac_xl.book.xlsx_styles import DATE_FORMAT, DATETIME_FORMAT, StyleSheet
from stac_xl.book.xlsx_values import is_date_format

_ROW = re.compile(r"<((?:[\w.-]+:)?)row\b([^>]*?)(?:/>|>(.*?)</\1row>)", re.S)
_CELL = re.compile(r"<((?:[\w.-]+:)?)c\b([^>]*?)(?:/>|>(.*?)</\1c>)", re.S)
_REF = re.compile(r"([A-Z]+)(\d+)")
_NO_VALUE = object()


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


@dataclass
class SheetEdits:
    """Cells to write, fills and notes to set on an existing sheet."""

    values: dict[tuple[int, int], Any] = field(default_factory=dict)
    fills: dict[tuple[int, int], str] = field(default_factory=dict)
    notes: dict[tuple[int, int], str | None] = field(default_factory=dict)

    def write_rows(self, rows: list[list[Any]], start_row: int, start_column: int) -> None:
        """Plain values with the top-left at (``start_row``, ``start_column``)."""
        for r, row in enumerate(rows, start=start_row):
            for c, value in enumerate(row, start=start_column):
                self.values[(r, c)] = general(value)

    def mark(self, marks: list[CellMark]) -> None:
        """A fill per mark, and its note (or no note)."""
        for m in marks:
            self.fills[(m.row, m.column)] = mark_fill(m.kind)
            self.notes[(m.row, m.column)] = m.note or None

    def touched(self) -> set[tuple[int, int]]:
        """Every cell a value or fill is set on."""
        return set(self.values) | set(self.fills)

    def overlay(self, grid: list[list[Any]]) -> list[list[Any]]:
        """``grid`` (the sheet as read) with the written values in place."""
        for (r, c), value in self.values.items():
            while len(grid) < r:
                grid.append([])
            line = grid[r - 1]
            line.extend([None] * (c - len(line)))
            line[c - 1] = None if value == "" else value
        return grid


def patch_cells(xml: str, edits: SheetEdits, styles: StyleSheet) -> str:
    """The worksheet ``xml`` with the edited cells rewritten (the rest byte for byte)."""
    by_row: dict[int, set[int]] = {}
    for r, c in edits.touched():
        by_row.setdefault(r, set()).add(c)
    if not by_row:
        return xml
    data = X.first(xml, "sheetData")
    if data is None:
        raise ValueError("worksheet without sheetData")
    prefix = X.prefix_of(data.tag)
    inner_start = data.end
    inner_end = data.end if data.empty else X.closing(xml, data)
    inner = xml[inner_start:inner_end]
    pieces, last, number = [], 0, 0
    pending = sorted(by_row)
    for m in _ROW.finditer(inner):
        attributes = X.parse_attributes(m.group(2))
        number = int(attributes.get("r", number + 1))
        pieces.append(inner[last:m.start()])
        while pending and pending[0] < number:
            new = pending.pop(0)
            pieces.append(_row_xml(prefix, new, {}, "", by_row[new], edits, styles))
        if pending and pending[0] == number:
            pending.pop(0)
            pieces.append(_row_xml(prefix, number, attributes, m.group(3) or "", by_row[number], edits, styles))
        else:
            pieces.append(m.group(0))
        last = m.end()
    pieces.append(inner[last:])
    pieces += [_row_xml(prefix, r, {}, "", by_row[r], edits, styles) for r in pending]
    body = "".join(pieces)
    opened = xml[:data.start] + X.start_tag(data.tag, data.attributes, empty=False)
    closed = f"</{data.tag}>" + xml[inner_end + (0 if data.empty else len(f"</{data.tag}>")):]
    return _with_dimension(opened + body + closed, edits)


def _row_xml(prefix: str, number: int, attributes: dict[str, str], inner: str, columns: set[int],
             edits: SheetEdits, styles: StyleSheet) -> str:
    cells: dict[int, str] = {}
    styles_of: dict[int, int] = {}
    column = 0
    for m in _CELL.finditer(inner):
        a = X.parse_attributes(m.group(2))
        found = _REF.fullmatch(a.get("r", ""))
        column = _column_number(found.group(1)) if found else column + 1
        cells[column] = m.group(0)
        styles_of[column] = int(a.get("s", "0"))
    for c in sorted(columns):
        ref = f"{column_letter(c)}{number}"
        style = styles_of.get(c, 0)
        value = edits.values.get((number, c), _NO_VALUE)
        if value is not _NO_VALUE:
            style = _written(styles, style, value)
        fill = edits.fills.get((number, c))
        if fill is not None:
            style = styles.derive(style, fill=fill)
        if value is _NO_VALUE and c in cells:
            cells[c] = _restyled(cells[c], style)
            continue
        new = _with_style(cell_xml(ref, None if value is _NO_VALUE else value, None, styles), ref, style)
        cells[c] = re.sub(r"<(/?)(?=[a-z])", rf"<\1{prefix}", new) if prefix else new
    kept = {k: v for k, v in attributes.items() if k != "spans"}
    kept["r"] = str(number)
    body = "".join(cells[c] for c in sorted(cells))
    return X.start_tag(prefix + "row", kept, empty=False) + body + f"</{prefix}row>"


def _written(styles: StyleSheet, style: int, value: Any) -> int:
    """The format of a cell after ``value`` is written into it (see ``written_style``)."""
    if isinstance(value, datetime | date) and not is_date_format(styles.number_format(style)):
        style = styles.derive(style, number_format=DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        style = styles.derive(style, quote=True)
    return style


def _with_style(element: str, ref: str, style: int) -> str:
    if not element:
        element = f'<c r="{ref}"/>'
    return _restyled(element, style)


def _restyled(element: str, style: int) -> str:
    """A ``<c>`` element with its ``s`` attribute set to ``style`` (dropped for 0)."""
    end = element.index(">")
    head = element[:end]
    closing = head.endswith("/")
    head = head[:-1] if closing else head
    head = re.sub(r'\s+s\s*=\s*"[^"]*"', "", head)
    if style:
        head = re.sub(r"^(<(?:[\w.-]+:)?c)\b", rf'\1 s="{style}"', head)
    return head + ("/" if closing else "") + element[end:]


def _with_dimension(xml: str, edits: SheetEdits) -> str:
    """The ``<dimension>`` widened to take in the edited cells."""
    found = X.first(xml, "dimension")
    if found is None or not edits.touched():
        return xml
    refs = [_REF.fullmatch(part) for part in found.attributes.get("ref", "A1").split(":")]
    rows = [int(m.group(2)) for m in refs if m] + [r for r, _ in edits.touched()]
    cols = [_column_number(m.group(1)) for m in refs if m] + [c for _, c in edits.touched()]
    first_cell = f"{column_letter(min(cols))}{min(rows)}"
    ref = f"{first_cell}:{column_letter(max(cols))}{max(rows)}"
    attributes = dict(found.attributes)
    attributes["ref"] = ref
    return xml[:found.start] + X.start_tag(found.tag, attributes, empty=found.empty) + xml[found.end:]


def sheet_look(xml: str) -> tuple[dict[str, str] | None, bool]:
    """What a rewritten sheet keeps of the old one: its tab colour, whether its tab was selected."""
    colour = X.first(xml, "tabColor")
    view = X.first(xml, "sheetView")
    selected = view is not None and view.attributes.get("tabSelected", "0") in ("1", "true")
    return (colour.attributes if colour else None), selected


def insert_legacy_drawing(xml: str, rel_id: str) -> str:
    """``xml`` with a ``<legacyDrawing>`` element where the schema wants it."""
    later = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
             "tableParts", "extLst")
    positions = [e.start for name in later if (e := X.first(xml, name)) is not None]
    root = X.first(xml, "worksheet")
    assert root is not None
    at = min(positions) if positions else X.closing(xml, root)
    element = f'<{X.prefix_of(root.tag)}legacyDrawing xmlns:r="{_REL_NS}" r:id="{rel_id}"/>'
    return xml[:at] + element + xml[at:]


_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
