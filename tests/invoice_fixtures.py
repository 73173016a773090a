"""The shared test invoices (import-formats.md, "Shared test data") as typed *Invoices* rows.

Each row is what :func:`stac_xl.invoices.read_back.read_invoice_rows` returns for the sheet Fetch
writes: one dict per invoice line keyed by the default column names, money as ``Decimal``
with cents, dates as ``date``, ids as text, Taxable as ``bool``, Line no as ``int``.
ServiceTrade knows the customers by id (1001, 1002); the accounting numbers ACME01 and
BAKER01 come from a preset's Customers lookup table, the income accounts from its item
lookup. The shared rows have no sales tax; :func:`taxed_rows` adds an invoice with one
taxable line and a taxed credit memo (7.25 %, as the sandbox charges). No tests live here:
import the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

Row = dict[str, Any]
CENT = Decimal("0.01")
TAX_RATE = Decimal("0.0725")
# A fixed day to export on, so [batch date] and file names are repeatable.
EXPORT_DATE = date(2024, 3, 20)


@dataclass(frozen=True)
class Customer:
    """A ServiceTrade customer and the location invoiced."""

    id: str
    name: str
    location_id: str
    location: str
    street: str
    city: str
    state: str
    postal_code: str


@dataclass(frozen=True)
class LineItem:
    """One invoice line as ServiceTrade sends it."""

    id: str
    item_code: str
    item_name: str
    service_line: str
    description: str
    quantity: str
    price: str
    taxable: bool = False


ACME = Customer("1001", "Acme Property Mgmt", "2001", "Acme Tower", "100 Main St", "Raleigh", "NC", "27601")
BAKER = Customer("1002", "Baker Street Bistro, LLC", "2002", "Baker Street Bistro", "22 Baker St", "Durham",
                 "NC", "27701")


def inspection(line_id: str, description: str, price: str) -> LineItem:
    """An INSPECTION line (income account 40000 "Service Income"), quantity 1."""
    return LineItem(line_id, "INSPECTION", "Sprinkler inspection", "Sprinkler", description, "1", price)


def parts(line_id: str, description: str, quantity: str, price: str, *, taxable: bool = False) -> LineItem:
    """A PARTS line (income account 41000 "Parts Income")."""
    return LineItem(line_id, "PARTS", "Parts", "Sprinkler", description, quantity, price, taxable)


def _money(text: str | Decimal) -> Decimal:
    return Decimal(text).quantize(CENT)


def invoice_rows(*, invoice_id: str, number: str, customer: Customer, issued: date, due: date,
                 job_id: str | None, job_number: str | None, lines: list[LineItem],
                 terms: str = "Net 30", customer_po: str | None = None, tax_rate: Decimal = Decimal(0)) -> list[Row]:
    """An invoice's *Invoices* rows: one per line, invoice fields repeated; sales tax at
    ``tax_rate`` of the taxable lines, rounded half-up to cents (none by default)."""
    totals = [(Decimal(li.quantity) * Decimal(li.price)).quantize(CENT, ROUND_HALF_UP) for li in lines]
    subtotal = sum(totals, Decimal("0")).quantize(CENT)
    taxable = sum((t for li, t in zip(lines, totals) if li.taxable), Decimal("0"))
    tax = (taxable * tax_rate).quantize(CENT, ROUND_HALF_UP)
    head: Row = {
        "Invoice id": invoice_id, "Invoice number": number, "Type": "invoice", "Status": "ok",
        "Transaction date": issued, "Due date": due, "Created": issued,
        "Customer id": customer.id, "Customer": customer.name,
        "Location id": customer.location_id, "Location": customer.location,
        "Street": customer.street, "City": customer.city, "State": customer.state,
        "Postal code": customer.postal_code,
        "Job id": job_id, "Job number": job_number, "Customer PO": customer_po, "Terms": terms,
    }
    tail: Row = {"Subtotal": subtotal, "Tax": tax, "Invoice total": subtotal + tax}
    rows = []
    for number_on_invoice, (line, total) in enumerate(zip(lines, totals), start=1):
        rows.append({
            **head,
            "Line id": line.id, "Line no": number_on_invoice, "Description": line.description,
            "Quantity": Decimal(line.quantity), "Unit price": _money(line.price), "Line total": total,
            "Taxable": line.taxable, "Item code": line.item_code, "Item name": line.item_name,
            "Service line": line.service_line,
            **tail,
        })
    return rows


ACME_ROWS = invoice_rows(
    invoice_id="700123", number="10041", customer=ACME, issued=date(2024, 3, 15), due=date(2024, 4, 14),
    job_id="3001", job_number="24-1001",
    lines=[inspection("900001", "Quarterly fire sprinkler inspection", "450.00"),
           parts("900002", "Replace sprinkler head", "3", "35.50")],
)
BAKER_ROWS = invoice_rows(
    invoice_id="700124", number="10042", customer=BAKER, issued=date(2024, 3, 18), due=date(2024, 4, 17),
    job_id="3002", job_number="24-1002",
    lines=[inspection("900003", "Kitchen hood suppression inspection", "325.00"),
           parts("900004", "Fusible link, 165F", "2", "18.75")],
)
# INV 10041 (556.50) then INV 10042 (362.50): the rows of every vendor sample.
SHARED_ROWS: list[Row] = ACME_ROWS + BAKER_ROWS


def credit_memo_rows() -> list[Row]:
    """INV 10043, a credit memo to Acme: one returned sprinkler head, quantity −1 × 35.50."""
    return invoice_rows(
        invoice_id="700125", number="10043", customer=ACME, issued=date(2024, 3, 19), due=date(2024, 3, 19),
        job_id="3001", job_number="24-1001",
        lines=[parts("900005", "Returned sprinkler head", "-1", "35.50")],
    )


def taxed_rows() -> list[Row]:
    """INV 10044 to Acme, one of its two lines taxable (7.25 % of 21.50 = 1.56; total 298.06),
    its description holding a character Windows-1252 lacks (⅜); then INV 10045, a credit
    memo to Baker for two returned taxable links (−37.50, tax −2.72, total −40.22)."""
    invoice = invoice_rows(
        invoice_id="700126", number="10044", customer=ACME, issued=date(2024, 3, 19), due=date(2024, 4, 18),
        job_id="3001", job_number="24-1001", tax_rate=TAX_RATE,
        lines=[inspection("900006", "Annual fire alarm inspection", "275.00"),
               parts("900007", 'Threaded rod ⅜" (ft)', "10", "2.15", taxable=True)],
    )
    memo = invoice_rows(
        invoice_id="700127", number="10045", customer=BAKER, issued=date(2024, 3, 19), due=date(2024, 3, 19),
        job_id="3002", job_number="24-1002", tax_rate=TAX_RATE,
        lines=[parts("900008", "Returned fusible link, 165°F", "-2", "18.75", taxable=True)],
    )
    return invoice + memo
