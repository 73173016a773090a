"""Cell values between Python and the xlsx file: date serials, date formats, fast text
cleaning, and the values python-calamine reads turned into what ``read_grid`` promises."""

from __future__ import annotations

import ctypes
import re
import sys
from collections.abc import Callable
from datetime import date, datetime
from html import unescape
from typing import Any

from stac_xl.book.cells import MAX_CELL_TEXT, clean_text

_EPOCH_ORDINAL = date(1899, 12, 30).toordinal()
_NEEDS_CLEANING = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NOT_DATE_PARTS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_EXACT_FLOAT = 2.0**53


def excel_serial(value: date) -> float | int:
    """Excel's day number of a date (with the time as a fraction for a datetime).

    Excel counts 1900 as a leap year, so days before 1 March 1900 are one lower."""
    days = value.toordinal() - _EPOCH_ORDINAL
    if 0 < days <= 60:
        days -= 1
    if not isinstance(value, datetime):
        return days
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    return days + seconds / 86400 if seconds else days


def is_date_format(code: str) -> bool:
    """True for a number format that shows a date or a time."""
    bare = _NOT_DATE_PARTS.sub("", code).lower()
    return bare != "general" and any(ch in bare for ch in "ymdhs")


def quick_clean(text: str) -> str:
    """:func:`cells.clean_text`, without its two regex substitutions when there is nothing
    to clean (nearly always)."""
    if len(text) <= MAX_CELL_TEXT and _NEEDS_CLEANING.search(text) is None:
        return text
    return clean_text(text)


def fix_read_values(grid: list[list[Any]]) -> list[list[Any]]:
    """python-calamine's values as openpyxl gave them, in place: an empty cell is None, a
    whole number an int (calamine reads every number as a float)."""
    for row in grid:
        for i, value in enumerate(row):
            cls = value.__class__
            if cls is str:
                if not value:
                    row[i] = None
            elif cls is float and value.is_integer() and -_EXACT_FLOAT < value < _EXACT_FLOAT:
                row[i] = int(value)
    return grid


_CELL_START = re.compile(r"<((?:[\w.-]+:)?)c\b([^>]*?)(/?)>")
_INNER = re.compile(r"<(?:[\w.-]+:)?(f|v)\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?\1>)", re.S)
_REF = re.compile(r"([A-Z]+)(\d+)")


def has_formulas_or_errors(chunks: Any, head: str) -> bool:
    """True if any chunk of a sheet's XML may hold a formula or an error cell. ``head`` is
    the part's beginning, for the prefix its elements carry.

    A formula with text ends in ``</f>`` (a shared formula's other cells need the one that
    has the text); an error value starts with ``#`` (``<v>#N/A</v>``). The needles end in a
    letter XML markup rarely has, which is what keeps ``bytes.find`` at memory speed."""
    data = re.search(r"<((?:[\w.-]+:)?)worksheet\b", head)
    prefix = (data.group(1) if data else "").encode()
    needles = (b"</" + prefix + b"f", b"v>#")
    tail = b""
    for chunk in chunks:
        window = tail + chunk[:16] if tail else b""
        if any(chunk.find(n) >= 0 or window.find(n) >= 0 for n in needles):
            return True
        tail = chunk[-16:]
    return False


def formula_texts(xml: str) -> dict[tuple[int, int], Any]:
    """What ``read_grid`` gives for formula and error cells that python-calamine reads as
    empty: the error text Excel stored (``#NAME?``), else the formula's own text (``=A1*2``)
    when no Excel ever calculated it. Keyed by 1-based (row, column)."""
    data = re.search(r"<((?:[\w.-]+:)?)sheetData\b", xml)
    if data is None:
        return {}
    prefix = data.group(1)
    found: dict[tuple[int, int], Any] = {}
    seen: set[int] = set()
    for hit in re.finditer(r'<(?:[\w.-]+:)?f[\s/>]|\bt="e"', xml[data.end():]):
        start = xml.rfind(f"<{prefix}c ", 0, data.end() + hit.start() + 1)
        if start < 0 or start in seen:
            continue
        seen.add(start)
        m = _CELL_START.match(xml, start)
        if m is None or m.group(3):
            continue
        inner = xml[m.end():xml.find(f"</{prefix}c>", m.end())]
        _formula_cell(dict(re.findall(r'([\w:.-]+)="([^"]*)"', m.group(2))), inner, found)
    return found


def _formula_cell(attributes: dict[str, str], inner: str, found: dict[tuple[int, int], Any]) -> None:
    ref = _REF.fullmatch(attributes.get("r", ""))
    if ref is None:
        return
    parts = {name: unescape(text or "") for name, text in _INNER.findall(inner)}
    column = 0
    for ch in ref.group(1):
        column = column * 26 + ord(ch) - 64
    value = parts.get("v", "")
    if attributes.get("t") == "e" and value:
        found[(int(ref.group(2)), column)] = value
    elif not value and parts.get("f"):
        found[(int(ref.group(2)), column)] = "=" + parts["f"]


def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has none)
        return None
    return trim


_TRIM = _malloc_trim()


def release_freed_memory() -> None:
    """Hand the memory python-calamine freed after a sheet read back to the system: glibc
    keeps small freed blocks, and the next big read would peak on top of them. Only where
    the C library is glibc; elsewhere nothing to do."""
    if _TRIM is not None:
        _TRIM(0)
