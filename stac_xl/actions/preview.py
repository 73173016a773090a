"""The Preview action: *Invoices* + *Mapping* + *Lookups* → the *Export* sheet, nothing written.

Every problem is found at once and shown where it is: on its cell (colour and note), in the
record's *Issues* cell, and counted in the checks block beside the table. The clerk's
corrections from the last Preview are carried over (see :mod:`stac_xl.book.export_sheet`).

Preview knows the export ledger: an invoice already exported is left out (the checks say
which batch), unless re-export is allowed (*Allow re-export*, ``--reexport``); one whose
ServiceTrade data changed since says what changed. The sheet is stamped with the
fingerprint of the sheets it was built from, which Export checks.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from stac_xl.actions.ledger import ExportLedger
from stac_xl.book import layout
from stac_xl.book.export_sheet import (
    FINGERPRINT,
    KEY_COLUMNS,
    apply_corrections,
    find_corrections,
    record_cell,
    records_to_table,
    table_to_records,
    trim_to_specs,
)
from stac_xl.book.port import CellMark, WorkbookPort
from stac_xl.invoices.totals import Totals, totals_of
from stac_xl.problems import Problem
from stac_xl.records import OutputRecord

EXPORT_BASE = "Export base"  # hidden: what Preview computed, to tell the clerk's edits apart
MAX_MARKS = 2000  # beyond this, colouring cells one by one costs more than it tells


@dataclass
class PreviewResult:
    """What Preview produced: records in file order, problems, totals, corrections kept."""

    records: list[OutputRecord]
    problems: list[Problem]
    totals: Totals
    corrections: int
    left_out: int = 0  # invoices on Invoices already exported, not on Export
    recovered: list[str] = field(default_factory=list)  # what opening the ledger put right
    fingerprint: str = ""

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity == "warning")

    def summary(self) -> str:
        t = self.totals
        return (
            f"Preview: {len(self.records)} records for {t.invoices} invoices ({t.lines} lines), "
            f"gross {t.gross:,.2f}; {self.errors} errors, {self.warnings} warnings, "
            f"{self.corrections} of your corrections kept."
            + (f" {self.left_out} invoices left out: already exported (see the checks beside the table)."
               if self.left_out else "")
        )


def problem_marks(problems: Sequence[Problem], *, limit: int = MAX_MARKS) -> list[CellMark]:
    """A mark on the Export cell of each problem that points at a record (first ``limit``)."""
    marks = []
    for p in problems:
        if p.record_index is None:
            continue
        marks.append(CellMark(*record_cell(p.record_index, p.field_index), p.severity, str(p)))
        if len(marks) >= limit:
            break
    return marks


def checks_block(result: PreviewResult, *, marked: int) -> list[list[Any]]:
    """The small table written to the right of the Export table."""
    t = result.totals
    rows: list[list[Any]] = [
        ["Checks", ""],
        ["Invoices", t.invoices],
        ["Lines", t.lines],
        ["Net", t.net],
        ["Tax", t.tax],
        ["Gross", t.gross],
        ["Errors", result.errors],
        ["Warnings", result.warnings],
        ["Corrections kept", result.corrections],
    ]
    if marked < sum(1 for p in result.problems if p.record_index is not None):
        rows.append(["Note", f"only the first {marked} problems are coloured"])
    if result.left_out:
        rows.append(["Left out", result.left_out])
    unplaced = [str(p) for p in result.problems if p.record_index is None]
    rows += [["Problem" if i == 0 else "", text] for i, text in enumerate(unplaced)]
    rows.append([FINGERPRINT, result.fingerprint])
    return rows


def preview(book: WorkbookPort, *, today: date | None = None, ledger: ExportLedger | None = None,
            workbook: str | None = None, reexport: bool = False, env: Mapping[str, str] | None = None,
            now: datetime | None = None) -> PreviewResult:
    """Build the Export sheet from the book's Invoices, Mapping, Lookups and Settings,
    leaving out what the export ledger (``ledger``, default: the one the settings name)
    holds already, unless ``reexport`` or the *Allow re-export* setting says otherwise."""
    # Imported here: every ribbon click starts a fresh Python, keep start-up light.
    from stac_xl.actions.ledger import scope_of
    from stac_xl.actions.ledger.fingerprint import current_fingerprint
    from stac_xl.actions.ledger.known import known_exports
    from stac_xl.actions.ledger.session import ledger_session
    from stac_xl.actions.profile import load_profile
    from stac_xl.invoices import columns as C
    from stac_xl.invoices.read_back import read_invoice_rows

    profile = load_profile(book)
    invoices_grid = book.read_grid(layout.INVOICES)
    rows = read_invoice_rows(invoices_grid)
    stamp = current_fingerprint(book, invoices_grid, profile)
    with ledger_session(book, profile.settings, now=now or datetime.now(), ledger=ledger, workbook=workbook,
                        env=env) as session:
        known = known_exports(session.ledger, scope_of(profile.settings), rows,
                              allow_reexport=reexport or profile.settings.allow_reexport)
        kept = [row for row in rows if row.get(C.INVOICE_ID) not in known.left_out] if known.left_out else rows
        result, specs, computed, applied = _build(book, profile, kept, today, known.problems)
        result.left_out, result.recovered, result.fingerprint = len(known.left_out), session.recovered, stamp
        _write(book, specs, result, computed, applied)
    return result


def _build(book: WorkbookPort, profile: Any, rows: list[dict[str, Any]], today: date | None,
           ledger_problems: list[Problem]) -> tuple[PreviewResult, Any, list[OutputRecord], list[Any]]:
    """The records of ``rows`` with the clerk's corrections, every problem, the totals."""
    from stac_xl.actions.profile import check_records
    from stac_xl.invoices.read_back import invoice_headers
    from stac_xl.mapping import BatchInfo, compile_mapping
    from stac_xl.problems import attach_issues

    invoices_grid_headers = invoice_headers(book.read_grid(layout.INVOICES))
    mapping = compile_mapping(profile.mapping_grid, profile.lookups_grid, invoice_columns=invoices_grid_headers)
    built = mapping.build(rows, batch=BatchInfo(export_date=today or date.today()),
                          zero_invoices=profile.policies["zero_invoices"], credit_memos=profile.policies["credit_memos"])
    computed = copy.deepcopy(built.records)
    applied = apply_corrections(built.records, _previous_corrections(book, built.specs))
    first: dict[str | None, int] = {}
    for index, record in enumerate(built.records):
        first.setdefault(record.invoice_id, index)
    # an invoice going again is marked on its first record; one left out is listed beside the table
    placed = [dataclasses.replace(p, record_index=first.get(p.invoice_id)) for p in ledger_problems]
    problems = placed + list(built.problems) + check_records(profile, built.specs, built.records, rows)
    attach_issues(built.records, problems)
    invoice_ids = {r.invoice_id for r in built.records if r.invoice_id}
    result = PreviewResult(built.records, problems, totals_of(rows, invoice_ids), len(applied))
    return result, built.specs, computed, applied


