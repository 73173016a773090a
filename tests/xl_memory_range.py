"""Ranges of the memory engine (see :mod:`xl_memory_engine`): values, styles, notes.

A range writes through :func:`_store`, which imitates typing into Excel; styles are
appended to the sheet as rectangles (last one set wins). A range may have several areas
(``"A1,C3:C9"``), as Excel's ``Range("…")`` takes them, up to Excel's 255-character
address limit.

Strict where COM is: a write is refused whole, before any cell changes, with
:class:`ComError` if a value is one COM cannot hand to Excel unchanged (see
:func:`refusal`).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import xlwings.base_classes as base
from xlwings.utils import a1_to_tuples, col_name

MAX_ROWS, MAX_COLS = 1_048_576, 16_384
MAX_CELL_TEXT = 32_767  # characters Excel holds in one cell
MAX_ADDRESS = 255  # characters Range("…") takes in one address
MAX_EXACT_INT = 2**53  # a double, which is all a cell holds, is exact up to here
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")

if TYPE_CHECKING:
    from xl_memory_sheet import Sheet

Rect = tuple[int, int, int, int]  # first row, first column, last row, last column


def key(row: int, col: int) -> int:
    """The dict key of a cell: one int, as millions of tuples would cost too much memory."""
    return (row << 15) | col


class ComError(Exception):
    """What pywin32's ``com_error`` stands for here: Excel (or COM) refused the call."""


def refusal(value: Any) -> str | None:
    """Why COM would refuse or silently change ``value`` on its way into a cell, or None.

    Decimal becomes a 4-decimal Currency, NaN an empty cell, infinity an error; an aware
    datetime loses its zone; text past 32,767 characters is refused; an int beyond 2**53
    becomes the nearest double (an id would change its last digits).
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        text = value[1:] if value.startswith("'") else value
        return f"text of {len(text):,} characters" if len(text) > MAX_CELL_TEXT else None
    if isinstance(value, int):
        return f"the integer {value}, which a double cannot hold exactly" if abs(value) > MAX_EXACT_INT else None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"the float {value}"
    if isinstance(value, datetime):
        return f"the time-zone-aware datetime {value}" if value.tzinfo is not None else None
    if isinstance(value, date):
        return None  # xlwings' engines turn a date into a datetime at midnight
    return f"a {type(value).__name__} ({value!r})"


class _Api:
    """A truthy stand-in for a COM object: xlwings writes only ``if rng.api and value``."""

    def __bool__(self) -> bool:
        return True


class Range(base.Range):
    """A rectangle of cells on a :class:`Sheet`."""

    def __init__(self, sheet: Sheet, r1: int, c1: int, r2: int, c2: int, *more_areas: Rect) -> None:
        self._sheet, self.r1, self.c1, self.r2, self.c2 = sheet, r1, c1, r2, c2
        self.areas: tuple[Rect, ...] = ((r1, c1, r2, c2), *more_areas)
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

        def one(r1: int, c1: int, r2: int, c2: int) -> str:
            first = f"{c}{col_name(c1)}{r}{r1}"
            return first if (r1, c1) == (r2, c2) else f"{first}:{c}{col_name(c2)}{r}{r2}"

        return ",".join(one(*area) for area in self.areas)

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
        for row in data:
            for value in row:
                why = refusal(value)
                if why is not None:
                    raise ComError(f"COM cannot put {why} into a cell")
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
        for area in self.areas:
            self._sheet.styles[style].append((area, value))
            self._sheet.grow_format_extent(area)

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
        return Note(self) if key(self.r1, self.c1) in self._sheet.notes_by_cell else None

    def add_note(self, text: str) -> Note:
        self._sheet.count("note.add")
        self._sheet.notes_by_cell[key(self.r1, self.c1)] = text
        return Note(self)


class Font:
    """The font of a range: ``bold`` and ``size`` are kept."""

    def __init__(self, rng: Range) -> None:
        self.rng = rng

    @property
    def bold(self) -> bool:
        return bool(self.rng.sheet.style_at("bold", self.rng.r1, self.rng.c1, False))

    @bold.setter
    def bold(self, value: bool) -> None:
        self.rng._style("bold", value)

    @property
    def size(self) -> float:
        return float(self.rng.sheet.style_at("font_size", self.rng.r1, self.rng.c1, 11))

    @size.setter
    def size(self, value: float) -> None:
        self.rng._style("font_size", value)


class Note:
    """The note (old-style comment) on one cell."""

    def __init__(self, rng: Range) -> None:
        self.rng, self.api = rng, None

    @property
    def text(self) -> str:
        return self.rng.sheet.notes_by_cell[key(self.rng.r1, self.rng.c1)]

    @text.setter
    def text(self, value: str) -> None:
        self.rng.sheet.count("note.text")
        self.rng.sheet.notes_by_cell[key(self.rng.r1, self.rng.c1)] = value

    def delete(self) -> None:
        self.rng.sheet.count("note.delete")
        del self.rng.sheet.notes_by_cell[key(self.rng.r1, self.rng.c1)]


def _inside(row: int, col: int) -> bool:
    return 1 <= row <= MAX_ROWS and 1 <= col <= MAX_COLS


def areas_of(address: str) -> list[Rect]:
    """The rectangles of an address such as "A1", "B:B" or "A1,C3:C9" (what Excel's
    ``Range("…")`` takes); longer than 255 characters is refused, as Excel refuses it."""
    if len(address) > MAX_ADDRESS:
        raise ComError(f"Excel refuses an address of {len(address)} characters (at most {MAX_ADDRESS})")
    return [_bounds(part) for part in address.split(",")]


def _bounds(arg: Any) -> Rect:
    """A range argument as a rectangle: "A1", "A1:C3", "B:B", (r, c), (r, c, rows, cols), a Range."""
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
