"""The control totals of the file as written: net, tax and gross read from the records.

The *Log* sheet and the ledger report what went into the books, so they read the amounts
from the records written (the clerk's corrections included), not from *Invoices*. Which
field carries which amount comes from the Mapping rules: a field whose Source is
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

from stac_xl.book.entries import read_amount
from stac_xl.invoices import columns as C
from stac_xl.invoices.totals import Totals, totals_of
from stac_xl.mapping.forms import ImpliedForm
from stac_xl.records import CENT, Grain, OutputRecord, RecordSpec

GROSS, NET, TAX, LINE = "gross", "net", "tax", "line"
_ROLES = {
    C.INVOICE_TOTAL.lower(): GROSS, "[invoice total]": GROSS,
    C.SUBTOTAL.lower(): NET, "[invoice subtotal]": NET,
    C.TAX.lower(): TAX, "[tax total]": TAX,
    C.LINE_TOTAL.lower(): LINE, "[line amount]": LINE,
}


@dataclass(frozen=True)
class MoneyField:
    """A field that carries an amount: where it is, what it is, how to read it back."""

    position: int
    role: str
    sign: int            # -1 when the rule negates the amount
    implied: int | None  # decimals implied by implied(n)


def _steps(transform: str) -> list[str]:
    return [step.strip().split("(")[0].strip().lower() for step in transform.split("|") if step.strip()]


def money_fields(mapping_grid: Sequence[Sequence[Any]], specs: Sequence[RecordSpec]) -> dict[str, list[MoneyField]]:
    """Record type → its amount fields, from the Mapping rules."""
    from stac_xl.book.values import cell_text
    from stac_xl.mapping.sheet import read_mapping_sheet

    sheet, _ = read_mapping_sheet(mapping_grid)
    by_name = {s.name: s for s in specs}
    found: dict[str, list[MoneyField]] = {}
    positions: dict[str, int] = {}
    for rule in sheet.rules:
        if not rule.record or not rule.field:
            continue  # not a field (compile skips these too)
        position = positions.get(rule.record, 0)
        positions[rule.record] = position + 1
        role = _ROLES.get(" ".join(cell_text(rule.source).lower().split()))
        spec = by_name.get(rule.record)
        if role is None or spec is None or position >= len(spec.fields):
            continue
        steps = _steps(rule.transform or "")
        form = getattr(spec.fields[position], "form", None)
        implied = form.places if isinstance(form, ImpliedForm) else None
        found.setdefault(rule.record, []).append(
            MoneyField(position, role, -1 if steps.count("negate") % 2 else 1, implied))
    return found


def _read(raw: str, money: MoneyField) -> Decimal | None:
    if not raw.strip():
        return None
    if money.implied is not None:
        try:
            return Decimal(int(raw.strip())).scaleb(-money.implied) * money.sign
        except ValueError:
            return None
    amount = read_amount(raw)
    return None if amount is None else amount * money.sign


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
