"""Invoices rows → output records in file order, with a compiled mapping.

File order: the *file start* records once; then per invoice its *invoice* records, its
*line* records once per line, its *invoice end* records; finally the *file end* records.
Several record types of one grain keep their order on the Mapping sheet. A record type with
an *Only if* condition is left out wherever its condition says no (a sales-tax row on an
invoice without tax). The loop only calls the functions compile made; nothing is parsed here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, cast

from stac_xl.checks.records import Policy, Problem, apply_invoice_policy
from stac_xl.gc_pause import gc_paused
from stac_xl.mapping.sources import InvoiceRows, group_invoices
from stac_xl.mapping.transforms import as_text, is_empty
from stac_xl.records import Grain, OutputRecord, RecordSpec

if TYPE_CHECKING:
    from stac_xl.mapping.codegen import RecordFunction


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
        "record_index",
        "record_name",
    )

    def __init__(self, batch: BatchInfo, invoices: Sequence[InvoiceRows], problems: list[Problem]):
        self.batch = batch
        self.invoice_count = len(invoices)
        self._invoices = invoices
        self._batch_total: Decimal | None = None
        self.invoice: InvoiceRows | None = None
        self.invoice_index: int | None = None
        self.line_index: int | None = None
        self.record_index = 0
        self.record_name = ""
        self.problems = problems

    @property
    def batch_total(self) -> Decimal:
        """The sum of the invoice totals, added up the first time a rule asks for it."""
        if self._batch_total is None:
            self._batch_total = sum((_total(inv) for inv in self._invoices), Decimal(0))
        return self._batch_total

    def report(self, field_index: int | None, field_name: str | None, message: str) -> None:
        """A value could not be made (a missing lookup key…): an error on this field (on the
        record as a whole when ``field_index`` is None)."""
        invoice = self.invoice
        self.problems.append(Problem(
            "error", message, invoice.number if invoice else None, invoice.invoice_id if invoice else None,
            self.record_index, field_index, self.record_name, field_name))


def _total(invoice: InvoiceRows) -> Decimal:
    value = invoice.first.get("Invoice total")
    if value.__class__ is Decimal:
        return value  # as Decimal(str(value)) would give it
    try:
        return Decimal(0) if is_empty(value) else Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)  # validation reports it; the batch total must not stop the build


FieldFunction = Callable[[Mapping[str, Any], RunState], str]
Condition = Callable[[Mapping[str, Any], RunState], bool]


@dataclass(frozen=True)
class CompiledRecord:
    """A record type, one compiled function per field in file order, and ``make``: all the
    fields at once (generated, see codegen.py; the field functions when absent).
    ``only_if``: the record's *Only if* condition, None when it is always written."""

    spec: RecordSpec
    fields: tuple[FieldFunction, ...]
    make: RecordFunction | None = None
    only_if: Condition | None = None

    def __post_init__(self) -> None:
        if self.make is None:
            fields = self.fields
            object.__setattr__(self, "make", lambda row, state: [f(row, state) for f in fields])


@dataclass
class BuildResult:
    """The records in file order, their specs, and every problem met on the way."""

    records: list[OutputRecord]
    specs: list[RecordSpec]
    problems: list[Problem] = field(default_factory=list)


_NO_ROW: Mapping[str, Any] = {}


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
        with gc_paused(promote=True):
            return self._build(rows, batch, zero_invoices, credit_memos)

    def _build(self, rows: Sequence[Mapping[str, Any]], batch: BatchInfo, zero_invoices: Policy,
               credit_memos: Policy) -> BuildResult:
        invoices, problems = apply_invoice_policy(
            group_invoices(rows), zero_invoices=zero_invoices, credit_memos=credit_memos)
        state = RunState(batch, invoices, problems)
        out: list[OutputRecord] = []
        self._emit(Grain.FILE_START, _NO_ROW, None, state, out)
        heads, lines, ends = (self._makers(g) for g in (Grain.INVOICE, Grain.LINE, Grain.INVOICE_END))
        append = out.append
        # the hot loop, written out (no call per invoice or per grain): 100,000 lines in a
        # batch is a real size for a year-end export
        for index, invoice in enumerate(invoices, start=1):
            state.invoice, state.invoice_index, state.line_index = invoice, index, None
            invoice_id = invoice.invoice_id
            first = invoice.rows[0]
            for name, make, only_if in heads:
                state.record_index, state.record_name = len(out), name
                if only_if is None or only_if(first, state):
                    append(OutputRecord(name, make(first, state), invoice_id, None))
            if lines:
                for line_index, row in enumerate(invoice.lines, start=1):
                    state.line_index = line_index
                    line_id = row.get("Line id")
                    if line_id is not None and line_id.__class__ is not str:
                        line_id = as_text(line_id)
                    for name, make, only_if in lines:
                        state.record_index, state.record_name = len(out), name
                        if only_if is None or only_if(row, state):
                            append(OutputRecord(name, make(row, state), invoice_id, line_id))
                state.line_index = None
            for name, make, only_if in ends:
                state.record_index, state.record_name = len(out), name
                if only_if is None or only_if(first, state):
                    append(OutputRecord(name, make(first, state), invoice_id, None))
        state.invoice = state.invoice_index = None
        self._emit(Grain.FILE_END, _NO_ROW, None, state, out)
        return BuildResult(out, self.specs, problems)

    def _makers(self, grain: Grain) -> list[tuple[str, RecordFunction, Condition | None]]:
        return [(r.spec.name, cast("RecordFunction", r.make), r.only_if) for r in self._by_grain[grain]]

    def _emit(self, grain: Grain, row: Mapping[str, Any], invoice_id: str | None, state: RunState,
              out: list[OutputRecord]) -> None:
        for name, make, only_if in self._makers(grain):
            state.record_index, state.record_name = len(out), name
            if only_if is None or only_if(row, state):
                out.append(OutputRecord(name, make(row, state), invoice_id, None))
