"""A problem found in records or invoices, and what is done with a list of them.

Each :class:`Problem` says where it is (record index and field index, so the *Export* sheet
can mark the cell; the invoice number, so the clerk can find it in ServiceTrade) and what
is wrong, in a sentence. ``error`` blocks an export; ``warning`` is shown and allowed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from stac_xl.records import CENT, OutputRecord

Severity = Literal["error", "warning"]
REQUIRED_BUT_EMPTY = "required, but empty."
EMPTY_REQUIRED = "required but empty"  # the cause, as "2 cells are required but empty" tells it
NOT_AN_AMOUNT = "not an amount"  # a balance check that cannot read a cell another check refuses already
TOO_LONG = "longer than Max length on Mapping allows"  # said again by the rule's own error, if it has one
# Causes that follow from another error on the same cell: told only when the cell has no other.
_CONSEQUENCES = frozenset({EMPTY_REQUIRED, NOT_AN_AMOUNT, TOO_LONG})
SHOWN_AT_MOST = 20  # problem lines a clerk reads before the totals
_EXAMPLES = 3       # values named in a grouped line


class Policy(StrEnum):
    """What the build does with one kind of invoice (the *Zero invoices* and *Credit memos*
    settings): put it in the file, or leave it out with a warning. A StrEnum, so the value
    is the clerk's word in messages and compares equal to it."""

    EXPORT = "export"
    SKIP = "skip"


@dataclass(frozen=True)
class Problem:
    """One problem; ``str(problem)`` is the line a clerk reads."""

    severity: Severity
    message: str
    invoice_number: str | None = None
    invoice_id: str | None = None
    record_index: int | None = None   # position in the record list (Export row - 2)
    field_index: int | None = None    # position in the record's values
    record: str | None = None         # record type: TRNS, I, …
    field: str | None = None          # field name: AMOUNT, Customer, …
    # problems of one cause are told as one line: the cause in words, and each one's value
    cause: str | None = dataclasses.field(default=None, compare=False)
    subject: str | None = dataclasses.field(default=None, compare=False)
    # a cell the record and field indexes cannot name (a row with no record: "Export!A7")
    cell: str | None = dataclasses.field(default=None, compare=False)

    def __str__(self) -> str:
        where = []
        if self.invoice_number:
            where.append(f"Invoice {self.invoice_number}")
        elif self.record_index is not None:
            where.append(f"Record {self.record_index + 1}")
        label = " ".join(part for part in (self.record, self.field) if part)
        if label:
            where.append(label)
        return f"{', '.join(where)}: {self.message}" if where else self.message


def money_text(amount: Decimal) -> str:
    """An amount as a problem sentence shows it: to the cent, no thousands separator."""
    return format(amount.quantize(CENT), "f")


def has_errors(problems: Sequence[Problem]) -> bool:
    """True if any problem blocks the export."""
    return any(p.severity == "error" for p in problems)


def attach_issues(records: Sequence[OutputRecord], problems: Sequence[Problem]) -> None:
    """Copy each record's problems into its ``issues`` (the *Issues* column on *Export*)."""
    for problem in problems:
        if problem.record_index is not None and 0 <= problem.record_index < len(records):
            prefix = f"{problem.field}: " if problem.field else ""
            records[problem.record_index].issues.append(prefix + problem.message)


def plural(count: int, word: str) -> str:
    """``1 error``, ``2 errors``: a count with its word."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def without_repeats(problems: Sequence[Problem]) -> list[Problem]:
    """One problem per cause per cell: a value the build could not make (a key missing from a
    lookup) leaves its cell empty, and *required, but empty* on that cell would say it twice;
    a balance check that cannot read a cell the form check refuses (``two``) says it again."""
    made = {(p.record_index, p.field_index) for p in problems
            if p.cause not in _CONSEQUENCES and p.field_index is not None and p.severity == "error"}
    return [p for p in problems
            if not (p.cause in _CONSEQUENCES and (p.record_index, p.field_index) in made)]


def counts_line(problems: Sequence[Problem]) -> str:
    """``3 errors, 1 warning``: what a Preview or a refused Export found, counted one way."""
    errors = sum(1 for p in problems if p.severity == "error")
    return f"{plural(errors, 'error')}, {plural(len(problems) - errors, 'warning')}"


MARKED_ON_THE_SHEET = "they are marked on the sheet"


def grouped_lines(problems: Sequence[Problem], where: Callable[[Problem], str], *,
                  at_most: int = SHOWN_AT_MOST, rest: str = MARKED_ON_THE_SHEET,
                  severity: bool = False) -> list[str]:
    """The lines a clerk reads: problems that share a cause as one line with a few of their
    values and the cells they are in, every other problem as its own line naming its cell;
    at most ``at_most`` lines, then how many more there are and where they are (``rest``).
    With ``severity`` each line starts with ``error:`` or ``warning:`` (errors first)."""
    groups: dict[tuple[str, str], list[Problem]] = {}
    ordered = sorted(problems, key=lambda p: p.severity != "error") if severity else problems
    for p in ordered:
        groups.setdefault((p.severity if severity else "", p.cause or f"\x00{id(p)}"), []).append(p)
    lines = [(f"{kind}: " if kind else "") + _group_line(group, where) for (kind, _), group in groups.items()]
    if len(lines) > at_most:
        left = sum(len(g) for g in list(groups.values())[at_most:])
        lines = [*lines[:at_most], f"… and {plural(left, 'more problem')} not listed here; {rest}."]
    return lines


def _group_line(group: Sequence[Problem], where: Callable[[Problem], str]) -> str:
    first = group[0]
    if len(group) == 1:
        place = where(first)  # empty for a problem about no cell (an invoice left out)
        return f"{place}: {first}" if place else str(first)
    values = list(dict.fromkeys(p.subject for p in group if p.subject))
    named = ", ".join(values[:_EXAMPLES]) + (", …" if len(values) > _EXAMPLES else "")
    cells = [where(p) for p in group]
    shown = ", ".join(cells[:_EXAMPLES]) + (", …" if len(cells) > _EXAMPLES else "")
    if values:
        return f"{plural(len(values), 'value')} {_are(len(values))} {first.cause}: {named} ({plural(len(group), 'cell')}: {shown})"
    return f"{plural(len(group), 'cell')} {_are(len(group))} {first.cause} ({shown})"


def _are(count: int) -> str:
    return "is" if count == 1 else "are"
