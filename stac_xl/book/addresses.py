"""Cell addresses as Excel's ``Range("…")`` takes them, for formatting many cells at once.

Over COM every call costs a round trip into Excel, so the live adapter colours all cells
of one kind, or formats all columns of one kind, with one call per *address*: several
areas joined by commas (``"C2:C40,F7,H:H"``). Excel refuses an address longer than 255
characters, so the areas are packed into as few addresses as fit. Nothing here knows
about xlwings.
"""

from __future__ import annotations

from collections.abc import Iterable

from stac_xl.book.cells import column_letter

MAX_ADDRESS = 255  # characters Excel's Range("…") accepts in one address
MAX_ROWS = 1_048_576

Rect = tuple[int, int, int, int]  # first row, first column, last row, last column (1-based)


def area(rect: Rect) -> str:
    """One area in A1 form: ``C7``, ``C2:C40``, or ``C:E`` for whole columns."""
    r1, c1, r2, c2 = rect
    if (r1, r2) == (1, MAX_ROWS):
        return f"{column_letter(c1)}:{column_letter(c2)}"
    first = f"{column_letter(c1)}{r1}"
    return first if (r1, c1) == (r2, c2) else f"{first}:{column_letter(c2)}{r2}"


def column_runs(cells: Iterable[tuple[int, int]]) -> list[Rect]:
    """(row, column) cells as rectangles: unbroken runs down each column become one area,
    because problems of one kind tend to hit the same field on consecutive records."""
    runs: list[Rect] = []
    for row, column in sorted(set(cells), key=lambda cell: (cell[1], cell[0])):
        if runs and runs[-1][1] == column and runs[-1][2] == row - 1:
            r1, c1, _, c2 = runs[-1]
            runs[-1] = (r1, c1, row, c2)
        else:
            runs.append((row, column, row, column))
    return runs


def whole_columns(columns: Iterable[int]) -> list[Rect]:
    """Whole columns, neighbours merged (``A:C``): a column format does not grow the used
    range the way a format on rows 2 to 1,048,576 does."""
    spans: list[Rect] = []
    for column in sorted(set(columns)):
        if spans and spans[-1][3] == column - 1:
            spans[-1] = (1, spans[-1][1], MAX_ROWS, column)
        else:
            spans.append((1, column, MAX_ROWS, column))
    return spans


def batches(rects: Iterable[Rect], *, limit: int = MAX_ADDRESS) -> list[str]:
    """The areas joined into as few comma-separated addresses as fit in ``limit`` characters."""
    out: list[str] = []
    current = ""
    for text in (area(rect) for rect in rects):
        if current and len(current) + 1 + len(text) > limit:
            out.append(current)
            current = ""
        current = f"{current},{text}" if current else text
    if current:
        out.append(current)
    return out
