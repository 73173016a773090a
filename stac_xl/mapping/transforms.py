"""The named transforms of a rule's *Transform* cell, chained with ``|``.

``trim | upper | truncate(30)`` runs left to right. Each transform is parsed and checked once
(a wrong one is a :class:`RuleProblem` that compile turns into a ``MappingError`` naming the
cell) and becomes a plain function ``(value, row) -> value``; the build loop only calls them.
An empty value (``None`` or ``""``) stays empty through every transform: the rule's
*Default* is the way to fill it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Callable, Mapping

from stac_xl.mapping.syntax import RuleProblem, Step, parse_chain

Transform = Callable[[Any, Mapping[str, Any]], Any]


class ValueProblem(Exception):
    """A value cannot be transformed (a missing lookup key, text where a date belongs)."""


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
        return format(value, "f")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel hands whole numbers over as floats
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


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


def is_empty(value: Any) -> bool:
    """None or "" (never compares a Decimal with text: that is slow in the hot loop)."""
    return value is None or value.__class__ is str and not value


def _no_negative_zero(number: Decimal) -> Decimal:
    return number.copy_abs() if number.is_zero() else number


# --- text ---------------------------------------------------------------------------------

_ASCII_BY_HAND = str.maketrans({
    "½": "1/2", "¼": "1/4", "¾": "3/4", "–": "-", "—": "-", "‘": "'", "’": "'",
    "“": '"', "”": '"', "…": "...", "×": "x", "ß": "ss", "Æ": "AE", "æ": "ae",
    "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe", "Ł": "L", "ł": "l", "€": "EUR",
})


def to_ascii(text: str) -> str:
    """Transliterate to ASCII: accents dropped (é→e), common symbols spelled out, the rest
    (°, ™…) removed."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_BY_HAND))
    return decomposed.encode("ascii", "ignore").decode("ascii")


_BREAKS = re.compile(r"[\t\r\n]+")


def strip_newlines(text: str) -> str:
    """Tabs, CR and LF (runs of them) become one space: they would break a delimited line."""
    if "\t" not in text and "\n" not in text and "\r" not in text:
        return text
    return _BREAKS.sub(" ", text)


def _text_transform(func: Callable[[str], str]) -> Transform:
    def run(value: Any, row: Mapping[str, Any]) -> Any:
        if value is None or value.__class__ is str and not value:
            return value
        return func(value if value.__class__ is str else as_text(value))
    return run


# --- dates ----------------------------------------------------------------------------------

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


def _date_transform(pattern: str) -> Transform:
    template = date_format(pattern)
    usage = f"date({pattern})"
    cache: dict[date, str] = {}  # an invoice's dates repeat on every line

    def run(value: Any, row: Mapping[str, Any]) -> Any:
        if value is None or value.__class__ is str and not value:
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
    return run


# --- numbers -------------------------------------------------------------------------------

def _number_transform(places: int, *, implied: bool) -> Transform:
    step = Decimal(1).scaleb(-places)
    usage = f"{'implied' if implied else 'number'}({places})"

    def run(value: Any, row: Mapping[str, Any]) -> Any:
        if value is None or value.__class__ is str and not value:
            return value
        number = value if value.__class__ is Decimal else as_number(value, usage)
        rounded = number.quantize(step, ROUND_HALF_UP)
        if not rounded:
            rounded = rounded.copy_abs()  # no "-0.00"
        return format(rounded.scaleb(places), "f") if implied else format(rounded, "f")
    return run


def _numeric(func: Callable[[Decimal], Any], usage: str) -> Transform:
    def run(value: Any, row: Mapping[str, Any]) -> Any:
        if value is None or value.__class__ is str and not value:
            return value
        return func(value if value.__class__ is Decimal else as_number(value, usage))
    return run


_TRUTHY = {"true": True, "yes": True, "y": True, "1": True, "false": False, "no": False, "n": False, "0": False}


def _yesno(yes: str, no: str) -> Transform:
    def run(value: Any, row: Mapping[str, Any]) -> Any:
        if value is None or value.__class__ is str and not value:
            return value
        if value is True or value is False:
            return yes if value else no
        flag = _TRUTHY.get(as_text(value).strip().lower())
        if flag is None:
            raise ValueProblem(f"yesno needs TRUE or FALSE, not '{as_text(value)}'.")
        return yes if flag else no
    return run


# --- the catalogue ---------------------------------------------------------------------------

@dataclass(frozen=True)
class TransformSpec:
    """A named transform: how it is written, and how its arguments become a function."""

    name: str
    usage: str
    make: Callable[[Step, "TransformContext"], Transform]


@dataclass(frozen=True)
class TransformContext:
    """What a transform may consult while compiling: lookup tables, the Invoices columns."""

    tables: Mapping[str, Any]  # lowered name -> stac_xl.mapping.sheet.LookupTable
    columns: frozenset[str]


