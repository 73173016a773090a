"""Sheets of the memory engine (see :mod:`xl_memory_engine`).

Cells live in one dict per sheet keyed by an int per cell; formats, colours and bold are
kept as rectangles (last one set wins), as one call formats a whole column in Excel.
"""

from __future__ import annotations

from typing import Any

from xl_memory_range import MAX_COLS, MAX_ROWS, Range, Rect, _bounds, key


class Sheet:
    """One worksheet: values, formulas, text prefixes, formats, widths, hidden columns, notes."""

    api = None  # no COM object: the adapter's COM-only extras must skip themselves

    def __init__(self, book: Any, name: str) -> None:
        self._book, self._name = book, name
        self.values: dict[int, Any] = {}
        self.formulas: set[int] = set()
        self.prefixed: set[int] = set()
        self.styles: dict[str, list[tuple[Rect, Any]]] = {"number_format": [], "color": [], "bold": []}
        self.widths: dict[int, float] = {}
        self.hidden: set[int] = set()
        self.notes: dict[int, str] = {}
        self.extent: Rect | None = None  # the used area, as Excel's UsedRange
        self._visible = True

    @property
    def visible(self) -> bool:
        return self._visible

    @visible.setter
    def visible(self, value: bool) -> None:
        self.count("visible")
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
    def used_range(self) -> Range:
        self.count("used_range")
        return Range(self, *(self.extent or (1, 1, 1, 1)))

    def activate(self) -> None:
        self.count("sheet.activate")
        self._book.sheets._active = self

    def select(self) -> None:
        self.activate()

    def clear_contents(self) -> None:
        self.count("sheet.clear_contents")
        self._forget_values()

    def clear(self) -> None:
        self.count("sheet.clear")
        self._forget_values()
        self.notes.clear()
        for rects in self.styles.values():
            rects.clear()

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
