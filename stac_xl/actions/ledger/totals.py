"""The control totals of the file as written: net, tax and gross read from the records.

The *Log* sheet and the ledger report what went into the books, so they read the amounts
from the records written (the clerk's corrections included), not from *Invoices*. Which
field carries which amount is what the compiled Mapping says (``stac_xl.mapping.field_types``,
read once for the balance checks too): a field whose Source is
``Invoice total`` / ``[invoice total]`` is the invoice's gross, ``Subtotal`` /
``[invoice subtotal]`` its net, ``Tax`` / ``[tax total]`` its tax, and ``Line total`` /
``[line amount]`` on a line record one line's net. A ``negate`` in the Transform is undone
(QuickBooks' income splits are negative), an ``implied(n)`` field is read as cents.

Per invoice: net is its lines' sum (else its net field, else gross minus tax); tax its tax
field (else gross minus net, else 0); gross its gross field (else net plus tax). An
invoice-level amount repeated on every line (a CSV with one row per line) counts once. An
invoice whose records carry no amount at all counts with its totals on *Invoices*.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from stac_xl.invoices.totals import Totals, totals_of
from stac_xl.mapping.field_types import AmountField, AmountRole, NotAnAmount, amount_value
from stac_xl.records import CENT, Grain, OutputRecord, RecordSpec

GROSS, NET, TAX, LINE = "gross", "net", "tax", "line"
# the compiled Mapping's amount roles (stac_xl.mapping.field_types) as the totals count them
_ROLES = {AmountRole.TOTAL: GROSS, AmountRole.NET: NET, AmountRole.TAX: TAX, AmountRole.LINE: LINE}


@dataclass(frozen=True)
class MoneyField:
    """A field that carries an amount: where it is, what it is, how to read it back."""

    position: int
    role: str
    amount: AmountField


def money_fields(specs: Sequence[RecordSpec]) -> dict[str, list[MoneyField]]:
    """Record type → its amount fields: what the compiled Mapping says each field carries
    (the same reading the balance checks use)."""
    found: dict[str, list[MoneyField]] = {}
    for spec in specs:
        for position, spec_field in enumerate(spec.fields):
            amount: AmountField | None = getattr(spec_field, "amount", None)
            role = None if amount is None else _ROLES.get(amount.role)
            if amount is not None and role is not None:
                found.setdefault(spec.name, []).append(MoneyField(position, role, amount))
    return found


def _read(raw: str, money: MoneyField) -> Decimal | None:
    try:
        return amount_value(raw, money.amount)
    except NotAnAmount:
        return None  # the record checks refuse such a cell before any file is written


@dataclass
class _Invoice:
    lines: Decimal | None = None
    first: dict[str, Decimal] = field(default_factory=dict)

    def add(self, role: str, value: Decimal, grain: Grain) -> None:
        if role == LINE:
            if grain is Grain.LINE:
                self.lines = (self.lines or Decimal(0)) + value
        elif role not in self.first:
            self.first[role] = value

    def money(self) -> tuple[Decimal, Decimal, Decimal] | None:
        gross, tax = self.first.get(GROSS), self.first.get(TAX)
        net = self.lines if self.lines is not None else self.first.get(NET)
        if gross is None and net is None:
            return None
        if net is None:
            net = gross - (tax or Decimal(0)) if gross is not None else Decimal(0)
        if tax is None:
            tax = gross - net if gross is not None else Decimal(0)
        if gross is None:
            gross = net + tax
        return net, tax, gross


def file_totals(records: Sequence[OutputRecord], specs: Sequence[RecordSpec],
                fields: Mapping[str, Sequence[MoneyField]], rows: Sequence[Mapping[str, Any]]) -> Totals:
    """Invoices (distinct), lines (distinct), net, tax and gross of ``records`` as written."""
    grains = {s.name: s.grain for s in specs}
    invoices: dict[str, _Invoice] = {}
    lines: set[tuple[str, str]] = set()
    for record in records:
        if record.invoice_id is None:
            continue
        invoice = invoices.setdefault(record.invoice_id, _Invoice())
        if record.line_id:
            lines.add((record.invoice_id, record.line_id))
        for money in fields.get(record.record, ()):
            value = _read(record.values[money.position] if money.position < len(record.values) else "", money)
            if value is not None:
                invoice.add(money.role, value, grains.get(record.record, Grain.INVOICE))
    totals = Totals(invoices=len(invoices), lines=len(lines))
    for invoice_id, invoice in invoices.items():
        amounts = invoice.money()
        if amounts is None:
            fallback = totals_of(rows, {invoice_id})
            amounts = (fallback.net, fallback.tax, fallback.gross)
        totals.net += amounts[0]
        totals.tax += amounts[1]
        totals.gross += amounts[2]
    totals.net, totals.tax, totals.gross = (v.quantize(CENT) for v in (totals.net, totals.tax, totals.gross))
    return totals
