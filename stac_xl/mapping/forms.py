"""The form a field's value must have on the *Export* sheet, from the last step of its rule.

The mapping writes ``date(MM/DD/YY)``, ``number(2)``, ``implied(2)`` and ``yesno("Y","N")``
values in their form by construction; a hand edit on *Export* may not. So a rule whose
Transform ends with one of them gives its field a :class:`ValueForm`, and validation checks
each value against it before the file exists ("'13/45/24' is not a date in the form
MM/DD/YY."). An empty value passes: *Required* is the check for that.

A form offers ``fast``, one C-level test (a compiled regex's ``fullmatch``, a set's
``__contains__``) that validation calls for every value; only a value it refuses is looked
at again by ``problem``, for the sentence. A date also needs a real calendar day, so its
``fast`` test is a set of the texts already found valid, in front of the full check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

# date pattern token → (regex, the part of the date it is)
_DATE_PARTS = {"YYYY": (r"(\d{4})", "y"), "YY": (r"(\d{2})", "yy"), "MM": (r"(\d{2})", "m"),
               "M": (r"(\d{1,2})", "m"), "DD": (r"(\d{2})", "d"), "D": (r"(\d{1,2})", "d")}
_MAX_REMEMBERED = 10_000


@dataclass(frozen=True)
class ValueForm:
    """What a value must look like: ``fast(text)`` is truthy when it does, ``problem(text)``
    the clerk's sentence when it does not (None if it does after all)."""

    fast: Callable[[str], Any]
    problem: Callable[[str], str | None]


def _checked(accepts: Callable[[str], bool], message: Callable[[str], str]) -> Callable[[str], str | None]:
    return lambda text: None if accepts(text) else message(text)


def number_form(places: int) -> ValueForm:
    """``number(n)``: optional minus, digits, and exactly ``n`` decimals (none when 0)."""
    match = re.compile(r"-?\d+" + (rf"\.\d{{{places}}}" if places else "")).fullmatch
    example = "1234" + ("." + ("5678901234" * 3)[:places] if places else "")
    detail = f"exactly {places} decimals" if places != 1 else "exactly 1 decimal"
    if not places:
        detail = "no decimal point"
    return ValueForm(match, _checked(lambda t: match(t) is not None, lambda t: (
        f"'{t}' is not a number in the form {example} ({detail}, no thousands separator).")))


def implied_form(places: int) -> ValueForm:
    """``implied(n)``: digits with an optional sign, the decimals implied."""
    match = re.compile(r"[-+]?\d+").fullmatch
    example = "123456"
    return ValueForm(match, _checked(lambda t: match(t) is not None, lambda t: (
        f"'{t}' is not a number in the form {example} (digits with an optional sign, "
        f"{places} implied decimals, no decimal point).")))


def yesno_form(yes: str, no: str) -> ValueForm:
    """``yesno("Y","N")``: one of the two texts."""
    allowed = frozenset((yes, no))
    return ValueForm(allowed.__contains__, _checked(allowed.__contains__, lambda t: f"'{t}' is not {yes} or {no}."))


def date_form(pattern: str) -> ValueForm:
    """``date(PATTERN)``: the pattern's layout, and a day the calendar has."""
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
    match = re.compile(regex).fullmatch
    valid: set[str] = set()  # an invoice's dates repeat on every record: each is parsed once

    def accepts(text: str) -> bool:
        if text in valid:
            return True
        found = match(text)
        if found is None:
            return False
        numbers = dict(zip(parts, map(int, found.groups())))
        year = numbers.get("y", 2000 + numbers.get("yy", 0))
        try:
            date(year, numbers.get("m", 1), numbers.get("d", 1))
        except ValueError:
            return False
        if len(valid) < _MAX_REMEMBERED:
            valid.add(text)
        return True

    shown = pattern.strip()
    return ValueForm(accepts, _checked(accepts, lambda t: f"'{t}' is not a date in the form {shown}."))


def with_form(function: Any, form: ValueForm) -> Any:
    """Attach ``form`` to a compiled transform (returned): a rule ending with it gets the form."""
    function.value_form = form
    return function


def form_of(function: Any) -> ValueForm | None:
    """The form a compiled transform's values have, if it promises one."""
    return getattr(function, "value_form", None)
