"""Invoices rows → output records in file order, with a compiled mapping.

File order: the *file start* records once; then per invoice its *invoice* records, its
*line* records once per line, its *invoice end* records; finally the *file end* records.
Several record types of one grain keep their order on the Mapping sheet. A record type with
an *Only if* condition is left out wherever its condition says no (a sales-tax row on an
invoice without tax). The loop only calls the functions compile made; nothing is parsed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from stac_xl.book.values import as_text
from stac_xl.gc_pause import gc_paused
from stac_xl.invoices import columns as C
from stac_xl.invoices.grouping import group_invoices
from stac_xl.mapping.policy import apply_invoice_policy
from stac_xl.mapping.run_state import BatchInfo, Condition, FieldFunction, RunState
from stac_xl.problems import Policy, Problem
from stac_xl.records import Grain, OutputRecord, RecordSpec

if TYPE_CHECKING:
    from stac_xl.mapping.codegen import RecordFunction


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
              zero_invoices: Policy = Policy.EXPORT, credit_memos: Policy = Policy.EXPORT) -> BuildResult:
        """Map *Invoices* rows (typed, one per line) to output records in file order."""
        with gc_paused(promote=True):
            return self._build(rows, batch, zero_invoices, credit_memos)

    def _build(self, rows: Sequence[Mapping[str, Any]], batch: BatchInfo, zero_invoices: Policy,
               credit_memos: Policy) -> BuildResult:
        invoices, problems = apply_invoice_policy(
            group_invoices(rows), zero_invoices=zero_invoices, credit_memos=credit_memos)
        state = RunState(batch, invoices, problems)
        out: list[OutputRecord] = []
        state.records = out
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
                state.record_name = name
                if only_if is None or only_if(first, state):
                    append(OutputRecord(name, make(first, state), invoice_id, None))
            if lines:
                for line_index, row in enumerate(invoice.lines, start=1):
                    state.line_index = line_index
                    line_id = row.get(C.LINE_ID)
                    if line_id is not None and line_id.__class__ is not str:
                        line_id = as_text(line_id)
                    for name, make, only_if in lines:
                        state.record_name = name
                        if only_if is None or only_if(row, state):
                            append(OutputRecord(name, make(row, state), invoice_id, line_id))
            state.line_index = None
            for name, make, only_if in ends:
                state.record_name = name
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
            state.record_name = name
            if only_if is None or only_if(row, state):
                out.append(OutputRecord(name, make(row, state), invoice_id, None))
