"""The named transforms of a rule's *Transform* cell, chained with ``|``.

``trim | upper | truncate(30)`` runs left to right. Each transform is parsed and checked once
(a wrong one is a :class:`RuleProblem` that compile turns into a ``MappingError`` naming the
cell) and becomes a plain function ``(value, row) -> value``; the build loop only calls them.
An empty value (``None`` or ``""``) stays empty through every transform: the rule's
*Default* is the way to fill it.

Nothing is lost silently: a value ``truncate`` cuts, or whose characters ``ascii``/``ansi``
spell out or replace with ``?``, is made all the same and reported as a warning on its cell
(:class:`ValueChanged`), the full value in the message. ``truncate(41, match=Names)`` marks
a name the accounting system matches to a record (a customer, an item): cutting it would
make another name, so a longer value is an error unless table *Names* on *Lookups* maps it
to the name it has there.
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
from stac_xl.mapping.forms import (
    choice_form,
    code_form,
    date_form,
    implied_form,
    number_form,
    plain_number_form,
    with_form,
    yesno_form,
)
from stac_xl.mapping.inline import PLAIN_DECIMAL, TEXT_FAST, decimal_fast, offer
from stac_xl.mapping.lookup import LookupTable, lookup_key, lookup_transform
from stac_xl.mapping.syntax import RuleProblem, Step, parse_chain
from stac_xl.mapping.transform_types import Transform, TransformContext, TransformSpec, ValueChanged, of_text_alone

__all__ = [
    "TRANSFORMS",
    "Transform",
    "TransformContext",
    "TransformSpec",
    "ValueChanged",
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
    out (⅜→3/8, →→->), every other character (°, Arabic, Chinese…) written as ``?``, so
    nothing disappears without a trace."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_BY_HAND)).translate(_AFTER_DECOMPOSING)
    return "".join(c if c.isascii() else "" if unicodedata.combining(c) else "?" for c in decomposed)


def to_ansi(text: str) -> str:
    """Keep every character Windows-1252 (ANSI) can hold (é, °, ½, —…), composed first (an
    e and a combining accent are the é cp1252 holds), and transliterate the rest as
    :func:`to_ascii` does (⅜→3/8, →→->, others ``?``): text for a cp1252 file that loses as
    little as it can."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFC", text)
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


_SHOWN_CHARACTERS = 5


def _told(convert: Callable[[str], str], holds: Callable[[str], bool], target: str) -> Callable[[str], str]:
    """``convert``, raising ValueChanged (a warning, the converted value kept) when it had to
    spell out or replace a character ``target`` cannot hold."""
    cause = f"characters {target} cannot hold, spelled out or written as ?"

    def run(text: str) -> str:
        made = convert(text)
        if made == text or text.isascii():
            return made
        lost = list(dict.fromkeys(c for c in unicodedata.normalize("NFC", text) if not holds(c)))
        if not lost:
            return made  # only composed (NFC): the same text
        named = ", ".join(f"'{c}'" for c in lost[:_SHOWN_CHARACTERS]) + (", …" if len(lost) > _SHOWN_CHARACTERS else "")
        raise ValueChanged(f"'{text}' has characters {target} cannot hold ({named}); written as '{made}'.", made,
                           cause=cause)
    return run


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
    return of_text_alone(offer(run, TEXT_FAST, func=func))


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
    rounding = (
        "{v} = {v}.quantize({step}, ROUND_HALF_UP)",
        "if not {v}:",
        "    {v} = {v}.copy_abs()",
        *(["{v} = {v}.scaleb({places})"] if implied else []),
        # str() writes an exponent only for a positive exponent or 7+ leading zeros: never
        # here up to 6 places (implied ends with exponent 0)
        *(["{v} = str({v})"] if implied or places <= 6 else PLAIN_DECIMAL))
    if implied or not 1 <= places <= 6:
        return offer(run, decimal_fast(*rounding), step=step, places=places)
    # an amount that has its places already (123.45 from ServiceTrade) is its own text: no rounding
    as_given = ('{v}_ = str({v})', 'if {v}_[{dot}] == "." and "E" not in {v}_ and {v}_ != {minus_zero}:',
                '    {v} = {v}_', 'else:', *("    " + line for line in rounding))
    return offer(run, decimal_fast(*as_given), step=step, places=places, dot=slice(-places - 1, -places),
                 minus_zero="-0." + "0" * places)


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
    step.expect(1, 1, keys=("match",))
    width = step.whole_number(0, maximum=MAX_WIDTH, why=WIDTH_WHY)
    match = step.keyword("match")
    if match is None:
        return _text_transform(_cut(width))
    name = match.value.strip()
    if not name:
        raise RuleProblem(f"truncate's match names the Lookups table of shorter names; e.g. truncate({width}, match=Names).")
    # the table may be missing until a name is too long: the error then says to add it
    matched = _cut_to_match(width, name, ctx.tables.get(name.lower()))
    return with_form(_text_transform(matched), code_form())


