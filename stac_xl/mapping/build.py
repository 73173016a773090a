"""Invoices rows → output records in file order, with a compiled mapping.

File order: the *file start* records once; then per invoice its *invoice* records, its
*line* records once per line, its *invoice end* records; finally the *file end* records.
Several record types of one grain keep their order on the Mapping sheet. The loop only
calls the per-field functions compile made; nothing is parsed here.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterator, Mapping, Sequence

from stac_xl.mapping.sources import InvoiceRows, group_invoices
from stac_xl.mapping.transforms import as_text, is_empty
from stac_xl.mapping.validate import Policy, Problem, apply_invoice_policy
from stac_xl.records import Grain, OutputRecord, RecordSpec


@dataclass(frozen=True)
class BatchInfo:
    """What the mapping knows about the export itself: ``[batch date]``, ``[batch id]``."""

    export_date: date
    batch_id: str = ""


class RunState:
    """The build's running position, read by computed sources and problem reports."""

    __slots__ = ("batch", "invoice_count", "batch_total", "invoice", "invoice_index",
                 "line_index", "record_index", "record_name", "problems")

    def __init__(self, batch: BatchInfo, invoices: Sequence[InvoiceRows], problems: list[Problem]):
        self.batch = batch
        self.invoice_count = len(invoices)
        self.batch_total = sum((_total(inv) for inv in invoices), Decimal(0))
        self.invoice: InvoiceRows | None = None
        self.invoice_index: int | None = None
        self.line_index: int | None = None
        self.record_index = 0
        self.record_name = ""
        self.problems = problems

    def report(self, field_index: int, field_name: str, message: str) -> None:
        """A value could not be made (a missing lookup key…): an error on this field."""
        invoice = self.invoice
        self.problems.append(Problem(
            "error", message, invoice.number if invoice else None, invoice.invoice_id if invoice else None,
            self.record_index, field_index, self.record_name, field_name))


def _total(invoice: InvoiceRows) -> Decimal:
    value = invoice.first.get("Invoice total")
    try:
        return Decimal(0) if is_empty(value) else Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)  # validation reports it; the batch total must not stop the build


FieldFunction = Callable[[Mapping[str, Any], RunState], str]


@dataclass(frozen=True)
class CompiledRecord:
    """A record type and one compiled function per field, in file order."""

    spec: RecordSpec
    fields: tuple[FieldFunction, ...]


@dataclass
class BuildResult:
    """The records in file order, their specs, and every problem met on the way."""

    records: list[OutputRecord]
    specs: list[RecordSpec]
    problems: list[Problem] = field(default_factory=list)


_NO_ROW: Mapping[str, Any] = {}


@contextmanager
def _gc_paused() -> Iterator[None]:
    # Each record is a few small objects that make no cycles; with the cyclic collector on,
    # it rescans every record made so far, again and again: about half the build time.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class CompiledMapping:
    """The Mapping and Lookups sheets, compiled; :meth:`build` applies them to rows."""

    def __init__(self, records: Sequence[CompiledRecord]):
        self.records = list(records)
        self._by_grain = {g: [r for r in self.records if r.spec.grain is g] for g in Grain}

    @property
    def specs(self) -> list[RecordSpec]:
        """Record types in Mapping order, for writers and the *Export* sheet."""
        return [r.spec for r in self.records]

    def build(self, rows: Sequence[Mapping[str, Any]], *, batch: BatchInfo,
              zero_invoices: Policy = "export", credit_memos: Policy = "export") -> BuildResult:
        """Map *Invoices* rows (typed, one per line) to output records in file order."""
        with _gc_paused():
            return self._build(rows, batch, zero_invoices, credit_memos)

    def _build(self, rows: Sequence[Mapping[str, Any]], batch: BatchInfo, zero_invoices: Policy,
               credit_memos: Policy) -> BuildResult:
        invoices, problems = apply_invoice_policy(
            group_invoices(rows), zero_invoices=zero_invoices, credit_memos=credit_memos)
        state = RunState(batch, invoices, problems)
        out: list[OutputRecord] = []
        self._emit(Grain.FILE_START, _NO_ROW, None, None, state, out)
        for index, invoice in enumerate(invoices, start=1):
            state.invoice, state.invoice_index, state.line_index = invoice, index, None
            invoice_id = invoice.invoice_id
            self._emit(Grain.INVOICE, invoice.first, invoice_id, None, state, out)
            self._emit_lines(invoice, invoice_id, state, out)
            state.line_index = None
            self._emit(Grain.INVOICE_END, invoice.first, invoice_id, None, state, out)
        state.invoice = state.invoice_index = None
        self._emit(Grain.FILE_END, _NO_ROW, None, None, state, out)
        return BuildResult(out, self.specs, problems)

    def _emit(self, grain: Grain, row: Mapping[str, Any], invoice_id: str | None, line_id: str | None,
              state: RunState, out: list[OutputRecord]) -> None:
        for record in self._by_grain[grain]:
            state.record_index, state.record_name = len(out), record.spec.name
            out.append(OutputRecord(record.spec.name, [f(row, state) for f in record.fields], invoice_id, line_id))

    def _emit_lines(self, invoice: InvoiceRows, invoice_id: str | None, state: RunState,
                    out: list[OutputRecord]) -> None:
        # the hot loop: 100,000 lines in a batch is a real size for a year-end export
        line_records = [(r.spec.name, r.fields) for r in self._by_grain[Grain.LINE]]
        if not line_records:
            return
        append = out.append
        for line_index, row in enumerate(invoice.lines, start=1):
            state.line_index = line_index
            line_id = row.get("Line id")
            if line_id is not None and line_id.__class__ is not str:
                line_id = as_text(line_id)
            for name, fields in line_records:
                state.record_index, state.record_name = len(out), name
                append(OutputRecord(name, [f(row, state) for f in fields], invoice_id, line_id))
