"""The form a field's value must have on the *Export* sheet, from the last step of its rule.

The mapping writes ``date(MM/DD/YY)``, ``number(2)``, ``implied(2)`` and ``yesno("Y","N")``
values in their form by construction; a hand edit on *Export* may not. So a rule whose
Transform ends with one of them gives its field a :class:`ValueForm`, and validation checks
each value against it before the file exists ("'13/45/24' is not a date in the form
MM/DD/YY."). An empty value passes: *Required* is the check for that. A rule ending with
``negate`` or ``abs``, or a number column or computed amount without a transform, holds a
plain number (:class:`PlainNumberForm`); ``if_negative`` one of its two texts; ``lookup`` a
code or name the accounting system matches (:class:`CodeForm`); a date column without a
transform an ISO date. :mod:`stac_xl.mapping.field_types` names the kind each form is.

A form also *normalises* a clerk's entry (:mod:`stac_xl.book.entries`): ``$1,234.50`` in a
``number(2)`` field is written as ``1234.50``, a real date cell in the field's own pattern.

A form offers ``fast``, one C-level test (a compiled regex's ``fullmatch``, a set's
``__contains__``) that validation calls for every value; only a value it refuses is looked
at again by ``problem``, for the sentence. A date also needs a real calendar day, so its
``fast`` test is a set of the texts already found valid, in front of the full check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any, TypeVar

from stac_xl.book.entries import DateOrder, read_amount, read_date
from stac_xl.book.values import yes_or_no
from stac_xl.mapping.dates import date_format

# date pattern token → (regex, the part of the date it is)
_DATE_PARTS = {"YYYY": (r"(\d{4})", "y"), "YY": (r"(\d{2})", "yy"), "MM": (r"(\d{2})", "m"),
               "M": (r"(\d{1,2})", "m"), "DD": (r"(\d{2})", "d"), "D": (r"(\d{1,2})", "d")}
_MAX_REMEMBERED = 10_000
F = TypeVar("F", bound=Callable[..., Any])


class ValueForm:
    """What a value must look like. ``fast(text)`` is truthy when it does; ``problem(text)``
    is the clerk's sentence when it does not (None if it does after all); ``normalise(cell)``
    reads what a clerk typed (a real number or date cell, ``$1,234.50``, ``12/1/2026``) and
    gives it in this form, or None when it has no single reading.

    Plain classes, not closures: a compiled mapping crosses process boundaries (pickled)."""

    fast: Callable[[str], Any]

    def problem(self, text: str) -> str | None:
        raise NotImplementedError

    def normalise(self, value: Any, order: DateOrder = DateOrder.MDY) -> str | None:
        raise NotImplementedError


class NumberForm(ValueForm):
    """``number(n)``: optional minus, digits, and exactly ``n`` decimals (none when 0)."""

    def __init__(self, places: int):
        self.places = places
        self.fast = re.compile(r"-?\d+" + (rf"\.\d{{{places}}}" if places else "")).fullmatch
        self.example = "1234" + ("." + ("5678901234" * 3)[:places] if places else "")
        self.detail = ("no decimal point" if not places else
                       "exactly 1 decimal" if places == 1 else f"exactly {places} decimals")

    def problem(self, text: str) -> str | None:
        if self.fast(text) is not None:
            return None
        return f"'{text}' is not a number in the form {self.example} ({self.detail}, no thousands separator)."

    def normalise(self, value: Any, order: DateOrder = DateOrder.MDY) -> str | None:
        number = read_amount(value)
        if number is None:
            return None
        exact = number.quantize(Decimal(1).scaleb(-self.places)) if _fits(number, self.places) else None
        if exact is None:
            return None  # more decimals than the field holds: never round a clerk's number silently
        return format(exact.copy_abs() if exact.is_zero() else exact, "f")


class PlainNumberForm(ValueForm):
    """A number as the mapping writes one without ``number(n)``: an optional minus, digits
    and as many decimals as it has (``-744.6``, ``3``), no thousands separator."""

    def __init__(self) -> None:
        self.fast = re.compile(r"-?\d+(\.\d+)?").fullmatch

    def problem(self, text: str) -> str | None:
        if self.fast(text) is not None:
            return None
        return f"'{text}' is not a number (digits with an optional minus and decimal point, e.g. -1234.5)."

    def normalise(self, value: Any, order: DateOrder = DateOrder.MDY) -> str | None:
        number = read_amount(value)
        if number is None:
            return None
        return format(number.copy_abs() if number.is_zero() else number, "f")


class ImpliedForm(ValueForm):
    """``implied(n)``: digits with an optional sign, the decimals implied."""

    def __init__(self, places: int):
        self.places = places
        self.fast = re.compile(r"[-+]?\d+").fullmatch

    def problem(self, text: str) -> str | None:
        if self.fast(text) is not None:
            return None
        return (f"'{text}' is not a number in the form 123456 (digits with an optional sign, "
                f"{self.places} implied decimals, no decimal point).")

    def normalise(self, value: Any, order: DateOrder = DateOrder.MDY) -> str | None:
        if isinstance(value, str) and self.fast(value.strip()):
            return value.strip()  # already in the form: the digits are the implied amount
        number = read_amount(value)
        if number is None or not _fits(number, self.places):
            return None
        return str(int(number.scaleb(self.places)))


class YesNoForm(ValueForm):
    """``yesno("Y","N")``: one of the two texts."""

    def __init__(self, yes: str, no: str):
        self.yes, self.no = yes, no
        self.fast = frozenset((yes, no)).__contains__

    def problem(self, text: str) -> str | None:
        return None if self.fast(text) else f"'{text}' is not {self.yes} or {self.no}."

    def normalise(self, value: Any, order: DateOrder = DateOrder.MDY) -> str | None:
        if isinstance(value, str) and self.fast(value.strip()):
            return value.strip()
        flag = yes_or_no(value)
        return None if flag is None else self.yes if flag else self.no


class ChoiceForm(ValueForm):
    """``if_negative("CREDIT MEMO","INVOICE")``: one of its texts, exactly as written
    (a clerk's ``credit memo`` is written as the rule spells it)."""

    def __init__(self, *choices: str):
        self.choices = choices
        self.fast = frozenset(choices).__contains__

    def problem(self, text: str) -> str | None:
        if self.fast(text):
            return None
        return f"'{text}' is not {' or '.join(self.choices)}."

    def normalise(self, value: Any, order: DateOrder = DateOrder.MDY) -> str | None:
        if not isinstance(value, str):
            return None
        typed = " ".join(value.split()).casefold()
        return next((c for c in self.choices if c.casefold() == typed), None)


class CodeForm(ValueForm):
    """A code or name the accounting system matches exactly (a lookup's account, customer
    or item): one line, no space before or after it."""

    def __init__(self) -> None:
        self.fast = re.compile(r"[^\s](?:[^\t\r\n]*[^\s])?").fullmatch

    def problem(self, text: str) -> str | None:
        if self.fast(text) is not None:
            return None
        return (f"'{text}' has a space before or after it, or a line break, so it would not match the name "
                "or code in the accounting system.")

    def normalise(self, value: Any, order: DateOrder = DateOrder.MDY) -> str | None:
        if not isinstance(value, str):
            return None
        text = value.strip()
        return text if self.fast(text) is not None else None


class DateForm(ValueForm):
    """``date(PATTERN)``: the pattern's layout, and a day the calendar has."""

    def __init__(self, pattern: str):
        upper, regex, parts, i = pattern.strip().upper(), "", [], 0
        while i < len(upper):
            run = upper[i]
            while i + len(run) < len(upper) and upper[i + len(run)] == run[0]:
                run += run[0]
            if run in _DATE_PARTS:
                regex += _DATE_PARTS[run][0]
                parts.append(_DATE_PARTS[run][1])
            else:
                regex += re.escape(run)
            i += len(run)
        self.shown = pattern.strip()
        self.template = date_format(pattern)
        self._match = re.compile(regex).fullmatch
        self._parts = parts
        self._valid: set[str] = set()  # an invoice's dates repeat on every record: each is parsed once
        self.fast = self._accepts

    def _accepts(self, text: str) -> bool:
        if text in self._valid:
            return True
        found = self._match(text)
        if found is None:
            return False
        numbers = dict(zip(self._parts, map(int, found.groups())))
        year = numbers.get("y", 2000 + numbers.get("yy", 0))
        try:
            date(year, numbers.get("m", 1), numbers.get("d", 1))
        except ValueError:
            return False
        if len(self._valid) < _MAX_REMEMBERED:
            self._valid.add(text)
        return True

    def problem(self, text: str) -> str | None:
        return None if self._accepts(text) else f"'{text}' is not a date in the form {self.shown}."

    def normalise(self, value: Any, order: DateOrder = DateOrder.MDY) -> str | None:
        if isinstance(value, str) and self._accepts(value.strip()):
            return value.strip()  # already written in the field's own pattern
        day = read_date(value, order)
        if day is None:
            return None
        return self.template.format(y=day.year, yy=day.year % 100, m=day.month, d=day.day)


def _fits(number: Decimal, places: int) -> bool:
    """True when ``number`` has no more than ``places`` decimals (trailing zeros aside)."""
    return number == number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)


