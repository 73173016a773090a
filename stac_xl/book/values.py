"""A cell's value read as the parts above the workbook port read it: its plain text, its
number, whether it is empty or present, and :class:`ValueProblem`, raised when a value
cannot be made into what is asked of it.

One definition for the invoice grouping, the mapping's sources, transforms and lookups,
the checks, and the Settings and Export sheet readers.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any


class ValueProblem(Exception):
    """A value cannot be transformed (a missing lookup key, text where a date belongs).

    ``cause`` and ``subject`` let problems that share a cause be told as one line ("6 values
    are not in lookup table 'Accounts': TRIP, MATERIAL, …"): the cause in words, and the value."""

    def __init__(self, message: str, *, cause: str | None = None, subject: str | None = None):
        super().__init__(message)
        self.cause = cause
        self.subject = subject


def as_text(value: Any) -> str:
    """The plain text of a value as written to a file: Decimal without exponent, ISO dates,
    TRUE/FALSE, ``None`` as empty."""
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    if value is True or value is False:
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel hands whole numbers over as floats
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def plain_decimal(number: Decimal) -> str:
    """``format(number, "f")``: digits without an exponent (1E+3 is 1000)."""
    # str() is twice as fast and gives the same text whenever it has no exponent in it
    text = str(number)
    return format(number, "f") if "E" in text else text


def as_number(value: Any, usage: str) -> Decimal:
    """A value as Decimal: numbers as they are, numeric text parsed; else a ValueProblem."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, (float, str)):
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            pass
    raise ValueProblem(f"{usage} needs a number, not '{as_text(value)}'.")


# The one yes/no vocabulary: what a clerk may type for yes or no in any cell we read
# (Required on *Mapping*, a Taxable cell on *Invoices*, a value a yesno transform reads).
# "x" is a tick mark; an empty cell is neither, and each reader says what empty means.
YES_WORDS = frozenset({"yes", "y", "true", "1", "x"})
NO_WORDS = frozenset({"no", "n", "false", "0"})


def yes_or_no(value: Any) -> bool | None:
    """True or False for a yes/no cell (a real TRUE/FALSE, 1/0, or one of the words), None
    for anything else, the empty cell included."""
    if value is True or value is False:
        return bool(value)
    if isinstance(value, (int, float, Decimal)) and value in (0, 1):
        return bool(value)
    text = as_text(value).strip().casefold()
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    return None


def cell_text(value: Any) -> str:
    """A cell as trimmed text: what a clerk sees in a cell of a settings-like sheet."""
    return as_text(value).strip()


def is_empty(value: Any) -> bool:
    """None or "" (never compares a Decimal with text: that is slow in the hot loop)."""
    return value is None or (value.__class__ is str and not value)


def is_present(value: Any) -> bool:
    """True for a value that is there: not empty (blank text counts as empty), not FALSE,
    and, for a number or text reading as one (``0.00``), not zero.

    What *Only if* and ``[distribution count]`` ask of a value such as ``[tax total]``:
    an invoice without tax has a tax of 0.00, and that is no tax row."""
    if value is None or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, (Decimal, int, float)):
        return bool(value) and value == value  # NaN is no amount
    text = as_text(value).strip()
    if not text:
        return False
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return True  # text that is not a number: there
    return not number.is_nan() and not number.is_zero()
