"""The *Invoices* rows grouped back into invoices, and a line's amount.

Rows of one invoice are consecutive (Fetch writes them so, and Preview keeps the sheet
order); the mapping's build, the invoice checks and the totals all group the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from stac_xl.book.values import ValueProblem, as_text, is_empty
from stac_xl.invoices import columns as C
from stac_xl.records import CENT


def line_amount(row: Mapping[str, Any]) -> Decimal | None:
    """A line's amount: its Line total, else Quantity × Unit price rounded half-up to cents.

    A value that is not a number (a hand edit on *Invoices*) is a ValueProblem."""
    total = row.get(C.LINE_TOTAL)
    if not is_empty(total):
        return total if isinstance(total, Decimal) else _decimal(total, C.LINE_TOTAL)
    quantity, price = row.get(C.QUANTITY), row.get(C.UNIT_PRICE)
    if is_empty(quantity) or is_empty(price):
        return None
    product = _decimal(quantity, C.QUANTITY) * _decimal(price, C.UNIT_PRICE)
    return product.quantize(CENT, ROUND_HALF_UP)


def _decimal(value: Any, column: str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueProblem(f"{column} '{as_text(value)}' is not a number.") from None


@dataclass
class InvoiceRows:
    """One invoice's consecutive rows from *Invoices*; ``lines`` is empty for an invoice
    without lines (one row with no Line id, Description, Quantity or Line total)."""

    rows: list[Mapping[str, Any]]
    lines: list[Mapping[str, Any]] = field(default_factory=list)

    @property
    def first(self) -> Mapping[str, Any]:
        return self.rows[0]

    @property
    def invoice_id(self) -> str | None:
        value = self.first.get(C.INVOICE_ID)
        return None if value is None else as_text(value)

    @property
    def number(self) -> str:
        return as_text(self.first.get(C.INVOICE_NUMBER))


def _is_header_only(row: Mapping[str, Any]) -> bool:
    return all(row.get(c) in (None, "") for c in C.LINE_MARKERS)


def group_invoices(rows: Sequence[Mapping[str, Any]]) -> list[InvoiceRows]:
    """Consecutive rows sharing an Invoice id, as invoices, in sheet order."""
    groups: list[list[Mapping[str, Any]]] = []
    found: list[Mapping[str, Any]] | None = None
    current: Any = None
    for row in rows:
        # groupby's test (the same object, or equal to the group's first key) written out: an
        # inline row.get is quicker than groupby calling a key function, and build and
        # validation both group 100,000 rows
        key = row.get(C.INVOICE_ID)
        if found is not None and (current is key or current == key):
            found.append(row)
        else:
            found, current = [row], key
            groups.append(found)
    return [InvoiceRows(group, [] if len(group) == 1 and _is_header_only(group[0]) else group) for group in groups]