def _previous_corrections(book: WorkbookPort, specs: Sequence[Any]) -> list[Any]:
    """Cells the clerk changed on Export since the last Preview (none on a first Preview)."""
    if EXPORT_BASE not in book.sheet_names():
        return []
    sheet, base = table_to_records(book.read_grid(layout.EXPORT)), table_to_records(book.read_grid(EXPORT_BASE))
    trim_to_specs(sheet, specs)
    trim_to_specs(base, specs)
    return find_corrections(sheet, base)


def _write(book: WorkbookPort, specs: Sequence[Any], result: PreviewResult,
           computed: list[OutputRecord], applied: list[Any]) -> None:
    book.status(f"Writing {len(result.records)} records to the Export sheet…")
    table = records_to_table(specs, result.records)
    book.write_table(layout.EXPORT, table, hidden_columns=KEY_COLUMNS)
    marks = problem_marks(result.problems)
    edited = [CellMark(*record_cell(i, pos), "edited", f"Your correction (computed: '{c.computed}')")
              for i, pos, c in applied]
    book.mark_cells(layout.EXPORT, marks + edited)
    book.write_grid(layout.EXPORT, checks_block(result, marked=len(marks)), start_column=len(table.columns) + 2)
    base = records_to_table(specs, computed)
    book.write_table(EXPORT_BASE, base)
    book.hide_sheet(EXPORT_BASE)
    book.save()
    book.status(result.summary())
