"""The Export action: the *Export* sheet, as it stands, becomes the import file — once.

The sheet must be what Preview built from the sheets as they are now (its fingerprint);
it is validated once more (the clerk's corrections included) by the same checks as
Preview, and its records are written in the order of their hidden *Record no*, whatever
the order of the rows. Then, in this order, so that a process killed at any moment leaves
either no batch and no file or both (the next command settles a batch left ``writing``,
see :mod:`stac_xl.actions.ledger.recover`):

1. the batch is recorded in the export ledger as ``writing``, with its file name — refused
   if an invoice in it is already in the books and re-export was not allowed;
2. the file is written to a temp file in the target folder, flushed, and linked into place
   (an existing file is never overwritten);
3. the batch becomes ``exported``;
4. the *Log* row is added and the workbook saved (if it cannot be, the ledger has the
   batch and the Log catches up next time).
"""

from __future__ import annotations

import io
import os
import signal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stac_xl.actions.ledger import AlreadyExported, BatchDraft, ExportLedger, InvoiceEntry, Money, PriorExport, scope_of
from stac_xl.actions.ledger.recover import file_sha256, part_prefix
from stac_xl.actions.ledger.session import LedgerSession, ledger_session
from stac_xl.book import layout
from stac_xl.book.export_base import missing_records, unmade_cells
from stac_xl.book.export_sheet import (
    EXPORT_BASE,
    SheetRecords,
    problem_cell,
    read_export_sheet,
    read_fingerprint,
    shape_problems,
)
from stac_xl.book.log import append_log
from stac_xl.book.port import WorkbookPort
from stac_xl.errors import ExportError, ValidationFailed, WorkbookError, WriteProblem
from stac_xl.invoices.totals import Totals
from stac_xl.problems import Problem, counts_line, grouped_lines, plural, without_repeats
from stac_xl.records import RecordSpec
from stac_xl.writers.import_file import check_target, file_name, output_folder, write_new_file

if TYPE_CHECKING:
    from stac_xl.actions.profile import ExportProfile

# Test-only seam: the export's steps call ``step(name)``; with STAC_TEST_CRASH_AT set to a
# step's name the process kills itself there with SIGKILL (kill -9), so a test can show
# that the next command recovers from a crash at exactly that point.
CRASH_ENV = "STAC_TEST_CRASH_AT"
STEPS = ("before_file", "after_link", "before_ledger_commit", "before_book_save")
Step = Callable[[str], None]


def crash_hook(env: Mapping[str, str]) -> Step:
    """The step hook: nothing, unless ``STAC_TEST_CRASH_AT`` names the step (tests only)."""
    wanted = env.get(CRASH_ENV, "")

    def step(name: str) -> None:
        if wanted and name == wanted:
            os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
    return step


@dataclass(frozen=True)
class ExportResult:
    """The file written and what is in it (totals from the records written)."""

    path: Path
    records: int
    invoices: int
    lines: int
    sha256: str
    batch_id: int = 0
    money: Money = field(default_factory=Money)
    reexport: bool = False
    recovered: list[str] = field(default_factory=list)
    log_behind: str = ""  # why the workbook could not be saved, if it could not

    def summary(self) -> str:
        m = self.money
        text = (f"Exported {self.invoices} invoices ({self.records} records): net {m.net:,.2f}, tax {m.tax:,.2f}, "
                f"gross {m.gross:,.2f} to {self.path} as batch {self.batch_id}.")
        if self.reexport:
            text += " It re-exports invoices that were exported before (you allowed re-export)."
        if self.log_behind:
            text += f" The workbook was not saved ({self.log_behind}); its Log sheet catches up from the ledger next time."
        return text


def problem_cell_name(problem: Problem, sheet: SheetRecords | None = None) -> str:
    """The Export cell a problem is about, e.g. ``Export!D12`` (empty if none), on the sheet
    as the clerk sorted it."""
    return problem_cell(problem, sheet.rows if sheet is not None else None)


