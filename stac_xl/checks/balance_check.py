"""A profile's balance check: the *Balance check* setting, read once and applied per invoice.

Each accounting system has its own way of saying "this invoice adds up", and a file that
imports with the wrong total is worse than one that does not import. The setting states it
as an equation between two sides, each an optional minus and one term::

    I.Amount = sum(D.Amount, D tax.Amount)                       Sage 300 CRE
    sum(TRNS.AMOUNT, SPL.AMOUNT, SPL tax.AMOUNT) = 0             QuickBooks IIF
    -sum(Distribution.Amount, Distribution tax.Amount) = [invoice total]   Sage 50

A term is ``Record.Field`` (that field of the invoice's records of that type, added up),
``sum(Record.Field, …)`` (several added up), a number, or ``[invoice total]``,
``[invoice subtotal]``, ``[tax total]`` (from the invoice's row on *Invoices*). Records are
grouped per invoice by their invoice id; values are read as they stand on *Export*, so hand
edits count. An invoice whose sides differ is an error on its first record's amount cell:
"the invoice does not balance: I.Amount 556.50, sum of D.Amount 550.00".

:func:`parse_balance_check` refuses a setting it cannot read (a ``BalanceSyntax`` whose
message the caller puts after the setting's name); :meth:`BalanceCheck.check` refuses a
record or field the Mapping does not have, with a ``ConfigError`` naming the setting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from stac_xl.errors import ConfigError
from stac_xl.invoices import columns as C
from stac_xl.invoices.grouping import group_invoices
from stac_xl.problems import NOT_AN_AMOUNT, Problem
from stac_xl.records import OutputRecord, RecordSpec

SETTING = "Balance check"
EXAMPLE = "I.Amount = sum(D.Amount)"
# computed value → the Invoices column it reads
INVOICE_VALUES = {"invoice total": C.INVOICE_TOTAL, "invoice subtotal": C.SUBTOTAL, "tax total": C.TAX}
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_SUM = re.compile(r"sum\s*\((.*)\)", re.IGNORECASE | re.DOTALL)


class BalanceSyntax(ValueError):
    """The setting cannot be read; the message says why, in the clerk's words."""


@dataclass(frozen=True)
class Term:
    """One side's term: field references to add up, a number, or an invoice value."""

    refs: tuple[str, ...] = ()       # "Record.Field" as written
    number: Decimal | None = None
    invoice_value: str | None = None  # a key of INVOICE_VALUES
    summed: bool = False              # written as sum(…)

    @property
    def label(self) -> str:
        if self.number is not None:
            return ""
        if self.invoice_value is not None:
            return f"[{self.invoice_value}]"
        names = list(self.refs)
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"sum of {joined}" if self.summed else joined


@dataclass(frozen=True)
class Side:
    """An optional minus and a term."""

    term: Term
    negative: bool = False

    @property
    def label(self) -> str:
        label = self.term.label
        return f"minus {label}" if self.negative and label else label


def _parse_term(text: str) -> Term:
    text = text.strip()
    if not text:
        raise BalanceSyntax("one side of the = is empty")
    if _NUMBER.fullmatch(text):
        return Term(number=Decimal(text))
    if text.startswith("[") and text.endswith("]"):
        key = " ".join(text[1:-1].lower().split())
        if key not in INVOICE_VALUES:
            known = ", ".join(f"[{k}]" for k in INVOICE_VALUES)
            raise BalanceSyntax(f"{text} is not a value it can use; use {known}")
        return Term(invoice_value=key)
    summed = _SUM.fullmatch(text)
    inside = summed.group(1) if summed else text
    refs = tuple(part.strip() for part in inside.split(","))
    for ref in refs:
        if not ref:
            raise BalanceSyntax(f"'{text}' has an empty name between commas")
        if "." not in ref or ref.startswith(".") or ref.endswith(".") or any(c in ref for c in "()[]=+"):
            raise BalanceSyntax(f"'{ref}' is not Record.Field, a number or sum(Record.Field, …)")
    if len(refs) > 1 and not summed:
        raise BalanceSyntax(f"'{text}' lists several fields; add them up with sum(…)")
    return Term(refs=refs, summed=bool(summed))


def _parse_side(text: str) -> Side:
    text = text.strip()
    negative = text.startswith("-") and not _NUMBER.fullmatch(text)
    return Side(_parse_term(text[1:] if negative else text), negative)


def parse_balance_check(text: str) -> BalanceCheck | None:
    """The setting's text → a check (None when empty); BalanceSyntax if it cannot be read."""
    text = text.strip()
    if not text:
        return None
    if text.count("=") != 1:
        raise BalanceSyntax("it needs one = between its two sides")
    left, right = text.split("=")
    return BalanceCheck(text, _parse_side(left), _parse_side(right))


def _field_index(spec_fields: Mapping[str, Mapping[str, int]], ref: str) -> tuple[str, int] | None:
    """(record type, field position) of ``Record.Field``, trying every dot (names may hold
    one); record and field names ignore case."""
    for at in [i for i, c in enumerate(ref) if c == "."]:
        record, field = ref[:at].strip().lower(), ref[at + 1:].strip().lower()
        if record in spec_fields and field in spec_fields[record]:
            return record, spec_fields[record][field]
    return None


def _amount(raw: str) -> Decimal:
    """An amount as it stands on *Export* (empty is 0: Required is the check for that)."""
    try:
        return Decimal(raw)  # nearly every value: plain digits, as the mapping wrote them
    except InvalidOperation:
        text = raw.strip().replace(",", "")
        return Decimal(0) if not text else Decimal(text)


