"""Sheets of the memory engine (see :mod:`xl_memory_engine`).

Cells live in one dict per sheet keyed by an int per cell; formats, colours and bold are
kept as rectangles (last one set wins), as one call formats a whole column in Excel.

As in Excel, the used range takes in formatted cells as well as filled ones, except
whole-column and whole-row formats (Excel keeps those per column or row, not per cell);
a hidden sheet cannot be activated; the last visible sheet cannot be hidden, and hiding
the active sheet activates a visible neighbour.
"""

from __future__ import annotations

from typing import Any

from xl_memory_range import MAX_COLS, MAX_ROWS, ComError, Note, Range, Rect, _bounds, areas_of, key


class Sheet:
    """One worksheet: values, formulas, text prefixes, formats, widths, hidden columns, notes."""

    api = None  # no COM object: the adapter's COM-only extras must skip themselves

    def __init__(self, book: Any, name: str) -> None:
        self._book, self._name = book, name
        self.values: dict[int, Any] = {}
        self.formulas: set[int] = set()
        self.prefixed: set[int] = set()
        self.styles: dict[str, list[tuple[Rect, Any]]] = {"number_format": [], "color": [], "bold": [], "font_size": []}
        self.widths: dict[int, float] = {}
        self.hidden: set[int] = set()
        self.notes_by_cell: dict[int, str] = {}
        self.extent: Rect | None = None  # the area holding values
        self.format_extent: Rect | None = None  # the area of cell-level formats
        self._visible = True

    @property
    def visible(self) -> bool:
        self.count("visible.get")
        return self._visible

    @visible.setter
    def visible(self, value: bool) -> None:
        self.count("visible")
        sheets = self._book.sheets
        if not value and self._visible:
            others = [s for s in sheets if s is not self and s._visible]
            if not others:
                raise ComError("Excel refuses to hide the only visible sheet of a workbook")
            if sheets.active is self:
                before = [s for s in others if s.index < self.index]
                sheets._active = before[-1] if before else others[0]
        self._visible = bool(value)

    def count(self, what: str) -> None:
        """Record one engine call."""
        self._book.app.engine.count(what)

    book = property(lambda self: self._book)
    index = property(lambda self: self._book.sheets._sheets.index(self) + 1)

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self.count("sheet.name")
        self._name = value

    def range(self, arg1: Any, arg2: Any = None) -> Range:
        self.count("range")
        if isinstance(arg1, str) and arg2 is None:
            first, *more = areas_of(arg1)
            return Range(self, *first, *more)
        r1, c1, r2, c2 = _bounds(arg1)
        if arg2 is not None:
            s1, d1, s2, d2 = _bounds(arg2)
            r1, c1, r2, c2 = min(r1, s1), min(c1, d1), max(r2, s2), max(c2, d2)
        return Range(self, r1, c1, r2, c2)

    @property
    def cells(self) -> Range:
        """The whole sheet (xlwings' ``sheet[r, c]`` indexes into it)."""
        return Range(self, 1, 1, MAX_ROWS, MAX_COLS)

    @property
    def notes(self) -> list[Note]:
        """The notes on the sheet (one call, as COM's ``Comments`` collection)."""
        self.count("sheet.notes")
        return [Note(Range(self, k >> 15, k & 0x7FFF, k >> 15, k & 0x7FFF)) for k in self.notes_by_cell]

    @property
    def used_range(self) -> Range:
        self.count("used_range")
        return Range(self, *(_union(self.extent, self.format_extent) or (1, 1, 1, 1)))

    def activate(self) -> None:
        self.count("sheet.activate")
        if not self._visible:
            raise ComError(f"Activate method of Worksheet class failed ({self._name} is hidden)")
        self._book.sheets._active = self

    def select(self) -> None:
        self.activate()

    def clear_contents(self) -> None:
        self.count("sheet.clear_contents")
        self._forget_values()

    def clear(self) -> None:
        self.count("sheet.clear")
        self._forget_values()
        self.notes_by_cell.clear()
        for rects in self.styles.values():
            rects.clear()
        self.format_extent = None

    def _forget_values(self) -> None:
        self.values.clear()
        self.formulas.clear()
        self.prefixed.clear()
        self.extent = None

    def delete(self) -> None:
        self.count("sheet.delete")
        self._book.sheets._sheets.remove(self)

    # -- helpers for the ranges and for tests ------------------------------------------------

    def style_at(self, style: str, row: int, col: int, default: Any = None) -> Any:
        """The ``style`` ("number_format", "color", "bold") last set on a range holding the cell."""
        for (r1, c1, r2, c2), value in reversed(self.styles[style]):
            if r1 <= row <= r2 and c1 <= col <= c2:
                return value
        return default

    def value_at(self, row: int, col: int) -> Any:
        """The stored value of a cell (None if empty)."""
        return self.values.get(key(row, col))

    def is_formula(self, row: int, col: int) -> bool:
        """True if Excel would have taken the text written to the cell as a formula."""
        return key(row, col) in self.formulas

    def recompute_extent(self) -> None:
        """Recompute the used area after cells were cleared."""
        self.extent = None
        for k in self.values:
            self.grow_extent(k >> 15, k & 0x7FFF)

    def grow_extent(self, row: int, col: int) -> None:
        """Widen the used area to take in a cell that now holds a value."""
        if self.extent is None:
            self.extent = (row, col, row, col)
        else:
            top, left, bottom, right = self.extent
            if not (top <= row <= bottom and left <= col <= right):
                self.extent = (min(top, row), min(left, col), max(bottom, row), max(right, col))

    def grow_format_extent(self, area: Rect) -> None:
        """Take a formatted rectangle into the used range, unless it is whole columns or rows."""
        r1, c1, r2, c2 = area
        if (r1, r2) == (1, MAX_ROWS) or (c1, c2) == (1, MAX_COLS):
            return
        self.format_extent = _union(self.format_extent, area)


def _union(a: Rect | None, b: Rect | None) -> Rect | None:
    """The smallest rectangle holding both (either may be None)."""
    if a is None or b is None:
        return a or b
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])
