"""Checks of whole invoices: balance and duplicate numbers. Each returns every problem
found. (A file kind's own invariants, such as IIF transactions summing to zero, live with
its writer.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from stac_xl.book.values import ValueProblem, as_text, is_empty
from stac_xl.invoices import columns as C
from stac_xl.invoices.grouping import InvoiceRows, line_amount
from stac_xl.problems import Problem, Severity, money_text

HALF_CENT = Decimal("0.005")
ZERO = Decimal(0)


def _amount(value: Any) -> Decimal:
    if value.__class__ is Decimal:
        return value  # what Decimal(str(value)) would give, without the round trip
    return Decimal(0) if is_empty(value) else Decimal(str(value))


def check_invoice_balance(invoices: Sequence[InvoiceRows], *, severity: Severity = "error",
                          first_record: Mapping[str, int] | None = None) -> list[Problem]:
    """Each invoice's line amounts plus tax must equal its total, within half a cent."""
    problems = []
    for invoice in invoices:
        # written out (no call per invoice or line where values are typed): 20,000 invoices
        first = invoice.rows[0]
        total = first.get(C.INVOICE_TOTAL)
        if total is None or (total.__class__ is str and not total):
            continue
        try:
            lines = ZERO
            for row in invoice.lines:  # a typed Line total is its line_amount()
                amount = row.get(C.LINE_TOTAL)
                lines += amount if amount.__class__ is Decimal else line_amount(row) or ZERO
            tax = first.get(C.TAX)
            tax = tax if tax.__class__ is Decimal else _amount(tax)
            total = total if total.__class__ is Decimal else _amount(total)
        except (ValueProblem, InvalidOperation) as exc:
            problems.append(Problem("error", str(exc) or "an amount is not a number.",
                                    **_where(invoice, first_record)))
            continue
        if abs(lines + tax - total) > HALF_CENT:
            problems.append(Problem(severity, f"the lines ({money_text(lines)}) plus tax ({money_text(tax)}) come to "
                                    f"{money_text(lines + tax)}, but the invoice total is {money_text(total)}.",
                                    **_where(invoice, first_record)))
    return problems


def _where(invoice: InvoiceRows, first_record: Mapping[str, int] | None) -> dict[str, Any]:
    return {"invoice_number": invoice.number, "invoice_id": invoice.invoice_id,
            "record_index": (first_record or {}).get(invoice.invoice_id or "")}


def check_duplicate_numbers(invoices: Sequence[InvoiceRows], *,
                            first_record: Mapping[str, int] | None = None) -> list[Problem]:
    """An invoice number may appear once in a batch: the accounting system would refuse
    (or, worse, merge) the second one."""
    numbers = [n if (n := invoice.rows[0].get(C.INVOICE_NUMBER)).__class__ is str else as_text(n)
               for invoice in invoices]  # InvoiceRows.number, without two calls per invoice
    if len(set(numbers)) == len(numbers):
        return []  # no number twice (nearly every batch): one set, nothing counted
    counts = Counter(filter(None, numbers))
    if not counts or max(counts.values()) < 2:
        return []
    problems, seen = [], set()
    for invoice, number in zip(invoices, numbers):
        if counts.get(number, 0) < 2:
            continue
        if number in seen:
            problems.append(Problem(
                "error", f"invoice number {number} is in this batch {counts[number]} times.",
                number, invoice.invoice_id, (first_record or {}).get(invoice.invoice_id or "")))
        seen.add(number)
    return problems

