"""The shared test invoices of ../shared/reference/import-formats.md, as plain data.

No tests live here: golden tests import these invoices and act as the "mapping", turning
them into OutputRecords by hand for each target, so the writer is checked against the
vendor samples without sharing any code with the mapping module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Line:
    """One invoice line: item, text, quantity × price, income account (number and name)."""

    item: str
    description: str
    quantity: Decimal
    price: Decimal
    account: str
    account_name: str

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.price


@dataclass(frozen=True)
class Invoice:
    """One invoice with its customer and lines."""

    number: str
    customer_id: str
    customer_name: str
    email: str
    street: str
    city: str
    state: str
    postal_code: str
    issued: date
    due: date
    job: str
    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))


def _inspection(description: str, price: str) -> Line:
    return Line("INSPECTION", description, Decimal("1"), Decimal(price), "40000", "Service Income")


def _parts(description: str, quantity: str, price: str) -> Line:
    return Line("PARTS", description, Decimal(quantity), Decimal(price), "41000", "Parts Income")


ACME = Invoice(
    "10041", "ACME01", "Acme Property Mgmt", "ap@acme.example", "100 Main St", "Raleigh", "NC", "27601",
    date(2024, 3, 15), date(2024, 4, 14), "24-1001",
    (_inspection("Quarterly fire sprinkler inspection", "450.00"), _parts("Replace sprinkler head", "3", "35.50")),
)
BAKER = Invoice(
    "10042", "BAKER01", "Baker Street Bistro, LLC", "ap@bakerst.example", "22 Baker St", "Durham", "NC", "27701",
    date(2024, 3, 18), date(2024, 4, 17), "24-1002",
    (_inspection("Kitchen hood suppression inspection", "325.00"), _parts("Fusible link, 165F", "2", "18.75")),
)
INVOICES = (ACME, BAKER)


def money(value: Decimal) -> str:
    """Two decimals, '-' sign, no separators: how the samples write amounts."""
    return f"{value:.2f}"
