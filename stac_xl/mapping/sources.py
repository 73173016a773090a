"""Where a field's value comes from: the rule's *Source* cell.

- ``Customer id`` — an *Invoices* column, exactly as headed (also a JSON-path column such as
  ``location.address.city``);
- ``"AR"`` — a literal in double quotes (``""`` inside is one quote; ``""`` alone is empty);
  a number typed in the cell is a literal too;
- ``Job {Job number} at {Location}`` — a template: each ``{…}`` is a column (or a
  ``{[computed value]}``), ``{{``/``}}`` are braces; empty when every piece is empty;
- ``[line amount]`` — a computed value (square brackets, because a cell starting with ``=``
  becomes an Excel formula). See :data:`COMPUTED`.

A source compiles to ``(row, state) -> value``; ``state`` is the build's running state
(:class:`stac_xl.mapping.run_state.RunState`).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from stac_xl.book.cells import is_excel_error, looks_like_formula
from stac_xl.book.values import as_text, is_empty, is_present
from stac_xl.invoices import columns as C
from stac_xl.invoices.grouping import line_amount
from stac_xl.mapping.inline import offer
from stac_xl.mapping.syntax import RuleProblem
from stac_xl.records import Grain

if TYPE_CHECKING:
    from stac_xl.mapping.run_state import RunState

Getter = Callable[[Mapping[str, Any], "RunState"], Any]
FILE_GRAINS = frozenset({Grain.FILE_START, Grain.FILE_END})
INVOICE_GRAINS = frozenset({Grain.INVOICE, Grain.LINE, Grain.INVOICE_END})
ALL_GRAINS = frozenset(Grain)


def _invoice_column(column: str) -> Getter:
    return offer(lambda row, st: st.invoice.first.get(column), "{v} = state.invoice.rows[0].get({column})",
                 column=column)


def _line_amount(row: Mapping[str, Any], st: RunState) -> Decimal | None:
    return line_amount(row)


# the fast paths (see inline.py) of the computed values read on every line
offer(_line_amount, """\
{v} = get({column})
if {v}.__class__ is not Decimal:
    {v} = {call}(row, state)""", column=C.LINE_TOTAL)
_line_index: Getter = offer(lambda row, st: st.line_index, "{v} = state.line_index")
_line_count: Getter = offer(lambda row, st: len(st.invoice.lines), "{v} = len(state.invoice.lines)")


def _distribution_count(row: Mapping[str, Any], st: RunState) -> int:
    """The invoice's lines, plus one when it has tax: the rows of an invoice whose sales tax
    is a row of its own (Sage 50 counts it among the distributions). "Has tax" is what
    *Only if* ``[tax total]`` decides, so the count and the tax row always agree."""
    invoice = st.invoice
    assert invoice is not None  # only known on invoice grains, where there is one
    return len(invoice.lines) + (1 if is_present(invoice.first.get(C.TAX)) else 0)


offer(_distribution_count, """\
{v} = 1 if {present}(state.invoice.rows[0].get({tax})) else 0
{v} += len(state.invoice.lines)""", present=is_present, tax=C.TAX)


# name -> (grains where it is known, getter)
COMPUTED: dict[str, tuple[frozenset[Grain], Getter]] = {
    "line amount": (frozenset({Grain.LINE}), _line_amount),
    "line index": (frozenset({Grain.LINE}), _line_index),
    "line count": (INVOICE_GRAINS, _line_count),
    "distribution count": (INVOICE_GRAINS, _distribution_count),
    "invoice total": (INVOICE_GRAINS, _invoice_column(C.INVOICE_TOTAL)),
    "invoice subtotal": (INVOICE_GRAINS, _invoice_column(C.SUBTOTAL)),
    "tax total": (INVOICE_GRAINS, _invoice_column(C.TAX)),
    "invoice index": (INVOICE_GRAINS, lambda row, st: st.invoice_index),
    "invoice count": (ALL_GRAINS, lambda row, st: st.invoice_count),
    "batch total": (ALL_GRAINS, lambda row, st: st.batch_total),
    "batch date": (ALL_GRAINS, lambda row, st: st.batch.export_date),
    "batch id": (ALL_GRAINS, lambda row, st: st.batch.batch_id),
    "sequence": (ALL_GRAINS, offer(lambda row, st: st.record_index + 1, "{v} = state.record_index + 1")),
}


@dataclass(frozen=True)
class CompiledSource:
    """A compiled source; ``column``/``constant`` let compile specialise the common cases."""

    getter: Getter
    column: str | None = None
    constant: str | None = None


def _grain_words(grains: frozenset[Grain]) -> str:
    words = [g.value for g in Grain if g in grains]
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]


def _a(grain: Grain) -> str:
    return f"{'an' if grain.value[0] in 'aeiou' else 'a'} {grain.value}"


def _computed(name: str, grain: Grain, record: str) -> Getter:
    key = " ".join(name.lower().split())
    if key not in COMPUTED:
        known = ", ".join(f"[{n}]" for n in COMPUTED)
        raise RuleProblem(f"unknown computed value [{name}]. Computed values: {known}.")
    grains, getter = COMPUTED[key]
    if grain not in grains:
        raise RuleProblem(f"[{key}] is only known on {_grain_words(grains)} records; "
                          f"'{record}' is {_a(grain)} record.")
    return getter


def _column(name: str, grain: Grain, record: str, columns: Collection[str]) -> Getter:
    if name not in columns:
        same = [c for c in columns if c.lower() == name.lower()]
        close = same + [c for c in difflib.get_close_matches(name, list(columns), n=3, cutoff=0.6) if c not in same]
        hint = (f"Closest Invoices columns: {', '.join(repr(c) for c in close)}." if close else
                'Source must be an Invoices column, a "literal", a {template} or a [computed value].')
        raise RuleProblem(f"unknown column '{name}'. {hint}")
    if grain in FILE_GRAINS:
        raise RuleProblem(f"'{record}' is {_a(grain)} record, written once per file, so it cannot use "
                          f"the Invoices column '{name}'; use a \"literal\" or a [computed value].")
    return lambda row, st: row.get(name)


def _template(text: str, grain: Grain, record: str, columns: Collection[str]) -> Getter:
    pieces: list[str | Getter] = []
    names: list[str] = []  # what each {…} holds: a column, or a [computed value]
    literal, i = "", 0
    while i < len(text):
        pair = text[i:i + 2]
        if pair in ("{{", "}}"):
            literal, i = literal + pair[0], i + 2
        elif text[i] == "}":
            raise RuleProblem("the template has a } without its {; write }} for a brace.")
        elif text[i] == "{":
            end = text.find("}", i)
            if end < 0:
                raise RuleProblem("the template has a { without its }.")
            pieces.append(literal)
            names.append(text[i + 1:end].strip())
            pieces.append(_piece(names[-1], grain, record, columns))
            literal, i = "", end + 1
        else:
            literal, i = literal + text[i], i + 1
    pieces.append(literal)
    getters = [p for p in pieces if not isinstance(p, str)]

    def run(row: Mapping[str, Any], st: RunState) -> Any:
        values = [g(row, st) for g in getters]
        if all(is_empty(v) for v in values):
            return None
        found = iter(values)
        return "".join(p if isinstance(p, str) else as_text(next(found)) for p in pieces)
    if len(names) == 1 and not names[0].startswith("["):
        # one column between texts ("ST{Invoice number}"): a text in it is pasted in place
        return offer(run, """\
{v} = get({column})
if {v}.__class__ is str and {v}:
    {v} = {prefix} + {v} + {suffix}
