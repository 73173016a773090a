"""Turning table values into what a cell should hold, by column kind. No Excel library here.

Choices the clerk can see:

- Text that Excel would read as a formula (starts with ``=``, ``+``, ``-`` or ``@``) is
  flagged by :func:`looks_like_formula`; adapters store it as text, never as a formula.
- Worksheets cannot hold most ASCII control characters (the XML forbids them; openpyxl
  raises ``IllegalCharacterError``). :func:`clean_text` turns vertical tab and form feed
  (Word's manual line and page breaks, common in pasted descriptions) into ``\\n`` and drops
  the other control characters; tab, ``\\n`` and ``\\r`` stay. Text is cut at Excel's
  32,767-character cell limit, as Excel itself would refuse more.
- Time-zone-aware datetimes lose their zone (Excel has none); the wall-clock time is kept,
  which is the company's local time because the models convert to it.
- A JSON object or list (a flatten path that stops at an object) is shown as JSON text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from stac_xl.book.table import ColumnKind

MAX_CELL_TEXT = 32_767
MAX_WIDTH = 60
MIN_WIDTH = 6
FORMULA_STARTS = ("=", "+", "-", "@")

# XML 1.0 forbids C0 controls except tab, LF and CR; VT and FF read as line breaks.
_LINE_BREAKS_RE = re.compile(r"[\x0b\x0c]")
_ILLEGAL_RE = re.compile(r"[\x00-\x08\x0e-\x1f]")

NUMBER_FORMATS: dict[ColumnKind, str] = {
    ColumnKind.TEXT: "@",
    ColumnKind.DATE: "yyyy-mm-dd",
    ColumnKind.DATETIME: "yyyy-mm-dd hh:mm",
    ColumnKind.MONEY: "#,##0.00",
    ColumnKind.NUMBER: "General",
    ColumnKind.INTEGER: "0",
    ColumnKind.BOOL: "General",
    ColumnKind.GENERAL: "General",
}


def clean_text(text: str) -> str:
    """``text`` made safe for a cell: control characters replaced or dropped, length capped."""
    if _LINE_BREAKS_RE.search(text):
        text = _LINE_BREAKS_RE.sub("\n", text)
    if _ILLEGAL_RE.search(text):
        text = _ILLEGAL_RE.sub("", text)
    return text[:MAX_CELL_TEXT]


def looks_like_formula(text: str) -> bool:
    """True if Excel would take ``text`` typed into a cell as a formula."""
    return text.startswith(FORMULA_STARTS)


# What a formula cell holds when Excel could not compute it (read back as this text).
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                          "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!"})


def is_excel_error(value: object) -> bool:
    """True for an Excel error value such as ``#NAME?`` (a formula Excel could not compute)."""
    return isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS


def _is_number(value: Any) -> bool:
    # bool is an int subclass but is not a number to the clerk.
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _integral(value: Decimal | float) -> bool:
    if isinstance(value, float):
        return value.is_integer()
    return value.is_finite() and value == value.to_integral_value()


def _naive(value: datetime) -> datetime:
    return value.replace(tzinfo=None) if value.tzinfo is not None else value


def as_text(value: Any) -> str | None:
    """The text a TEXT column shows for ``value`` (None stays empty)."""
    if value is None:
        return None
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 451.0 read back from a sheet is the id "451"
    if isinstance(value, datetime):
        return _naive(value).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return clean_text(str(general(value)))  # an int or a float other than n.0


def general(value: Any) -> Any:
    """``value`` as a cell can hold it, whatever the column kind."""
    if value is None or isinstance(value, (bool, int, float, date)):
        return _naive(value) if isinstance(value, datetime) else value
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Decimal):
        return value if value.is_finite() else str(value)
    if isinstance(value, (dict, list, tuple)):
        return clean_text(json.dumps(value, default=str, ensure_ascii=False))
    return clean_text(str(value))


def convert(value: Any, kind: ColumnKind) -> Any:
    """The value to put in a cell of a ``kind`` column; a value of the wrong type is kept
    as it is (as text if it is text) rather than refused, so hand-typed cells survive."""
    if kind is ColumnKind.TEXT:
        return as_text(value)
    if kind is ColumnKind.DATE and isinstance(value, datetime):
        return _naive(value).date()
    if kind is ColumnKind.INTEGER and isinstance(value, (Decimal, float)) and _integral(value):
        return int(value)
    return general(value)


def display_text(value: Any, kind: ColumnKind) -> str:
    """Roughly what Excel shows for a converted ``value``: used to size columns."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return "0000-00-00 00:00"
    if isinstance(value, date):
        return "0000-00-00"
    if kind is ColumnKind.MONEY and _is_number(value):
        return f"{Decimal(str(value)):,.2f}"
    if isinstance(value, str):
        return max(value.split("\n"), key=len)
    return str(value)


def column_width(header: str, values: Iterable[Any], kind: ColumnKind) -> int:
    """A readable width in characters for a column: the longest of the header (plus room
    for the filter button) and the given values, capped at :data:`MAX_WIDTH`."""
    longest = len(header) + 3
    for value in values:
        longest = max(longest, len(display_text(value, kind)) + 1)
    return max(MIN_WIDTH, min(MAX_WIDTH, longest))


def trim_grid(grid: list[list[Any]]) -> list[list[Any]]:
    """Drop trailing empty cells (None or "") of every row, then trailing empty rows, in
    place: the shape both adapters' ``read_grid`` promise."""
    for row in grid:
        while row and row[-1] in (None, ""):
            row.pop()
    while grid and not grid[-1]:
        grid.pop()
    return grid


def column_letter(number: int) -> str:
    """Excel column letters for a 1-based column number: 1 → A, 27 → AA."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(sheet: str, row: int, column: int) -> str:
    """A cell as Excel names it in a message: ``Export!D12`` (row and column 1-based)."""
    return f"{sheet}!{column_letter(column)}{row}"
