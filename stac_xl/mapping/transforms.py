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
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from stac_xl.book.cells import MAX_CELL_TEXT
from stac_xl.book.values import ValueProblem, as_number, as_text, is_empty, plain_decimal, yes_or_no
from stac_xl.mapping.dates import date_format, date_transform
from stac_xl.mapping.forms import date_form, implied_form, number_form, with_form, yesno_form
from stac_xl.mapping.inline import PLAIN_DECIMAL, TEXT_FAST, decimal_fast, offer
from stac_xl.mapping.lookup import lookup_transform
from stac_xl.mapping.syntax import RuleProblem, Step, parse_chain
from stac_xl.mapping.transform_types import Transform, TransformContext, TransformSpec

__all__ = [
    "TRANSFORMS",
    "Transform",
    "TransformContext",
    "TransformSpec",
    "ValueProblem",
    "as_number",
    "as_text",
    "chain_steps",
    "compile_steps",
    "compile_transforms",
    "date_format",
    "is_empty",
    "plain_decimal",
    "strip_newlines",
    "to_ansi",
    "to_ascii",
]

# Bounds of the transforms' numbers: past them a rule would ask for a huge text or a number
# Decimal cannot hold, so they are rule errors at compile time, naming the cell.
MAX_WIDTH = MAX_CELL_TEXT
WIDTH_WHY = "the longest text an Excel cell holds"
MAX_PLACES = 10
PLACES_WHY = "more decimals than any accounting import uses"


def _no_negative_zero(number: Decimal) -> Decimal:
    return number.copy_abs() if number.is_zero() else number


# --- text ---------------------------------------------------------------------------------

_ASCII_BY_HAND = str.maketrans({
    "½": "1/2", "¼": "1/4", "¾": "3/4", "–": "-", "—": "-", "‘": "'", "’": "'",
    "“": '"', "”": '"', "…": "...", "×": "x", "ß": "ss", "Æ": "AE", "æ": "ae",
    "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe", "Ł": "L", "ł": "l", "€": "EUR",
    "→": "->", "←": "<-", "↔": "<->", "⇒": "=>", "≤": "<=", "≥": ">=", "≠": "!=", "±": "+/-",
    "−": "-", "•": "*", "÷": "/",
})
# What NFKD leaves that has a plain spelling: ⅜ decomposes to 3, FRACTION SLASH, 8.
_AFTER_DECOMPOSING = str.maketrans({"\u2044": "/"})


def to_ascii(text: str) -> str:
    """Transliterate to ASCII: accents dropped (é→e), fractions and common symbols spelled
    out (⅜→3/8, →→->), the rest (°, ™…) removed."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_BY_HAND)).translate(_AFTER_DECOMPOSING)
    return decomposed.encode("ascii", "ignore").decode("ascii")


def to_ansi(text: str) -> str:
    """Keep every character Windows-1252 (ANSI) can hold (é, °, ½, —…) and transliterate the
    rest as :func:`to_ascii` does (⅜→3/8, →→->, others dropped): text for a cp1252 file
    that loses as little as it can."""
    if text.isascii():
        return text
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        pass
    return "".join(char if _in_cp1252(char) else to_ascii(char) for char in text)


def _in_cp1252(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


_BREAKS = re.compile(r"[\t\r\n]+")


def strip_newlines(text: str) -> str:
    """Tabs, CR and LF (runs of them) become one space: they would break a delimited line."""
    if "\t" not in text and "\n" not in text and "\r" not in text:
        return text
    return _BREAKS.sub(" ", text)


def _text_transform(func: Callable[[str], str]) -> Transform:
    def run(value: Any, row: Mapping[str, Any]) -> Any:
        if value is None or (value.__class__ is str and not value):
            return value
        return func(value if value.__class__ is str else as_text(value))
    return offer(run, TEXT_FAST, func=func)


# --- numbers -------------------------------------------------------------------------------

def _number_transform(places: int, *, implied: bool) -> Transform:
    step = Decimal(1).scaleb(-places)
    usage = f"{'implied' if implied else 'number'}({places})"

    def run(value: Any, row: Mapping[str, Any]) -> Any:
        if value is None or (value.__class__ is str and not value):
            return value
        number = value if value.__class__ is Decimal else as_number(value, usage)
        rounded = number.quantize(step, ROUND_HALF_UP)
        if not rounded:
            rounded = rounded.copy_abs()  # no "-0.00"
        return plain_decimal(rounded.scaleb(places) if implied else rounded)
    return offer(run, decimal_fast(
        "{v} = {v}.quantize({step}, ROUND_HALF_UP)",
        "if not {v}:",
        "    {v} = {v}.copy_abs()",
        *(["{v} = {v}.scaleb({places})"] if implied else []),
        # str() writes an exponent only for a positive exponent or 7+ leading zeros: never
        # here up to 6 places (implied ends with exponent 0)
        *(["{v} = str({v})"] if implied or places <= 6 else PLAIN_DECIMAL)), step=step, places=places)


def _numeric(func: Callable[[Decimal], Any], usage: str, *fast: str, **bound: Any) -> Transform:
    """A transform of a number; ``fast`` (snippet lines, see inline.py) does a Decimal inline."""
    def run(value: Any, row: Mapping[str, Any]) -> Any:
        if value is None or (value.__class__ is str and not value):
            return value
        return func(value if value.__class__ is Decimal else as_number(value, usage))
    return offer(run, decimal_fast(*fast), **bound) if fast else run


def _yesno(yes: str, no: str) -> Transform:
    def run(value: Any, row: Mapping[str, Any]) -> Any:
        if value is None or (value.__class__ is str and not value):
            return value
        if value is True or value is False:
            return yes if value else no
        flag = yes_or_no(value)
        if flag is None:
            raise ValueProblem(f"yesno needs TRUE or FALSE, not '{as_text(value)}'.")
        return yes if flag else no
    return offer(run, """\