def _refuse(problems: Sequence[Problem], sheet: SheetRecords) -> None:
    """ValidationFailed when any problem is an error: counted as Preview counts, the first
    problems one line each (those of one cause grouped), each naming its cell."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        lines = grouped_lines(errors, lambda p: problem_cell_name(p, sheet),
                              rest="click Preview to mark them all on the Export sheet")
        raise ValidationFailed(
            f"Export refused: {counts_line(problems)} on the Export sheet; fix the errors (or Preview again) and "
            f"export. First: {lines[0]}",
            lines,
        )


def already_exported_sentence(priors: Sequence[PriorExport]) -> str:
    """Why an export is refused when its invoices are in the books already."""
    first = priors[0]
    where = f"batch {first.batch_id} ({first.state.value} {first.created:%Y-%m-%d %H:%M} by {first.user})"
    fix = "click Preview to leave {0} out, or set Allow re-export to yes to export {0} again."
    if len(priors) == 1:
        return f"Export refused: invoice {first.number or first.invoice_id} on the Export sheet is already in {where}; " \
               + fix.format("it")
    names = ", ".join(p.number or p.invoice_id for p in priors[:5]) + (", …" if len(priors) > 5 else "")
    return (f"Export refused: {len(priors)} invoices on the Export sheet are already exported ({names}), "
            f"{first.number or first.invoice_id} in {where}; " + fix.format("them"))


@dataclass(frozen=True)
class _Prepared:
    """Everything the file and the batch need, found before anything is written."""

    content: bytes
    sha256: str
    totals: Totals
    draft_invoices: list[InvoiceEntry]
    records: int
    mapping_grid: list[list[object]]
    lookups_grid: list[list[object]]


def _prepare(book: WorkbookPort, profile: ExportProfile) -> _Prepared:
    """Read, check and write the Export sheet into bytes; refuse a stale or faulty sheet."""
    import hashlib

    from stac_xl.actions.ledger.invoices import invoice_contents, records_hashes
    from stac_xl.actions.ledger.totals import file_totals, money_fields
    from stac_xl.checks.derived_balance import invoice_numbers
    from stac_xl.checks.writable import problem_of

    specs, sheet, rows = _checked(book, profile)
    records = sheet.records
    book.status(f"Export: writing {plural(len(records), 'record')} as a {profile.writer.title} file…")
    stream = io.BytesIO()
    try:
        profile.writer.write(specs, records, stream)
    except WriteProblem as refused:  # what Preview's trial write would have found: told on its cell
        found = problem_of(refused, specs, records, invoice_numbers(rows))
        place = problem_cell_name(found, sheet)
        line = f"{place}: {found}" if place else str(found)
        raise ValidationFailed(f"Export refused: the file cannot hold a value as it stands. {line}", [line]) from None
    content = stream.getvalue()
    contents, hashes = invoice_contents(rows), records_hashes(records)
    entries = []
    for invoice_id in dict.fromkeys(r.invoice_id for r in records if r.invoice_id):
        known = contents.get(invoice_id)
        entries.append(InvoiceEntry(invoice_id, known.number if known else "", known.content_hash if known else "",
                                    hashes[invoice_id], known.snapshot if known else ""))
    totals = file_totals(records, specs, money_fields(specs), rows)
    return _Prepared(content, hashlib.sha256(content).hexdigest(), totals, entries, len(records),
                     profile.mapping_grid, profile.lookups_grid)


def _checked(book: WorkbookPort, profile: ExportProfile) -> tuple[list[RecordSpec], SheetRecords, list[dict[str, Any]]]:
    """The Export sheet read as the file's records (the clerk's entries written in their
    fields' forms), refused unless every check passes: its rows are Preview's (none
    deleted, copied or pasted over), no cell holds a formula or an Excel error, and the
    records pass the checks Preview ran."""
    from stac_xl.actions.ledger.fingerprint import refuse_if_stale
    from stac_xl.actions.profile import check_records
    from stac_xl.checks.derived_balance import invoice_numbers
    from stac_xl.checks.hand_edits import normalise_hand_edits
    from stac_xl.checks.typed_cells import check_cut_text, check_typed_cells
    from stac_xl.invoices.read_back import invoice_headers, read_invoice_rows
    from stac_xl.mapping import compile_mapping

    book.status("Export: reading the Export sheet…")
    export_grid = book.read_grid(layout.EXPORT)
    sheet = read_export_sheet(export_grid)
    if not sheet.records and not sheet.problems:
        if read_fingerprint(export_grid) is None:
            raise ExportError("The Export sheet is empty; click Preview first.")
        raise ExportError("Nothing to export: the last Preview left every invoice out (see the checks beside the "
                          "Export table); fetch new invoices, then Preview.")
    invoices_grid = book.read_grid(layout.INVOICES)
    # a bad rule is told as itself (naming its cell) before "Mapping changed since the last Preview"
    specs = compile_mapping(profile.mapping_grid, profile.lookups_grid, invoice_columns=invoice_headers(invoices_grid)).specs
    refuse_if_stale(book, export_grid, invoices_grid, profile)
    records = sheet.records
    shape = sheet.problems + shape_problems(records, specs, sheet.rows)
    rows = read_invoice_rows(invoices_grid, order=profile.settings.date_order)
    numbers = invoice_numbers(rows)
    base = _base(book, specs)
    if base is not None:  # what the clerk's edits did to the rows, and what Preview could not make
        shape += missing_records(sheet, base) + unmade_cells(sheet, base, specs, numbers)
    book.status(f"Export: checking {plural(len(records), 'record')}…")
    normalise_hand_edits(specs, records, order=profile.settings.date_order)
    made = base.by_number() if base is not None else {}
    typed = check_typed_cells(specs, records, [made.get(n) for n in sheet.numbers], numbers)
    typed += check_cut_text(specs, records, numbers)
    _refuse(without_repeats(shape + typed + check_records(profile, specs, records, rows)), sheet)
    return specs, sheet, rows


def _base(book: WorkbookPort, specs: Sequence[RecordSpec]) -> SheetRecords | None:
    """What Preview wrote on the Export sheet (its hidden base), or None if there is none."""
    if EXPORT_BASE not in book.sheet_names():
        return None
    base = read_export_sheet(book.read_grid(EXPORT_BASE))
    shape_problems(base.records, specs)
    return base


def _draft(session: LedgerSession, profile: ExportProfile, prepared: _Prepared, path: Path, reexport: bool) -> BatchDraft:
    import json

    t = prepared.totals
    return BatchDraft(
        scope=scope_of(profile.settings), workbook=session.workbook, profile=profile.settings.target_profile,
        file_path=str(path), file_sha256=prepared.sha256, records=prepared.records, lines=t.lines,
        money=Money(t.net, t.tax, t.gross), invoices=prepared.draft_invoices,
        mapping_snapshot=json.dumps(prepared.mapping_grid, default=str),
        lookups_snapshot=json.dumps(prepared.lookups_grid, default=str), reexport=reexport)


def export(book: WorkbookPort, *, out: Path | None = None, book_folder: Path | Callable[[], Path],
           now: datetime | None = None,
           ledger: ExportLedger | None = None, workbook: str | None = None, reexport: bool = False,
           env: Mapping[str, str] | None = None, step: Step | None = None) -> ExportResult:
    """Check the Export sheet and write it as the import file into ``out``, else the
    *Output folder* setting, else ``book_folder`` (the workbook's own folder, or a function
    finding it, called only when neither is set: the ribbon's unsaved book is refused only
    then, and the Settings sheet is read once), recording the batch in ``ledger`` (default:
    the one the settings and ``STAC_LEDGER`` name).

    ``reexport`` (or the *Allow re-export* setting) lets invoices already exported go again.
    ``workbook`` is how the ledger names this book (default: its file's path)."""
    from stac_xl.actions.profile import load_profile

    now = now or datetime.now()
    env = os.environ if env is None else env
    step = step or crash_hook(env)
    profile = load_profile(book)
    settings = profile.settings
    folder = out or output_folder(settings.output_folder, book_folder)
    with ledger_session(book, settings, now=now, ledger=ledger, workbook=workbook, env=env) as session:
        prepared = _prepare(book, profile)
        name = file_name(settings.file_name_pattern, profile=settings.target_profile, writer=profile.writer, now=now)
        target = check_target(folder, name).absolute()
        draft = _draft(session, profile, prepared, target, reexport or settings.allow_reexport)
        batch_id, again = _record(session, draft, now)
        step("before_file")
        _write_file(session, batch_id, target, prepared, now, step)
        result = ExportResult(target, prepared.records, prepared.totals.invoices, prepared.totals.lines,
                              prepared.sha256, batch_id, draft.money, again, list(session.recovered))
        return _log_and_save(book, result, now, step)


def _record(session: LedgerSession, draft: BatchDraft, now: datetime) -> tuple[int, bool]:
    """Step 1: the batch as ``writing``; (its id, whether it re-exports any invoice)."""
    scope_priors = session.ledger.prior_exports(draft.scope, [i.invoice_id for i in draft.invoices])
    try:
        batch_id = session.ledger.begin(draft, at=now, actor=session.actor)
    except AlreadyExported as exc:
        raise ExportError(already_exported_sentence(exc.priors)) from None
    return batch_id, bool(scope_priors)


def _write_file(session: LedgerSession, batch_id: int, target: Path, prepared: _Prepared, now: datetime,
                step: Step) -> None:
    """Steps 2 and 3: the file in place, then the batch ``exported``; a failure settles the batch."""
    ledger, actor = session.ledger, session.actor
    try:
        write_new_file(target.parent, target.name, prepared.content, prefix=part_prefix(batch_id),
                       after_link=lambda: step("after_link"))
    except BaseException:
        # Ctrl+C may land after the link: the file decides, as on recovery after a kill.
        if file_sha256(target) == prepared.sha256:
            ledger.finish(batch_id, at=now, actor=actor, note="the export was interrupted after its file was written")
        else:
            ledger.discard(batch_id, at=now, actor=actor, note="the file could not be written")
        raise
    ledger.finish(batch_id, at=now, actor=actor, before_commit=lambda: step("before_ledger_commit"))


def _log_and_save(book: WorkbookPort, result: ExportResult, now: datetime, step: Step) -> ExportResult:
    """Step 4: the Log row (totals of the records written) and the saved book."""
    m = result.money
    note = result.summary()
    book.status(f"Export: {result.path.name} written; recording batch {result.batch_id} on Log and saving the workbook…")
    append_log(book, action="export", note=note, now=now, file=str(result.path), invoices=result.invoices,
               lines=result.lines, net=m.net, tax=m.tax, gross=m.gross, sha256=result.sha256, batch=result.batch_id)
    step("before_book_save")
    try:
        book.save()
    except WorkbookError as exc:
        result = ExportResult(result.path, result.records, result.invoices, result.lines, result.sha256,
                              result.batch_id, m, result.reexport, result.recovered, str(exc).rstrip("."))
    book.status(result.summary())
    return result