def plain_number_form() -> ValueForm:
    """The form of a number written without ``number(n)``."""
    return PlainNumberForm()


def choice_form(*choices: str) -> ValueForm:
    """The form of ``if_negative`` values: one of ``choices``."""
    return ChoiceForm(*choices)


def code_form() -> ValueForm:
    """The form of a code or name the accounting system matches (a lookup's value)."""
    return CodeForm()


def number_form(places: int) -> ValueForm:
    """The form of ``number(places)`` values."""
    return NumberForm(places)


def implied_form(places: int) -> ValueForm:
    """The form of ``implied(places)`` values."""
    return ImpliedForm(places)


def yesno_form(yes: str, no: str) -> ValueForm:
    """The form of ``yesno(yes, no)`` values."""
    return YesNoForm(yes, no)


def date_form(pattern: str) -> ValueForm:
    """The form of ``date(pattern)`` values."""
    return DateForm(pattern)


def with_form(function: F, form: ValueForm) -> F:
    """Attach ``form`` to a compiled transform (returned): a rule ending with it gets the form."""
    function.value_form = form  # type: ignore[attr-defined]  # a plain attribute on a function
    return function


def form_of(function: Any) -> ValueForm | None:
    """The form a compiled transform's values have, if it promises one."""
    return getattr(function, "value_form", None)