if {v} is True:
    {v} = {yes}
elif {v} is False:
    {v} = {no}
else:
    {v} = {call}({v}, row)""", yes=yes, no=no)


# --- the catalogue ---------------------------------------------------------------------------

def _simple(func: Callable[[str], str]) -> Callable[[Step, TransformContext], Transform]:
    def make(step: Step, ctx: TransformContext) -> Transform:
        step.expect(0, 0)
        return _text_transform(func)
    return make


def _make_pad(left: bool) -> Callable[[Step, TransformContext], Transform]:
    def make(step: Step, ctx: TransformContext) -> Transform:
        step.expect(1, 2)
        width, fill = step.whole_number(0, maximum=MAX_WIDTH, why=WIDTH_WHY), step.text(1, default=" ")
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
    width = step.whole_number(0, maximum=MAX_WIDTH, why=WIDTH_WHY)
    return _text_transform(lambda s: s[:width])


def _make_date(step: Step, ctx: TransformContext) -> Transform:
    step.expect(1, 1)
    return with_form(date_transform(step.text(0)), date_form(step.text(0)))


def _make_number(implied: bool) -> Callable[[Step, TransformContext], Transform]:
    def make(step: Step, ctx: TransformContext) -> Transform:
        step.expect(1, 1)
        places = step.whole_number(0, minimum=0, maximum=MAX_PLACES, why=PLACES_WHY)
        form = implied_form(places) if implied else number_form(places)
        return with_form(_number_transform(places, implied=implied), form)
    return make


def _make_negate(step: Step, ctx: TransformContext) -> Transform:
    step.expect(0, 0)
    return _numeric(lambda n: _no_negative_zero(-n), "negate",
                    "{v} = -{v}", "if not {v}:", "    {v} = {v}.copy_abs()")


def _make_abs(step: Step, ctx: TransformContext) -> Transform:
    step.expect(0, 0)
    return _numeric(lambda n: n.copy_abs(), "abs", "{v} = {v}.copy_abs()")


def _make_if_negative(step: Step, ctx: TransformContext) -> Transform:
    step.expect(2, 2)
    negative, otherwise = step.text(0), step.text(1)
    return _numeric(lambda n: negative if n < 0 else otherwise, "if_negative",
                    "{v} = {negative} if {v} < 0 else {otherwise}", negative=negative, otherwise=otherwise)


def _make_yesno(step: Step, ctx: TransformContext) -> Transform:
    step.expect(0, 2)
    yes, no = step.text(0, default="Y"), step.text(1, default="N")
    return with_form(_yesno(yes, no), yesno_form(yes, no))


TRANSFORMS: dict[str, TransformSpec] = {spec.name: spec for spec in (
    TransformSpec("upper", "upper", _simple(str.upper)),
    TransformSpec("lower", "lower", _simple(str.lower)),
    TransformSpec("trim", "trim", _simple(str.strip)),
    TransformSpec("strip_newlines", "strip_newlines", _simple(strip_newlines)),
    TransformSpec("ascii", "ascii", _simple(to_ascii)),
    TransformSpec("ansi", "ansi", _simple(to_ansi)),
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
    TransformSpec("lookup", 'lookup(Items, "State", default="40000")', lookup_transform),
)}


def compile_steps(text: str, ctx: TransformContext) -> list[Transform]:
    """A *Transform* cell → one function per step, in order (none if the cell is empty)."""
    funcs = []
    for step in parse_chain(text):
        spec = TRANSFORMS.get(step.name)
        if spec is None:
            raise RuleProblem(f"unknown transform '{step.written}'. Known transforms: {', '.join(TRANSFORMS)}.")
        funcs.append(spec.make(step.with_usage(spec.usage), ctx))
    return funcs


def chain_steps(funcs: Sequence[Transform]) -> Transform | None:
    """Steps as one function running them left to right (None if there are none)."""
    if not funcs:
        return None
    if len(funcs) == 1:
        return funcs[0]

    def chain(value: Any, row: Mapping[str, Any]) -> Any:
        for func in funcs:
            value = func(value, row)
        return value
    return chain


def compile_transforms(text: str, ctx: TransformContext) -> Transform | None:
    """A *Transform* cell → one function running the chain left to right (None if empty)."""
    return chain_steps(compile_steps(text, ctx))
