"""Lines the accounting system works out again as quantity × unit price (Xero, Sage 50).

Such a system does not take the line's amount from the file: it multiplies the quantity by
the unit price the file gives, to the cent. ServiceTrade rounds the line, not the price:
3 × 33.335 is 100.01 in ServiceTrade (100.005, half-up), but the file's price is 33.34 and
3 × 33.34 is 100.02 in the books. The *Quantity times price* setting says what the profile
does about it (:class:`Recompute`):

- ``no``: the system takes the file's amounts; nothing to check;
- ``flag``: a line whose product is not its amount is an error on its unit price cell;
- ``quantity 1``: Preview writes such a line as quantity 1 at its line amount (a warning
  says so), which every system multiplies back to the same amount. A line still off on
  *Export* (a correction made after) is an error, as with ``flag``.

A line's amount is the file's own line-amount field when it has one (Sage 50's Amount),
else ServiceTrade's line total on *Invoices*.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any

from stac_xl.book.values import ValueProblem
from stac_xl.checks.amounts import AmountCells, FieldAt, amount_cells
from stac_xl.checks.derived_balance import invoice_numbers, rounded
from stac_xl.invoices import columns as C
from stac_xl.invoices.grouping import line_amount
from stac_xl.mapping.field_types import AmountRole
from stac_xl.problems import Problem, money_text
from stac_xl.records import Grain, OutputRecord, RecordSpec

SETTING = "Quantity times price"
ONE_CAUSE = "sent as quantity 1 at the line amount (Quantity times price)"


class Recompute(StrEnum):
    """The *Quantity times price* setting; the value is the clerk's word."""

    NO = "no"
    FLAG = "flag"
    QUANTITY_ONE = "quantity 1"


def _line_amounts(rows: Sequence[Mapping[str, Any]] | None) -> dict[tuple[str, str], Decimal]:
    """(invoice id, line id) → ServiceTrade's line amount, for the lines that have one."""
    found: dict[tuple[str, str], Decimal] = {}
    for row in rows or []:
        invoice_id, line_id = row.get(C.INVOICE_ID), row.get(C.LINE_ID)
        if invoice_id is None or line_id is None:
            continue
        try:
            amount = line_amount(row)
        except ValueProblem:
            continue
        if amount is not None:
            found[(str(invoice_id), str(line_id))] = amount
    return found


class _Lines:
    """The line records of a file with a quantity and a unit price, each with its amount."""

    def __init__(self, specs: Sequence[RecordSpec], rows: Sequence[Mapping[str, Any]] | None):
        self.cells: AmountCells = amount_cells(specs)
        self.servicetrade = _line_amounts(rows) if self.cells.products else {}
        self.numbers = invoice_numbers(rows) if self.cells.products else {}

    def off(self, record: OutputRecord) -> tuple[Decimal, Decimal, Decimal, Decimal] | None:
        """(quantity, price, product, amount) of a line whose product is not its amount."""
        pair = self.cells.products.get(record.record)
        if pair is None:
            return None
        quantity, price = (at.read(record) for at in pair)
        amount = self._amount(record)
        if not isinstance(quantity, Decimal) or not isinstance(price, Decimal) or amount is None:
            return None  # an empty or unreadable cell is the form and required checks' to tell
        product = rounded(quantity * price)
        return None if product == amount else (quantity, price, product, amount)

    def each_off(self, records: Sequence[OutputRecord]
                 ) -> Iterator[tuple[int, OutputRecord, tuple[Decimal, Decimal, Decimal, Decimal]]]:
        """(index, record, what :meth:`off` found) for every line whose product is not its amount."""
        for index, record in enumerate(records):
            found = self.off(record)
            if found is not None:
                yield index, record, found

    def _amount(self, record: OutputRecord) -> Decimal | None:
        own = self.cells.of(record.record, AmountRole.LINE, Grain.LINE)
        if own:
            value = own[0].read(record)
            return value if isinstance(value, Decimal) else None
        return self.servicetrade.get((record.invoice_id or "", record.line_id or ""))


def check_recomputed_lines(specs: Sequence[RecordSpec], records: Sequence[OutputRecord],
                           rows: Sequence[Mapping[str, Any]] | None, setting: Recompute) -> list[Problem]:
    """Every line whose quantity × unit price the accounting system would make another amount."""
    if setting is Recompute.NO:
        return []
    lines = _Lines(specs, rows)
    problems = []
    for index, record, (quantity, price, product, amount) in lines.each_off(records):
        _, price_at = lines.cells.products[record.record]
        problems.append(price_at.problem(
            index, record, lines.numbers.get(record.invoice_id or ""),
            f"{_number(quantity)} × {money_text(price)} comes to {money_text(product)} in the accounting system, "
            f"which works each line out again, but the line's amount is {money_text(amount)}; set {SETTING} to "
            f"'{Recompute.QUANTITY_ONE}' on Settings to send such lines as 1 × {money_text(amount)}, or correct the "
            "quantity or the price."))
    return problems


def send_as_quantity_one(specs: Sequence[RecordSpec], records: Sequence[OutputRecord],
                         rows: Sequence[Mapping[str, Any]] | None) -> list[Problem]:
    """Rewrite, in place, each line whose product is not its amount as quantity 1 at that
    amount (in each field's own form); a warning on the price cell says what was done."""
    lines = _Lines(specs, rows)
    told = []
    for index, record, (quantity, price, product, amount) in lines.each_off(records):
        quantity_at, price_at = lines.cells.products[record.record]
        one, at_amount = _written(quantity_at, Decimal(1)), _written(price_at, amount)
        if one is None or at_amount is None:
            continue  # the fields cannot hold it: the check then refuses the line
        record.values[quantity_at.position], record.values[price_at.position] = one, at_amount
        told.append(price_at.problem(
            index, record, lines.numbers.get(record.invoice_id or ""),
            f"sent as 1 × {money_text(amount)}: {_number(quantity)} × {money_text(price)} would come to "
            f"{money_text(product)} in the accounting system, not the line's {money_text(amount)}.",
            severity="warning", cause=ONE_CAUSE))
    return told


def _written(at: FieldAt, amount: Decimal) -> str | None:
    """``amount`` as field ``at`` writes it: its sign, its decimals, its form."""
    value = amount * at.amount.sign
    if at.form is not None:
        written: str | None = at.form.normalise(value)  # implied(n) scales it itself
        return written
    return format(value.scaleb(at.amount.implied) if at.amount.implied is not None else value, "f")


def _number(quantity: Decimal) -> str:
    return format(quantity.normalize(), "f") if quantity == quantity.to_integral_value() else format(quantity, "f")
