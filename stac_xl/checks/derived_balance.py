"""The invoice balance of a profile without a *Balance check* setting, read off its Mapping.

Every file must add up, whatever the target: an invoice's lines plus its tax equal its
total, in the file's own amounts, so that a line amount a clerk changed on *Export* is never
written into the books without its invoice total changing too. A profile's *Balance check*
setting says how its file adds up (:mod:`stac_xl.checks.balance_check`); without one, this
module works it out from the Mapping, which says which field carries which amount
(:class:`~stac_xl.mapping.field_types.AmountField`: ``[line amount]``, ``Tax``,
``Invoice total``…, a ``negate`` undone, ``implied(n)`` read as cents):

- the lines: the invoice's line-amount fields added up; a file with none whose line records
  carry a quantity and a unit price (Xero works each line out itself) adds up their
  products, rounded half-up to cents;
- the tax and the total: the file's own field, once per invoice (an invoice-level amount a
  CSV repeats on every line row must be the same on every row); ServiceTrade's, from
  *Invoices*, when the file carries none;
- a file whose lines carry no amount at all has nothing to add up, and is not checked.

Why from the Mapping and not by comparing each amount with what Preview computed: a clerk
may correct an amount (and its total) on purpose, which a comparison would refuse, while a
file that no longer adds up is wrong whoever made it; and adding up the file's own amounts
is what the accounting system does when it imports them. A field whose transform makes its
amount something else (``abs``, ``if_negative``) carries no amount, so it is not counted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from stac_xl.book.values import as_text
from stac_xl.checks.amounts import AmountCells, FieldAt, amount_cells
from stac_xl.invoices import columns as C
from stac_xl.mapping.field_types import AmountRole
from stac_xl.problems import Problem, money_text
from stac_xl.records import CENT, Grain, OutputRecord, RecordSpec

ONCE_PER_INVOICE = (AmountRole.TAX, AmountRole.TOTAL)


def rounded(amount: Decimal) -> Decimal:
    """An amount to the cent, half-up, as the accounting systems round a line."""
    return amount.quantize(CENT, ROUND_HALF_UP)


@dataclass
class _Invoice:
    """What one invoice's records say, as they are read."""

    first: int
    number: str | None
    lines: Decimal = Decimal(0)
    once: dict[AmountRole, tuple[Decimal, FieldAt, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    unreadable: bool = False

    def value(self, index: int, record: OutputRecord, at: FieldAt) -> Decimal | None:
        """The amount in ``at`` of ``record`` (None: empty); one it cannot read is a problem."""
        value = at.read(record)
        if value is FieldAt.UNREADABLE:
            self.unreadable = True
            self.problems.append(at.unreadable(index, record, self.number))
            return None
        return value if isinstance(value, Decimal) else None


@dataclass(frozen=True)
class _Plan:
    """What one record type adds to its invoice: its line amounts, its quantity and price
    (a file of products), its once-per-invoice amounts."""

    lines: tuple[FieldAt, ...]
    product: tuple[FieldAt, FieldAt] | None
    once: tuple[tuple[AmountRole, FieldAt], ...]


def _plans(specs: Sequence[RecordSpec], cells: AmountCells, by_line: bool) -> dict[str, _Plan]:
    plans = {}
    for spec in specs:
        plan = _Plan(tuple(cells.of(spec.name, AmountRole.LINE, Grain.LINE)) if by_line else (),
                     None if by_line else cells.products.get(spec.name),
                     tuple((role, at) for role in ONCE_PER_INVOICE for at in cells.of(spec.name, role)))
        if plan.lines or plan.product or plan.once:
            plans[spec.name] = plan
    return plans


def check_derived_balance(specs: Sequence[RecordSpec], records: Sequence[OutputRecord],
                          rows: Sequence[Mapping[str, Any]] | None, *, products: bool = True) -> list[Problem]:
    """Every invoice in ``records`` whose lines plus tax are not its total (see the module).
    ``products=False``: a file whose lines are quantity × price is left to the check of each
    line (:mod:`stac_xl.checks.recomputed_lines`), which says the same of the line at fault."""
    cells = amount_cells(specs)
    by_line = bool(cells.all_of(AmountRole.LINE, Grain.LINE))
    if not by_line and not (cells.products and products):
        return []
    plans = _plans(specs, cells, by_line)
    numbers, totals = _from_invoices(rows)
    invoices: dict[str, _Invoice] = {}
    for index, record in enumerate(records):
        plan = plans.get(record.record)
        if record.invoice_id is None or plan is None:
            continue
        invoice = invoices.get(record.invoice_id)
        if invoice is None:
            invoice = invoices[record.invoice_id] = _Invoice(index, numbers.get(record.invoice_id))
        _read(invoice, index, record, plan)
    problems: list[Problem] = []
    for invoice_id, invoice in invoices.items():
        problems += invoice.problems
        if not invoice.unreadable:
            problems += _balance(invoice_id, invoice, records, cells, totals.get(invoice_id))
    return problems


def _read(invoice: _Invoice, index: int, record: OutputRecord, plan: _Plan) -> None:
    """Add one record's amounts to its invoice (a problem for what cannot be read or repeats differently)."""
    for at in plan.lines:
        invoice.lines += invoice.value(index, record, at) or Decimal(0)
    if plan.product is not None:
        quantity, price = (invoice.value(index, record, at) for at in plan.product)
        if quantity is not None and price is not None:
            invoice.lines += rounded(quantity * price)
    for role, at in plan.once:
        value = invoice.value(index, record, at)
        seen = invoice.once.get(role)
        if value is None:
            continue
        if seen is None:
            invoice.once[role] = (value, at, index)
        elif seen[0] != value and seen[1].record == at.record:
            invoice.problems.append(at.problem(
                index, record, invoice.number,
                f"{at.name} is {money_text(value)} here but {money_text(seen[0])} on this invoice's first "
                f"{at.record} record; an invoice has one {role.value}: make them the same."))


def _balance(invoice_id: str, invoice: _Invoice, records: Sequence[OutputRecord], cells: AmountCells,
             servicetrade: tuple[Decimal, Decimal] | None) -> list[Problem]:
    tax, total = (invoice.once.get(role) for role in ONCE_PER_INVOICE)
    if total is None and servicetrade is None:
        return []  # nothing in the file or on Invoices to add up to
    tax_value = tax[0] if tax is not None else servicetrade[1] if servicetrade is not None else Decimal(0)
    total_value = total[0] if total is not None else servicetrade[0] if servicetrade is not None else Decimal(0)
    if abs(invoice.lines + tax_value - total_value) < CENT / 2:
        return []
    whose = "its total" if total is not None else "ServiceTrade's total"
    taxed = "its tax" if tax is not None else "ServiceTrade's tax"
    message = (f"the invoice does not add up in the file: its lines ({money_text(invoice.lines)}) plus {taxed} "
               f"({money_text(tax_value)}) come to {money_text(invoice.lines + tax_value)}, but {whose} is "
               f"{money_text(total_value)}; correct the amounts, or Preview again.")
    at, index = (total[1], total[2]) if total is not None else cells.first_line_cell(records, invoice.first)
    if at is None:
        return [Problem("error", message, invoice.number, invoice_id, invoice.first,
                        record=records[invoice.first].record)]
    return [at.problem(index, records[index], invoice.number, message)]


def _from_invoices(rows: Sequence[Mapping[str, Any]] | None
                   ) -> tuple[dict[str, str], dict[str, tuple[Decimal, Decimal]]]:
    """Invoice id → its number, and → (total, tax) from *Invoices* where they are amounts;
    read from each invoice's first row (rows of one invoice are consecutive)."""
    numbers: dict[str, str] = {}
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    last: Any = None
    for row in rows or ():
        key = row.get(C.INVOICE_ID)
        if key is None or key == last:
            continue
        last = key
        invoice_id = key if key.__class__ is str else as_text(key)
        numbers[invoice_id] = as_text(row.get(C.INVOICE_NUMBER))
        total, tax = row.get(C.INVOICE_TOTAL), row.get(C.TAX)
        if isinstance(total, Decimal):
            totals[invoice_id] = (total, tax if isinstance(tax, Decimal) else Decimal(0))
    return numbers, totals


def invoice_numbers(rows: Sequence[Mapping[str, Any]] | None) -> dict[str, str]:
    """Invoice id → invoice number, for problem sentences."""
    return _from_invoices(rows)[0]