def _cut(width: int) -> Callable[[str], str]:
    cause = f"cut to {width} characters by truncate({width})"

    def cut(text: str) -> str:
        if len(text) <= width:
            return text
        raise ValueChanged(f"{cause}; the full value is '{text}'.", text[:width], cause=cause)
    return cut


def _cut_to_match(width: int, name: str, table: LookupTable | None) -> Callable[[str], str]:
    """A name the accounting system matches is never cut: a longer one is an error unless
    the Lookups table ``name`` maps it to a name that fits."""
    cause = f"longer than {width} characters; map each to its shorter name on Lookups › {name}"

    def fit(text: str) -> str:
        if len(text) <= width:
            return text
        mapped = table.values.get(lookup_key(text)) if table is not None else None
        if mapped is not None and len(mapped) <= width:
            return mapped
        # shown whole, as an error: the Export sheet holds the name, Max length refuses it there too
        if mapped is not None:
            raise ValueChanged(f"Lookups › {name} maps '{text}' to '{mapped}', which is {len(mapped)} characters "
                               f"long; the accounting system keeps {width}.", mapped, cause=cause,
                               subject=f"'{text}'", severity="error")
        raise ValueChanged(f"'{text}' is {len(text)} characters long, but the accounting system keeps {width}, and a cut "
                           f"name would not match its record; add it to table '{name}' on Lookups with the name it has "
                           f"there (at most {width} characters).", text, cause=cause, subject=f"'{text}'",
                           severity="error")
    return fit


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
    return with_form(_numeric(lambda n: _no_negative_zero(-n), "negate",
                              "{v} = -{v}", "if not {v}:", "    {v} = {v}.copy_abs()"), plain_number_form())


def _make_abs(step: Step, ctx: TransformContext) -> Transform:
    step.expect(0, 0)
    return with_form(_numeric(lambda n: n.copy_abs(), "abs", "{v} = {v}.copy_abs()"), plain_number_form())


def _make_if_negative(step: Step, ctx: TransformContext) -> Transform:
    step.expect(2, 2)
    negative, otherwise = step.text(0), step.text(1)
    return with_form(_numeric(lambda n: negative if n < 0 else otherwise, "if_negative",
                              "{v} = {negative} if {v} < 0 else {otherwise}", negative=negative, otherwise=otherwise),
                     choice_form(negative, otherwise))


def _make_lookup(step: Step, ctx: TransformContext) -> Transform:
    return with_form(lookup_transform(step, ctx), code_form())


def _make_yesno(step: Step, ctx: TransformContext) -> Transform:
    step.expect(0, 2)
    yes, no = step.text(0, default="Y"), step.text(1, default="N")
    return with_form(_yesno(yes, no), yesno_form(yes, no))


TRANSFORMS: dict[str, TransformSpec] = {spec.name: spec for spec in (
    TransformSpec("upper", "upper", _simple(str.upper)),
    TransformSpec("lower", "lower", _simple(str.lower)),
    TransformSpec("trim", "trim", _simple(str.strip)),
    TransformSpec("strip_newlines", "strip_newlines", _simple(strip_newlines)),
    TransformSpec("ascii", "ascii", _simple(_told(to_ascii, str.isascii, "ASCII"))),
    TransformSpec("ansi", "ansi", _simple(_told(to_ansi, _in_cp1252, "Windows-1252"))),
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
        changed: list[ValueChanged] = []
        for func in funcs:
            try:
                value = func(value, row)
            except ValueChanged as change:  # the value goes on through the rest of the chain
                value = change.value
                changed.append(change)
        if changed:
            worst = next((c for c in changed if c.severity == "error"), changed[0])
            raise ValueChanged(" ".join(str(c) for c in changed), value, cause=worst.cause, subject=worst.subject,
                               severity=worst.severity)
        return value
    return chain


def compile_transforms(text: str, ctx: TransformContext) -> Transform | None:
    """A *Transform* cell → one function running the chain left to right (None if empty)."""
    return chain_steps(compile_steps(text, ctx))