else:
    {v} = {call}(row, state)""", column=names[0], prefix=pieces[0], suffix=pieces[2])
    return run


def _piece(name: str, grain: Grain, record: str, columns: Collection[str]) -> Getter:
    if not name:
        raise RuleProblem("the template has an empty {}; put a column name inside.")
    if name.startswith("[") and name.endswith("]"):
        return _computed(name[1:-1], grain, record)
    return _column(name, grain, record, columns)


def _refuse_formula(text: str) -> None:
    """A Source written as an Excel formula (``=[line amount]``), or the error Excel shows for
    one (``#NAME?``), is a rule error: read as anything else it would pass as an empty field."""
    if is_excel_error(text):
        raise RuleProblem(f"the cell shows the Excel error {text.strip()}, so it was typed as a formula; "
                          "type the Source again without '=' (e.g. [line amount]).")
    if looks_like_formula(text):
        rest = text[1:].strip() or "[line amount]"
        sign = " and put negate in Transform" if text[0] == "-" else ""
        raise RuleProblem(f"'{text}' is written like an Excel formula; a Source is a column, a \"literal\", "
                          f"a {{template}} or a [computed value]: write {rest} without the '{text[0]}'{sign}.")


def compile_source(cell: Any, *, grain: Grain, record: str, columns: Collection[str]) -> CompiledSource:
    """A *Source* cell → a getter, or a RuleProblem saying what is wrong with it."""
    if not isinstance(cell, str):
        constant = as_text(cell)  # a number typed in Source, e.g. an account 11000
        return CompiledSource(lambda row, st: constant, constant=constant)
    text = cell.strip().replace("“", '"').replace("”", '"')
    if not text:
        return CompiledSource(lambda row, st: None, constant="")
    _refuse_formula(text)
    if text.startswith('"'):
        if len(text) < 2 or not text.endswith('"'):
            raise RuleProblem('the literal needs a closing quote: "AR".')
        constant = text[1:-1].replace('""', '"')
        return CompiledSource(lambda row, st: constant, constant=constant)
    if text.startswith("[") and text.endswith("]"):
        return CompiledSource(_computed(text[1:-1], grain, record))
    if "{" in text or "}" in text:
        return CompiledSource(_template(text, grain, record, columns))
    return CompiledSource(_column(text, grain, record, columns), column=text)
