"""The control totals of a batch of invoices: counts and money, as a clerk checks them
against ServiceTrade before and after an export.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stac_xl.invoices import columns as C


@dataclass
class Totals:
    """The checks a clerk compares with ServiceTrade before exporting."""

    invoices: int = 0
    lines: int = 0
    net: Decimal = Decimal("0.00")
    tax: Decimal = Decimal("0.00")
    gross: Decimal = Decimal("0.00")


def totals_of(rows: Sequence[Mapping[str, Any]], invoice_ids: Collection[str]) -> Totals:
    """Invoice and line counts and money totals of the invoices that are in the file."""
    totals = Totals()
    seen: set[object] = set()
    for row in rows:
        invoice_id = row.get(C.INVOICE_ID)
        if invoice_id not in invoice_ids:
            continue
        if row.get(C.LINE_ID):
            totals.lines += 1
        if invoice_id in seen:
            continue
        seen.add(invoice_id)
        totals.invoices += 1
        totals.net += row.get(C.SUBTOTAL) or Decimal(0)
        totals.tax += row.get(C.TAX) or Decimal(0)
        totals.gross += row.get(C.INVOICE_TOTAL) or Decimal(0)
    return totals
