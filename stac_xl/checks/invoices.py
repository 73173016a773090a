"""Checks of whole invoices and transactions: balance, duplicate numbers, the $0 and
credit-memo policies, IIF transactions summing to zero. Each returns every problem found.
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
from stac_xl.records import OutputRecord, RecordSpec

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
    return dict(invoice_number=invoice.number, invoice_id=invoice.invoice_id,
                record_index=(first_record or {}).get(invoice.invoice_id or ""))


def check_duplicate_numbers(invoices: Sequence[InvoiceRows], *,
                            first_record: Mapping[str, int] | None = None) -> list[Problem]:
    """An invoice number may appear once in a batch: the accounting system would refuse
    (or, worse, merge) the second one."""
    numbers = [n if (n := invoice.rows[0].get(C.INVOICE_NUMBER)).__class__ is str else as_text(n)
               for invoice in invoices]  # InvoiceRows.number, without two calls per invoice
    counts = Counter(n for n in numbers if n)
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


def check_sums_to_zero(specs: Sequence[RecordSpec], records: Sequence[OutputRecord], *,
                       record_names: Sequence[str] = ("TRNS", "SPL"), amount_field: str = "AMOUNT",
                       end_record: str = "ENDTRNS") -> list[Problem]:
    """IIF: each transaction (a ``TRNS`` up to its ``ENDTRNS``) must add up to zero.

    Record types count by their IIF keyword, so a ``SPL tax`` split is an ``SPL``. Amounts
    are read back from the formatted values, so hand edits on *Export* count."""
    from stac_xl.writers.iif import keyword_of as iif_keyword  # the writer's rule, not a copy of it

    positions = {s.name: s.field_names.index(amount_field) for s in specs
                 if iif_keyword(s.name) in record_names and amount_field in s.field_names}
    problems: list[Problem] = []
    start, total = None, Decimal(0)

    def close() -> None:
        if start is not None and total != 0:
            opener = records[start]
            problems.append(Problem(
                "error", f"the transaction does not balance: its {' and '.join(record_names)} amounts "
                f"add up to {total}, not 0.", None, opener.invoice_id, start,
                positions.get(opener.record), opener.record, amount_field))

    for index, record in enumerate(records):
        keyword = iif_keyword(record.record)
        if keyword == record_names[0]:
            close()
            start, total = index, Decimal(0)
        if record.record in positions and start is not None:
            at = positions[record.record]
            raw = record.values[at].strip() if at < len(record.values) else ""
            try:
                total += Decimal(raw.replace(",", ""))
            except InvalidOperation:
                problems.append(Problem("error", f"'{raw}' is not an amount.", None, record.invoice_id,
                                        index, at, record.record, amount_field))
        if keyword == end_record:
            close()
            start = None
    close()
    return problems
