"""The ``date(…)`` transform: a pattern such as ``MM/DD/YY`` read once, then each date
written with it (an invoice's dates repeat on every line, so each is formatted once).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from stac_xl.book.values import ValueProblem, as_text
from stac_xl.mapping.inline import offer
from stac_xl.mapping.syntax import RuleProblem

Transform = Callable[[Any, Mapping[str, Any]], Any]


_DATE_TOKENS = {"YYYY": "{y:04d}", "YY": "{yy:02d}", "MM": "{m:02d}", "M": "{m}", "DD": "{d:02d}", "D": "{d}"}


def date_format(pattern: str) -> str:
    """``MM/DD/YY`` → a ``str.format`` template; a pattern we cannot read is a RuleProblem.

    Letters come in runs (``MMM`` is one run, and not a token), so any other letter or run
    is refused rather than half-read."""
    upper, out, i = pattern.strip().upper(), [], 0
    while i < len(upper):
        run = upper[i]
        while i + len(run) < len(upper) and upper[i + len(run)] == run[0]:
            run += run[0]
        if run[0].isalpha():
            if run not in _DATE_TOKENS:
                raise RuleProblem(f"date pattern '{pattern}' is not understood; use YYYY, YY, MM, M, DD, D "
                                  "and separators, e.g. date(MM/DD/YY).")
            out.append(_DATE_TOKENS[run])
        else:
            out.append(run.replace("{", "{{").replace("}", "}}"))
        i += len(run)
    if not any(part in _DATE_TOKENS.values() for part in out):
        raise RuleProblem(f"date pattern '{pattern}' has no YYYY, YY, MM, M, DD or D in it, e.g. date(MM/DD/YY).")
    return "".join(out)


def date_transform(pattern: str) -> Transform:
    """``date(MM/DD/YY)``: a date (or ISO text) as the pattern writes it; empty stays empty."""
    template = date_format(pattern)
    usage = f"date({pattern})"
    cache: dict[date, str] = {}  # an invoice's dates repeat on every line

    def run(value: Any, row: Mapping[str, Any]) -> Any:
        if value is None or (value.__class__ is str and not value):
            return value
        try:
            return cache[value]
        except (KeyError, TypeError):
            pass
        day = value
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day.strip()[:10])
            except ValueError:
                raise ValueProblem(f"{usage} needs a date, not '{value}'.") from None
        if not isinstance(day, date):
            raise ValueProblem(f"{usage} needs a date, not '{as_text(value)}'.")
        text = template.format(y=day.year, yy=day.year % 100, m=day.month, d=day.day)
        if len(cache) < 10_000 and not isinstance(value, str):
            cache[value] = text
        return text
    # a date seen before is one dict look-up; the cache only ever holds non-empty text
    return offer(run, """\
if {v}.__class__ is date:
    {v} = {cache}.get({v}) or {call}({v}, row)
else:
    {v} = {call}({v}, row)""", cache=cache)
