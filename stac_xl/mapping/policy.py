"""Which invoices go into the file at all: the *Zero invoices* and *Credit memos* policies.

Applied by the build before any record is made, so a left-out invoice has no records and
is named once, as a warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from stac_xl.book.values import is_empty
from stac_xl.invoices import columns as C
from stac_xl.invoices.grouping import InvoiceRows
from stac_xl.problems import Policy, Problem, money_text


def apply_invoice_policy(invoices: Sequence[InvoiceRows], *, zero_invoices: Policy = Policy.EXPORT,
                         credit_memos: Policy = Policy.EXPORT) -> tuple[list[InvoiceRows], list[Problem]]:
    """Leave out $0 invoices and/or credit memos (negative total) when set to ``skip``;
    each one left out is a warning naming it."""
    for name, policy in (("zero_invoices", zero_invoices), ("credit_memos", credit_memos)):
        if policy not in ("export", "skip"):
            raise ValueError(f"{name} must be 'export' or 'skip', not {policy!r}")
    if zero_invoices == "export" and credit_memos == "export":
        return list(invoices), []  # every invoice goes: nothing to read
    skip_zero, skip_credit = zero_invoices == "skip", credit_memos == "skip"
    kept, problems = [], []
    for invoice in invoices:
        raw = invoice.rows[0].get(C.INVOICE_TOTAL)
        try:
            total = raw if raw.__class__ is Decimal else None if is_empty(raw) else Decimal(str(raw))
        except InvalidOperation:
            total = None  # the balance check reports it
        reason = None if total is None else _left_out(total, skip_zero, skip_credit)
        if reason is None:
            kept.append(invoice)
            continue
        problems.append(Problem("warning", f"left out of the file: {reason}.", invoice.number, invoice.invoice_id))
    return kept, problems


def _left_out(total: Decimal, skip_zero: bool, skip_credit: bool) -> str | None:
    """Why an invoice with this total is left out, or None (a positive total: two tests)."""
    zero = total.is_zero()
    if zero:
        return "its total is 0.00 and $0 invoices are set to skip" if skip_zero else None
    if skip_credit and total.is_signed():  # -0.00 is a $0 invoice, not a credit memo
        return f"it is a credit memo ({money_text(total)}) and credit memos are set to skip"
    return None