@dataclass(frozen=True)
class BalanceCheck:
    """``left = right`` for every invoice in a record list."""

    text: str
    left: Side
    right: Side

    def _resolve(self, specs: Sequence[RecordSpec]) -> dict[str, tuple[str, int]]:
        """``Record.Field`` → (record type as on Mapping, field position); ConfigError if unknown."""
        by_lower = {s.name.lower(): s for s in specs}
        fields = {name: {f.name.lower(): i for i, f in enumerate(s.fields)} for name, s in by_lower.items()}
        found = {}
        for ref in (*self.left.term.refs, *self.right.term.refs):
            where = _field_index(fields, ref)
            if where is None:
                record, _, field = ref.rpartition(".")
                raise ConfigError(f"Settings: {SETTING} '{self.text}' names {ref}, but the Mapping sheet has no "
                                  f"record '{record.strip()}' with a field '{field.strip()}'.")
            found[ref] = (by_lower[where[0]].name, where[1])
        return found

    def check(self, specs: Sequence[RecordSpec], records: Sequence[OutputRecord],
              rows: Sequence[Mapping[str, Any]] | None) -> list[Problem]:
        """Every invoice in ``records`` whose two sides differ, and every amount it cannot read."""
        refs = self._resolve(specs)
        checked: dict[str, list[tuple[str, int]]] = {}  # record type → the (ref, position) it adds to
        for ref, (name, at) in refs.items():
            checked.setdefault(name, []).append((ref, at))
        invoices = _Invoices(rows)
        first: dict[str, int] = {}  # invoice id → its first record, in file order
        sums: dict[str, dict[str, Decimal]] = {}
        problems: list[Problem] = []
        unreadable: set[str] = set()
        for index, record in enumerate(records):
            invoice_id = record.invoice_id
            if invoice_id is None:
                continue
            if invoice_id not in first:
                first[invoice_id] = index
                sums[invoice_id] = dict.fromkeys(refs, Decimal(0))
            for ref, at in checked.get(record.record, ()):
                raw = record.values[at] if at < len(record.values) else ""
                try:
                    sums[invoice_id][ref] += _amount(raw)
                except InvalidOperation:
                    unreadable.add(invoice_id)
                    invoice = invoices.get(invoice_id)
                    problems.append(Problem("error", f"'{raw}' is not an amount.", invoice and invoice.number,
                                            invoice_id, index, at, record.record, specs_field(specs, record.record, at),
                                            cause=NOT_AN_AMOUNT))  # its form check says why, when it has one
        uses_invoices = any(side.term.invoice_value for side in (self.left, self.right))
        for invoice_id, index in first.items():
            if invoice_id in unreadable:
                continue
            invoice = invoices.get(invoice_id) if uses_invoices else None
            values = [self._value(side, sums[invoice_id], invoice) for side in (self.left, self.right)]
            if None not in values and values[0] == values[1]:
                continue
            invoice = invoices.get(invoice_id)
            number = invoice.number if invoice is not None else None
            left, right = values
            if left is None or right is None:
                why = ("the invoice is not on the Invoices sheet, so its total is not known; fetch it again."
                       if invoice is None else "its total on the Invoices sheet is not a number, so it cannot be checked.")
                problems.append(self._problem(why, number, invoice_id, index, records, refs, specs))
            else:
                problems.append(self._problem(
                    f"the invoice does not balance: {self._shown(self.left, left)}, "
                    f"{self._shown(self.right, right, other=True)}.",
                    number, invoice_id, index, records, refs, specs))
        return problems

    @staticmethod
    def _value(side: Side, sums: Mapping[str, Decimal], invoice: Any) -> Decimal | None:
        term = side.term
        if term.number is not None:
            value = term.number
        elif term.invoice_value is not None:
            if invoice is None:
                return None
            raw = invoice.first.get(INVOICE_VALUES[term.invoice_value])
            try:
                value = raw if isinstance(raw, Decimal) else _amount("" if raw is None else str(raw))
            except InvalidOperation:
                return None
        else:
            value = sum((sums[ref] for ref in term.refs), Decimal(0))
        return -value if side.negative else value

    @staticmethod
    def _shown(side: Side, value: Decimal, *, other: bool = False) -> str:
        text = format(value, "f")
        if not side.label:
            return f"not {text}" if other else text
        return f"{side.label} {text}"

    def _problem(self, message: str, number: str | None, invoice_id: str, index: int,
                 records: Sequence[OutputRecord], refs: Mapping[str, tuple[str, int]],
                 specs: Sequence[RecordSpec]) -> Problem:
        """An error on the invoice's first record, at the first amount of the check it has."""
        first = records[index]
        at = next((pos for name, pos in refs.values() if name == first.record), None)
        field = specs_field(specs, first.record, at) if at is not None else None
        return Problem("error", message, number, invoice_id, index, at, first.record, field)


class _Invoices:
    """Invoice id → its rows on *Invoices*, grouped on first use: only a problem (for the
    invoice number) or an ``[invoice total]`` term needs them."""

    def __init__(self, rows: Sequence[Mapping[str, Any]] | None):
        self._rows = rows or []
        self._by_id: dict[str | None, Any] | None = None

    def get(self, invoice_id: str) -> Any:
        if self._by_id is None:
            self._by_id = {inv.invoice_id: inv for inv in group_invoices(self._rows)}
        return self._by_id.get(invoice_id)


def specs_field(specs: Sequence[RecordSpec], record: str, at: int) -> str | None:
    """The name of field ``at`` of record type ``record``."""
    spec = next((s for s in specs if s.name == record), None)
    return spec.fields[at].name if spec is not None and at < len(spec.fields) else None
