"""The Preview action: *Invoices* + *Mapping* + *Lookups* → the *Export* sheet, nothing written.

Every problem is found at once and shown where it is: on its cell (colour and note), in the
record's *Issues* cell, and counted in the checks block beside the table; a problem is told
once (:func:`~stac_xl.problems.without_repeats`), counted as Export counts it. The clerk's
corrections from the last Preview are carried over (see :mod:`stac_xl.book.export_sheet`),
written in their field's form (``$1,234.50`` → ``1234.50``, a date cell → ``03/15/24``, text
dates read in the *Date order* setting), and checked like every other value: an error on a
corrected cell is red, its note saying it is the correction's; a correction whose computed
value changed since is a warning saying which sheet changed it
(:mod:`stac_xl.checks.corrections`).

Preview knows the export ledger: an invoice already exported is left out (the checks say
which batch), unless re-export is allowed (*Allow re-export*, ``--reexport``); one whose
ServiceTrade data changed since says what changed. The sheet is stamped with the
fingerprint of the sheets it was built from, which Export checks. Each step is told on the
status bar (stderr for the CLI).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from stac_xl.actions.ledger import ExportLedger
from stac_xl.book import layout
from stac_xl.book.export_base import (
    Applied,
    BaseNotes,
    Correction,
    RecordKey,
    apply_corrections,
    find_corrections,
    record_keys,
)
from stac_xl.book.export_sheet import (
    EXPORT_BASE,
    FINGERPRINT,
    KEY_COLUMNS,
    read_export_sheet,
    read_fingerprint,
    record_cell,
    records_to_table,
    trim_to_specs,
)
from stac_xl.book.port import CellMark, WorkbookPort
from stac_xl.invoices.totals import Totals, totals_of
from stac_xl.problems import Problem, counts_line, plural
from stac_xl.records import OutputRecord, RecordSpec

if TYPE_CHECKING:
    from stac_xl.actions.profile import ExportProfile
    from stac_xl.checks.hand_edits import Normalised

__all__ = ["EXPORT_BASE", "MAX_MARKS", "PreviewResult", "checks_block", "preview", "problem_marks"]

MAX_MARKS = 2000  # beyond this, colouring cells one by one costs more than it tells
_SEVERER = {"error": 0, "warning": 1, "edited": 2}


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
            f"Preview: {plural(len(self.records), 'record')} for {plural(t.invoices, 'invoice')} "
            f"({plural(t.lines, 'line')}), gross {t.gross:,.2f}; {counts_line(self.problems)}, "
            f"{plural(self.corrections, 'correction')} of yours kept."
            + (f" {plural(self.left_out, 'invoice')} left out: already exported (see the checks beside the table)."
               if self.left_out else "")
        )


def problem_marks(problems: Sequence[Problem], *, limit: int = MAX_MARKS) -> list[CellMark]:
    """One mark per Export cell with problems (the first ``limit`` cells): red if any is an
    error, else yellow; the note lists them all."""
    cells: dict[tuple[int, int], list[Problem]] = {}
    for p in problems:
        if p.record_index is None:
            continue
        at = record_cell(p.record_index, p.field_index)
        if at not in cells and len(cells) >= limit:
            break
        cells.setdefault(at, []).append(p)
    return [CellMark(row, column, min((p.severity for p in found), key=_SEVERER.__getitem__),
                     "\n".join(str(p) for p in found)) for (row, column), found in cells.items()]


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
    if marked < len({(p.record_index, p.field_index) for p in result.problems if p.record_index is not None}):
        rows.append(["Note", f"only the first {marked} cells with problems are coloured"])
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

    book.status("Preview: reading Settings, Mapping, Lookups and Invoices…")
    profile = load_profile(book)
    invoices_grid = book.read_grid(layout.INVOICES)
    rows = read_invoice_rows(invoices_grid, order=profile.settings.date_order)
    stamp = current_fingerprint(book, invoices_grid, profile)
    with ledger_session(book, profile.settings, now=now or datetime.now(), ledger=ledger, workbook=workbook,
                        env=env) as session:
        known = known_exports(session.ledger, scope_of(profile.settings), rows,
                              allow_reexport=reexport or profile.settings.allow_reexport)
        kept = [row for row in rows if row.get(C.INVOICE_ID) not in known.left_out] if known.left_out else rows
        built = _build(book, profile, kept, today, known.problems, stamp)
        built.result.left_out, built.result.recovered = len(known.left_out), session.recovered
        _write(book, built)
    return built.result


@dataclass
class _Built:
    """A Preview's outcome before it is written: the result, the record types, the base
    (what Preview computed, with a changed correction's old value and what changed it), and
    the corrections with how each was written."""

    result: PreviewResult
    specs: list[RecordSpec]
    base: list[OutputRecord]
    applied: list[Applied]
    normalised: dict[tuple[int, int], Normalised]


def _build(book: WorkbookPort, profile: ExportProfile, rows: list[dict[str, Any]], today: date | None,
           ledger_problems: list[Problem], stamp: str) -> _Built:
    """The records of ``rows`` with the clerk's corrections, every problem, the totals."""
    from stac_xl.checks.recomputed_lines import Recompute, send_as_quantity_one
    from stac_xl.invoices.read_back import invoice_headers
    from stac_xl.mapping import BatchInfo, compile_mapping

    mapping = compile_mapping(profile.mapping_grid, profile.lookups_grid,
                              invoice_columns=invoice_headers(book.read_grid(layout.INVOICES)))
    book.status(f"Preview: mapping {plural(len(rows), 'Invoices row')}…")
    built = mapping.build(rows, batch=BatchInfo(export_date=today or date.today()),
                          zero_invoices=profile.policies["zero_invoices"], credit_memos=profile.policies["credit_memos"])
    problems = list(built.problems)
    if profile.settings.quantity_times_price is Recompute.QUANTITY_ONE:
        problems += send_as_quantity_one(built.specs, built.records, rows)
    base = [record.copy() for record in built.records]  # the mapping's own values, before corrections
    _remember_unmade(base, problems)
    book.status(f"Preview: checking {plural(len(built.records), 'record')}…")
    applied, normalised, told = _corrections(book, profile, built.specs, built.records, base, rows, stamp)
    first: dict[str | None, int] = {}
    for index, record in enumerate(built.records):
        first.setdefault(record.invoice_id, index)
    # an invoice going again is marked on its first record; one left out is listed beside the table
    placed = [dataclasses.replace(p, record_index=first.get(p.invoice_id)) for p in ledger_problems]
    problems = _told_once(placed + problems + told, profile, built.specs, built.records, rows, applied)
    invoice_ids = {r.invoice_id for r in built.records if r.invoice_id}
    result = PreviewResult(built.records, problems, totals_of(rows, invoice_ids), len(applied), fingerprint=stamp)
    return _Built(result, built.specs, base, applied, normalised)


def _remember_unmade(base: list[OutputRecord], problems: Sequence[Problem]) -> None:
    """Note in the base each cell the build could not make, so Export refuses it while the
    clerk leaves it so (its value alone, empty, would pass every check)."""
    for p in problems:
        if p.severity == "error" and p.record_index is not None and p.field_index is not None:
            record = base[p.record_index]
            notes = BaseNotes.read(" ".join(record.issues))
            notes.unmade[p.field_index] = (p.message, p.cause, p.subject)
            record.issues = [notes.text()]


def _told_once(problems: list[Problem], profile: ExportProfile, specs: Sequence[RecordSpec],
               records: list[OutputRecord], rows: list[dict[str, Any]], applied: Sequence[Applied]) -> list[Problem]:
    """Every problem of the records as they will stand, each once, a correction's error as its own."""
    from stac_xl.actions.profile import check_records
    from stac_xl.checks.corrections import as_corrections
    from stac_xl.checks.derived_balance import invoice_numbers
    from stac_xl.checks.writable import check_writable
    from stac_xl.problems import attach_issues, without_repeats

    found = without_repeats(problems + check_records(profile, specs, records, rows))
    # what the writer itself would refuse (a TAB in an IIF field), unless its cell is told already
    told = {(p.record_index, p.field_index) for p in found if p.severity == "error"}
    found += [p for p in check_writable(profile.writer, specs, records, invoice_numbers(rows))
              if p.record_index is None or (p.record_index, p.field_index) not in told]
    found = as_corrections(found, {(a.index, a.position) for a in applied}, records)
    attach_issues(records, found)
    return found


def _corrections(book: WorkbookPort, profile: ExportProfile, specs: Sequence[RecordSpec],
                 records: list[OutputRecord], base: list[OutputRecord], rows: list[dict[str, Any]],
                 stamp: str) -> tuple[list[Applied], dict[tuple[int, int], Normalised], list[Problem]]:
    """The clerk's corrections put onto ``records`` and written in their fields' forms, and
    what must be told about them (formulas, values changed since); ``base`` keeps a changed
    correction's old computed value, so it is told again next time."""
    from stac_xl.checks.corrections import changed_since, origin_of_change
    from stac_xl.checks.derived_balance import invoice_numbers
    from stac_xl.checks.hand_edits import normalise_hand_edits
    from stac_xl.checks.typed_cells import check_typed_cells

    previous = _previous(book, specs)
    if previous is None:
        return [], {}, []
    corrections, stamped, old_origins = previous
    applied = apply_corrections(records, corrections)
    cells = [(a.index, a.position) for a in applied]
    done = normalise_hand_edits(specs, records, order=profile.settings.date_order, cells=set(cells))
    fresh = origin_of_change(stamped, stamp)
    keys = record_keys(records)
    # a change told before keeps the sheet that made it; a new one is told with this Preview's
    origins = {(a.index, a.position): old_origins.get((keys[a.index], a.position)) or fresh for a in applied}
    for a in applied:
        if a.changed:  # the base keeps what it was corrected against, and what changed it
            base[a.index].values[a.position] = a.correction.computed
            notes = BaseNotes.read(" ".join(base[a.index].issues))
            notes.changed[a.position] = origins[(a.index, a.position)]
            base[a.index].issues = [notes.text()]
    numbers = invoice_numbers(rows)
    told = changed_since(applied, specs, records, origins, numbers)
    told += check_typed_cells(specs, records, base, numbers, cells)
    return applied, {(n.record_index, n.field_index): n for n in done}, told


def _previous(book: WorkbookPort, specs: Sequence[RecordSpec]
              ) -> tuple[list[Correction], str | None, dict[tuple[RecordKey, int], str]] | None:
    """The cells the clerk changed on Export since the last Preview, that Preview's stamp,
    and what changed each kept correction before (None on a first Preview)."""
    if EXPORT_BASE not in book.sheet_names():
        return None
    grid = book.read_grid(layout.EXPORT)
    sheet, base = read_export_sheet(grid), read_export_sheet(book.read_grid(EXPORT_BASE))
    trim_to_specs(sheet.records, specs)
    trim_to_specs(base.records, specs)
    origins = {(key, pos): origin for key, text in zip(record_keys(base.records), base.issues)
               for pos, origin in BaseNotes.read(text).changed.items()}
    return find_corrections(sheet.records, base.records), read_fingerprint(grid), origins


def _marks(built: _Built) -> tuple[list[CellMark], int]:
    """One mark per cell: its problems (an error wins over a correction's blue), else the
    correction; and how many problem cells were marked."""
    marks = {(m.row, m.column): m for m in problem_marks(built.result.problems)}
    marked = len(marks)
    for a in built.applied:
        at = record_cell(a.index, a.position)
        note = f"Your correction (Preview computed '{a.now}')"
        done = built.normalised.get((a.index, a.position))
        if done is not None:
            note += f"; you typed '{done.typed}', written as '{done.written}'"
        mark = marks.get(at)
        marks[at] = (CellMark(*at, "edited", note + ".") if mark is None
                     else dataclasses.replace(mark, note=f"{mark.note}\n{note}."))
    return list(marks.values()), marked


def _write(book: WorkbookPort, built: _Built) -> None:
    result = built.result
    book.status(f"Writing {plural(len(result.records), 'record')} to the Export sheet…")
    table = records_to_table(built.specs, result.records)
    book.write_table(layout.EXPORT, table, hidden_columns=KEY_COLUMNS)
    marks, marked = _marks(built)
    book.mark_cells(layout.EXPORT, marks)
    book.write_grid(layout.EXPORT, checks_block(result, marked=marked), start_column=len(table.columns) + 2)
    book.write_table(EXPORT_BASE, records_to_table(built.specs, built.base))
    book.hide_sheet(EXPORT_BASE)
    book.status("Preview: saving the workbook…")
    book.save()
    book.status(result.summary())
