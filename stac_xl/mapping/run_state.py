"""The build's running position, read by computed sources, *Only if* conditions and
problem reports, and what the mapping knows about the export itself.

Kept apart from the build so the sources, the generated code and the conditions can name
it without importing the build that imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence, Sized
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from stac_xl.book.values import is_empty
from stac_xl.invoices import columns as C
from stac_xl.invoices.grouping import InvoiceRows
from stac_xl.problems import Problem, Severity


@dataclass(frozen=True)
class BatchInfo:
    """What the mapping knows about the export itself: ``[batch date]``, ``[batch id]``."""

    export_date: date
    batch_id: str = ""


class RunState:
    """The build's running position, read by computed sources and problem reports."""

    __slots__ = (
        "_batch_total",
        "_invoices",
        "batch",
        "invoice",
        "invoice_count",
        "invoice_index",
        "line_index",
        "problems",
        "record_name",
        "records",
    )

    def __init__(self, batch: BatchInfo, invoices: Sequence[InvoiceRows], problems: list[Problem]):
        self.batch = batch
        self.invoice_count = len(invoices)
        self._invoices = invoices
        self._batch_total: Decimal | None = None
        self.invoice: InvoiceRows | None = None
        self.invoice_index: int | None = None
        self.line_index: int | None = None
        self.record_name = ""
        self.records: Sized = ()  # the records made so far; the build hands over its list
        self.problems = problems

    @property
    def record_index(self) -> int:
        """Where the record being made goes in the file: after the records made so far (read,
        not set, so the build pays nothing per record for a position it rarely needs)."""
        return len(self.records)

    @property
    def batch_total(self) -> Decimal:
        """The sum of the invoice totals, added up the first time a rule asks for it."""
        if self._batch_total is None:
            self._batch_total = sum((_total(inv) for inv in self._invoices), Decimal(0))
        return self._batch_total

    def report(self, field_index: int | None, field_name: str | None, message: str, *,
               cause: str | None = None, subject: str | None = None, severity: Severity = "error") -> None:
        """A value could not be made (a missing lookup key…): an error on this field (on the
        record as a whole when ``field_index`` is None); or it was made but not whole (cut
        to fit): a ``warning``."""
        invoice = self.invoice
        self.problems.append(Problem(
            severity, message, invoice.number if invoice else None, invoice.invoice_id if invoice else None,
            self.record_index, field_index, self.record_name, field_name, cause=cause, subject=subject))


def _total(invoice: InvoiceRows) -> Decimal:
    value = invoice.first.get(C.INVOICE_TOTAL)
    if value.__class__ is Decimal:
        return value  # as Decimal(str(value)) would give it
    try:
        return Decimal(0) if is_empty(value) else Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)  # validation reports it; the batch total must not stop the build


FieldFunction = Callable[[Mapping[str, Any], RunState], str]
Condition = Callable[[Mapping[str, Any], RunState], bool]
