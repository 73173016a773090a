"""Ranges of the memory engine (see :mod:`xl_memory_engine`): values, styles, notes.

A range writes through :func:`_store`, which imitates typing into Excel; styles are
appended to the sheet as rectangles (last one set wins).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import xlwings.base_classes as base
from xlwings.utils import a1_to_tuples, col_name

MAX_ROWS, MAX_COLS = 1_048_576, 16_384
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")

if TYPE_CHECKING:
    from xl_memory_sheet import Sheet

Rect = tuple[int, int, int, int]  # first row, first column, last row, last column


def key(row: int, col: int) -> int:
    """The dict key of a cell: one int, as millions of tuples would cost too much memory."""
    return (row << 15) | col


class _Api:
    """A truthy stand-in for a COM object: xlwings writes only ``if rng.api and value``."""

    def __bool__(self) -> bool:
        return True


class Range(base.Range):
    """A rectangle of cells on a :class:`Sheet`."""

    def __init__(self, sheet: Sheet, r1: int, c1: int, r2: int, c2: int) -> None:
        self._sheet, self.r1, self.c1, self.r2, self.c2 = sheet, r1, c1, r2, c2
        self.options: dict[str, Any] = {}

    api = _Api()
    sheet = property(lambda self: self._sheet)
    row = property(lambda self: self.r1)
    column = property(lambda self: self.c1)
    shape = property(lambda self: (self.r2 - self.r1 + 1, self.c2 - self.c1 + 1))
    coords = property(lambda self: (self._sheet, self.r1, self.c1, *self.shape))
    has_array = False

    def __len__(self) -> int:
        rows, cols = self.shape
        return rows * cols

    def __call__(self, row: int, col: int | None = None) -> Range:
        self._sheet.count("range")
        if col is None:  # a 1-based index running along rows
            row, col = divmod(row - 1, self.shape[1])[0] + 1, (row - 1) % self.shape[1] + 1
        return Range(self._sheet, self.r1 + row - 1, self.c1 + col - 1, self.r1 + row - 1, self.c1 + col - 1)

    @property
    def address(self) -> str:
        return self.get_address(True, True, False)

    def get_address(self, row_absolute: bool, col_absolute: bool, external: bool) -> str:
        r, c = ("$" if row_absolute else ""), ("$" if col_absolute else "")
        first = f"{c}{col_name(self.c1)}{r}{self.r1}"
        if (self.r1, self.c1) == (self.r2, self.c2):
            return first
        return f"{first}:{c}{col_name(self.c2)}{r}{self.r2}"

    @property
    def raw_value(self) -> Any:
        self._sheet.count("raw_value.get")
        cells = self._sheet.values
        grid = [[cells.get(key(r, c)) for c in range(self.c1, self.c2 + 1)] for r in range(self.r1, self.r2 + 1)]
        return grid[0][0] if len(self) == 1 else grid

    @raw_value.setter
    def raw_value(self, data: Any) -> None:
        self._sheet.count("raw_value.set")
        if not isinstance(data, (list, tuple)):
            data = [[data] * self.shape[1] for _ in range(self.shape[0])]
        for r, row in enumerate(data, start=self.r1):
            for c, value in enumerate(row, start=self.c1):
                _store(self._sheet, r, c, value)

    def clear_contents(self) -> None:
        self._sheet.count("range.clear_contents")
        _top, _left, bottom, right = self._sheet.extent or (0, 0, 0, 0)
        for r in range(self.r1, min(self.r2, bottom) + 1):
            for c in range(self.c1, min(self.c2, right) + 1):
                _store(self._sheet, r, c, None)
        self._sheet.recompute_extent()

    def end(self, direction: str) -> Range:
        self._sheet.count("end")
        dr, dc = {"d": (1, 0), "u": (-1, 0), "r": (0, 1), "l": (0, -1)}[direction[0].lower()]
        r, c, cells = self.r1, self.c1, self._sheet.values
        if key(r, c) in cells and _inside(r + dr, c + dc) and key(r + dr, c + dc) in cells:
            while _inside(r + dr, c + dc) and key(r + dr, c + dc) in cells:
                r, c = r + dr, c + dc
        else:
            r, c = r + dr, c + dc
            while _inside(r, c) and key(r, c) not in cells and _inside(r + dr, c + dc):
                r, c = r + dr, c + dc
            r, c = min(max(r, 1), MAX_ROWS), min(max(c, 1), MAX_COLS)
        return Range(self._sheet, r, c, r, c)

    def _style(self, style: str, value: Any) -> None:
        self._sheet.count(f"{style}.set")
        self._sheet.styles[style].append(((self.r1, self.c1, self.r2, self.c2), value))

    @property
    def number_format(self) -> str:
        self._sheet.count("number_format.get")
        return self._sheet.style_at("number_format", self.r1, self.c1, "General")

    @number_format.setter
    def number_format(self, value: str) -> None:
        self._style("number_format", value)

    @property
    def color(self) -> Any:
        self._sheet.count("color.get")
        return self._sheet.style_at("color", self.r1, self.c1)

    @color.setter
    def color(self, value: Any) -> None:
        self._style("color", value)

    @property
    def font(self) -> Font:
        return Font(self)

    @property
    def column_width(self) -> float | None:
        return self._sheet.widths.get(self.c1)

    @column_width.setter
    def column_width(self, value: float) -> None:
        self._sheet.count("column_width.set")
        self._sheet.widths.update(dict.fromkeys(range(self.c1, self.c2 + 1), value))

    @property
    def column_hidden(self) -> bool:
        return self.c1 in self._sheet.hidden

    @column_hidden.setter
    def column_hidden(self, value: bool) -> None:
        self._sheet.count("column_hidden.set")
        columns = set(range(self.c1, self.c2 + 1))
        self._sheet.hidden = self._sheet.hidden | columns if value else self._sheet.hidden - columns

    @property
    def note(self) -> Note | None:
        self._sheet.count("note.get")
        return Note(self) if key(self.r1, self.c1) in self._sheet.notes else None

    def add_note(self, text: str) -> Note:
        self._sheet.count("note.add")
        self._sheet.notes[key(self.r1, self.c1)] = text
        return Note(self)


class Font:
    """The font of a range: only ``bold`` is kept."""

    def __init__(self, rng: Range) -> None:
        self.rng = rng

    @property
    def bold(self) -> bool:
        return bool(self.rng.sheet.style_at("bold", self.rng.r1, self.rng.c1, False))

    @bold.setter
    def bold(self, value: bool) -> None:
        self.rng._style("bold", value)


class Note:
    """The note (old-style comment) on one cell."""

    def __init__(self, rng: Range) -> None:
        self.rng, self.api = rng, None

    @property
    def text(self) -> str:
        return self.rng.sheet.notes[key(self.rng.r1, self.rng.c1)]

    @text.setter
    def text(self, value: str) -> None:
        self.rng.sheet.count("note.text")
        self.rng.sheet.notes[key(self.rng.r1, self.rng.c1)] = value

    def delete(self) -> None:
        self.rng.sheet.count("note.delete")
        del self.rng.sheet.notes[key(self.rng.r1, self.rng.c1)]


def _inside(row: int, col: int) -> bool:
    return 1 <= row <= MAX_ROWS and 1 <= col <= MAX_COLS


def _bounds(arg: Any) -> Rect:
    """A range argument as a rectangle: "A1", "A1:C3", (r, c), (r, c, rows, cols), a Range."""
    if isinstance(arg, Range):
        return arg.r1, arg.c1, arg.r2, arg.c2
    if isinstance(arg, tuple):
        if len(arg) == 2:
            return arg[0], arg[1], arg[0], arg[1]
        row, col, rows, cols = arg
        return row, col, row + max(rows, 1) - 1, col + max(cols, 1) - 1
    first, last = a1_to_tuples(arg.replace("$", ""))
    last = last or first
    return first[0], first[1], last[0], last[1]


def _store(sheet: Sheet, row: int, col: int, value: Any) -> None:
    """Put one value in a cell the way typing it into Excel would."""
    k = key(row, col)
    sheet.formulas.discard(k)
    sheet.prefixed.discard(k)
    if value is None or value == "":
        sheet.values.pop(k, None)
        return
    if isinstance(value, str):
        if value.startswith("'"):
            sheet.prefixed.add(k)
            value = value[1:]
        elif sheet.style_at("number_format", row, col) != "@":
            if value.startswith("="):
                sheet.formulas.add(k)
            elif _NUMBER.fullmatch(value.strip()):
                value = float(value)
            elif value.upper() in ("TRUE", "FALSE"):
                value = value.upper() == "TRUE"
    elif isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    sheet.values[k] = value
    sheet.grow_extent(row, col)