def _simple(func: Callable[[str], str]) -> Callable[[Step, TransformContext], Transform]:
    def make(step: Step, ctx: TransformContext) -> Transform:
        step.expect(0, 0)
        return _text_transform(func)
    return make


def _make_pad(left: bool) -> Callable[[Step, TransformContext], Transform]:
    def make(step: Step, ctx: TransformContext) -> Transform:
        step.expect(1, 2)
        width, fill = step.whole_number(0), step.text(1, default=" ")
        if len(fill) != 1:
            raise RuleProblem(f"{step.name} pads with exactly one character, not '{fill}'; e.g. {step.usage}.")
        return _text_transform((lambda s: s.rjust(width, fill)) if left else (lambda s: s.ljust(width, fill)))
    return make


def _make_replace(step: Step, ctx: TransformContext) -> Transform:
    step.expect(2, 2)
    old, new = step.text(0), step.text(1)
    if not old:
        raise RuleProblem(f"replace needs some text to look for; e.g. {step.usage}.")
    return _text_transform(lambda s: s.replace(old, new))


def _make_truncate(step: Step, ctx: TransformContext) -> Transform:
    step.expect(1, 1)
    width = step.whole_number(0)
    return _text_transform(lambda s: s[:width])


def _make_date(step: Step, ctx: TransformContext) -> Transform:
    step.expect(1, 1)
    return _date_transform(step.text(0))


def _make_number(implied: bool) -> Callable[[Step, TransformContext], Transform]:
    def make(step: Step, ctx: TransformContext) -> Transform:
        step.expect(1, 1)
        return _number_transform(step.whole_number(0, minimum=0), implied=implied)
    return make


def _make_negate(step: Step, ctx: TransformContext) -> Transform:
    step.expect(0, 0)
    return _numeric(lambda n: _no_negative_zero(-n), "negate")


def _make_abs(step: Step, ctx: TransformContext) -> Transform:
    step.expect(0, 0)
    return _numeric(lambda n: n.copy_abs(), "abs")


def _make_if_negative(step: Step, ctx: TransformContext) -> Transform:
    step.expect(2, 2)
    negative, otherwise = step.text(0), step.text(1)
    return _numeric(lambda n: negative if n < 0 else otherwise, "if_negative")


def _make_yesno(step: Step, ctx: TransformContext) -> Transform:
    step.expect(0, 2)
    return _yesno(step.text(0, default="Y"), step.text(1, default="N"))


def _make_lookup(step: Step, ctx: TransformContext) -> Transform:
    # imported here because lookup.py builds on this module's helpers
    from stac_xl.mapping.lookup import lookup_transform

    return lookup_transform(step, ctx)


TRANSFORMS: dict[str, TransformSpec] = {spec.name: spec for spec in (
    TransformSpec("upper", "upper", _simple(str.upper)),
    TransformSpec("lower", "lower", _simple(str.lower)),
    TransformSpec("trim", "trim", _simple(str.strip)),
    TransformSpec("strip_newlines", "strip_newlines", _simple(strip_newlines)),
    TransformSpec("ascii", "ascii", _simple(to_ascii)),
    TransformSpec("replace", 'replace("&","and")', _make_replace),
    TransformSpec("truncate", "truncate(30)", _make_truncate),
    TransformSpec("pad_left", 'pad_left(10,"0")', _make_pad(left=True)),
    TransformSpec("pad_right", "pad_right(10)", _make_pad(left=False)),
    TransformSpec("date", "date(MM/DD/YY)", _make_date),
    TransformSpec("number", "number(2)", _make_number(implied=False)),
    TransformSpec("implied", "implied(2)", _make_number(implied=True)),
    TransformSpec("negate", "negate", _make_negate),
    TransformSpec("abs", "abs", _make_abs),
    TransformSpec("if_negative", 'if_negative("CREDIT MEMO","INVOICE")', _make_if_negative),
    TransformSpec("yesno", 'yesno("Y","N")', _make_yesno),
    TransformSpec("lookup", 'lookup(Items, "State", default="40000")', _make_lookup),
)}


def compile_transforms(text: str, ctx: TransformContext) -> Transform | None:
    """A *Transform* cell → one function running the chain left to right (None if empty)."""
    funcs = []
    for step in parse_chain(text):
        spec = TRANSFORMS.get(step.name)
        if spec is None:
            raise RuleProblem(f"unknown transform '{step.written}'. Known transforms: {', '.join(TRANSFORMS)}.")
        funcs.append(spec.make(step.with_usage(spec.usage), ctx))
    if not funcs:
        return None
    if len(funcs) == 1:
        return funcs[0]

    def chain(value: Any, row: Mapping[str, Any]) -> Any:
        for func in funcs:
            value = func(value, row)
        return value
    return chain
