"""What a clerk types into a cell, read the way an Excel user means it.

A hand correction on *Export* or *Invoices* arrives as the workbook stores it: a real number
or date cell, or text typed the way people write amounts and dates on paper. These readers
turn each into a ``Decimal`` or a ``date`` when, and only when, there is one reading:

- amounts: ``1234.5``, ``1,234.50``, ``$1,234.50``, ``-$1,234.50``, ``(744.60)`` (accountants'
  negative), a real number cell (``-744.6``). Thousands separators must group by three.
- dates: a real date cell, ISO text (``2026-12-01``, also with a time of midnight), or
  day/month/year text (``12/1/2026``, ``12-1-26``, ``1.12.2026``) read in the workbook's
  *Date order*.

Anything else is ``None``: the caller refuses it, naming the cell, the value and the form
it wanted. Never a guess.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any


class DateOrder(str, Enum):
    """The order of day, month and year in a date typed as text (the *Date order* setting)."""

    MDY = "MDY"  # United States: 12/1/2026 is December 1
    DMY = "DMY"  # most of the world: 1/12/2026 is December 1
    YMD = "YMD"  # 2026/12/1


_AMOUNT = re.compile(r"(?P<sign>[-+]?)\$?(?P<sign2>[-+]?)(?P<digits>\d{1,3}(?:,\d{3})+|\d+)?(?P<decimals>\.\d+)?")
_PARTS = re.compile(r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def read_amount(value: Any) -> Decimal | None:
    """A number cell or amount text as Decimal; None when it is not one amount."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None  # what Excel shows
    if not isinstance(value, str):
        return None
    return _amount_text(value)


def _amount_text(text: str) -> Decimal | None:
    text = text.strip().replace(" ", "")
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    found = _AMOUNT.fullmatch(text)
    if found is None or not (found["digits"] or found["decimals"]) or (found["sign"] and found["sign2"]):
        return None
    sign = found["sign"] or found["sign2"]
    if negative and sign:
        return None  # "(-5)" has no single reading
    try:
        number = Decimal((found["digits"] or "0").replace(",", "") + (found["decimals"] or ""))
    except InvalidOperation:
        return None
    return -number if negative or sign == "-" else number


def read_date(value: Any, order: DateOrder = DateOrder.MDY) -> date | None:
    """A date cell or date text as a date; None when it is not one date in ``order``."""
    if isinstance(value, datetime):
        return value.date() if value.time() == time() else None  # a time of day is not a date
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    return _date_text(value.strip(), order)


def _date_text(text: str, order: DateOrder) -> date | None:
    if _ISO.fullmatch(text[:10]) and text[10:].strip() in ("", "00:00:00", "T00:00:00", "0:00"):
        return _day(int(text[:4]), int(text[5:7]), int(text[8:10]))
    found = _PARTS.fullmatch(text)
    if found is None:
        return None
    a, b, c = found.groups()
    if order is DateOrder.YMD:
        year, month, day = a, b, c
    elif order is DateOrder.DMY:
        day, month, year = a, b, c
    else:
        month, day, year = a, b, c
    if len(year) not in (2, 4) or len(month) > 2 or len(day) > 2:
        return None
    return _day(int(year) + (2000 if len(year) == 2 else 0), int(month), int(day))


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
