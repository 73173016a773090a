"""Confirm import: the clerk says the import into the accounting system worked (or did not).

The batch becomes ``confirmed`` in the ledger and on *Log* first: that is the clerk's word,
whatever ServiceTrade says next. Then, if *Mark processed in ServiceTrade* is yes, each of
the batch's invoices is set to ``processed`` (``PUT /invoice/{id}``, at most *Concurrency*
at once). One refused invoice does not stop the others; each outcome is kept in the ledger,
so confirming again sends only what has not gone through yet.

With a comment (``--failed "…"``, for an import that did not work) the batch is voided
instead, its invoices exportable again, and the write-back sets them to ``failed``. The
comment is kept in the ledger and on *Log*; ServiceTrade's Comment API is not called,
because its request body is not documented (reference/servicetrade-api.md, section 4).

The same function serves the ribbon and the CLI: a workbook port, a ledger, and a factory
that opens a ServiceTrade client for the book's settings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from stac_xl.actions.ledger import Batch, BatchInvoice, ExportLedger, State, StatusResult
from stac_xl.actions.ledger.session import LedgerSession, ledger_session
from stac_xl.book import layout
from stac_xl.book.log import append_log
from stac_xl.book.port import WorkbookPort
from stac_xl.errors import ExportError, StacError
from stac_xl.settings import MARK_PROCESSED, Settings, read_settings

PROCESSED, FAILED = "processed", "failed"


class StatusWriter(Protocol):
    """What Confirm needs from a ServiceTrade client."""

    def set_invoice_status(self, invoice_id: int | str, status: str) -> dict[str, Any]:
        """Change one invoice's status; raises a StacError when ServiceTrade refuses."""
        ...


ClientFactory = Callable[[Settings], AbstractContextManager[StatusWriter]]


@dataclass
class ConfirmResult:
    """What Confirm did: the batch, its state now, and the write-back's outcome."""

    batch_id: int
    state: State
    status: str                       # processed or failed
    written_back: bool                # False: Mark processed in ServiceTrade is no
    sent: list[str] = field(default_factory=list)                # invoice numbers ServiceTrade took now
    failed: list[tuple[str, str]] = field(default_factory=list)  # (invoice number, why)
    already: int = 0                  # invoices that had gone through on an earlier Confirm
    recovered: list[str] = field(default_factory=list)

    def summary(self) -> str:
        word = "confirmed as imported" if self.state is State.CONFIRMED else "voided: the import did not work"
        text = f"Batch {self.batch_id} {word}."
        if not self.written_back:
            return text + f" ServiceTrade was not changed ({MARK_PROCESSED.name} is no on Settings)."
        text += f" ServiceTrade: {len(self.sent)} invoices set to {self.status}"
        text += f" ({self.already} already were)." if self.already else "."
        if self.failed:
            named = "; ".join(f"{number}: {why}" for number, why in self.failed[:5])
            more = f"; and {len(self.failed) - 5} more" if len(self.failed) > 5 else ""
            text += f" {len(self.failed)} failed ({named}{more}). Confirm again to retry only those."
        return text


def _chosen(session: LedgerSession, batch_id: int | None) -> Batch:
    if batch_id is not None:
        batch = session.ledger.batch(batch_id)
        if batch is None:
            raise ExportError(f"There is no batch {batch_id} in the export ledger; run stac-xl batches to see them.")
        return batch
    waiting = session.ledger.batches(workbook=session.workbook, states=(State.EXPORTED,))
    if not waiting:
        raise ExportError("This workbook has no exported batch waiting for Confirm import; "
                          "name one with --batch (stac-xl batches lists them).")
    return waiting[-1]


def _settle(session: LedgerSession, batch: Batch, comment: str | None, now: datetime) -> tuple[State, bool]:
    """Record the clerk's word; (the batch's state now, whether it changed)."""
    target = State.CONFIRMED if comment is None else State.VOIDED
    if batch.state is target and (comment is None or batch.note.startswith("import failed")):
        return target, False  # confirming again: only the write-back is retried
    if batch.state is not State.EXPORTED:
        hint = (" Undo it with --force first if the books do not have it." if batch.state is State.CONFIRMED
                else "")
        raise ExportError(f"Batch {batch.id} is {batch.state.value}, so it cannot be "
                          f"{'confirmed' if comment is None else 'marked as failed'}.{hint}")
    note = "import confirmed" if comment is None else f"import failed: {comment}"
    session.ledger.set_state(batch.id, target, allowed=(State.EXPORTED,), at=now, actor=session.actor, note=note)
    return target, True


def _send(client: StatusWriter, todo: Sequence[BatchInvoice], status: str, workers: int) -> list[StatusResult]:
    """Each invoice's write-back, at most ``workers`` at once; a refusal is that invoice's only."""
    def one(invoice: BatchInvoice) -> StatusResult:
        try:
            client.set_invoice_status(invoice.invoice_id, status)
        except StacError as exc:
            return StatusResult(invoice.invoice_id, status, str(exc))
        return StatusResult(invoice.invoice_id, status)

    if not todo:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(todo))), thread_name_prefix="stac-confirm") as pool:
        return list(pool.map(one, todo))


def confirm(book: WorkbookPort, *, client_factory: ClientFactory, batch_id: int | None = None,
            failed: str | None = None, ledger: ExportLedger | None = None, workbook: str | None = None,
            env: Mapping[str, str] | None = None, now: datetime | None = None) -> ConfirmResult:
    """Confirm the import of ``batch_id`` (default: this workbook's latest exported batch);
    with ``failed`` (the clerk's comment) record that the import did not work instead."""
    now = now or datetime.now()
    settings = read_settings(book.read_grid(layout.SETTINGS))
    comment = failed.strip() if failed is not None else None
    if failed is not None and not comment:
        raise ExportError("Say why the import did not work: --failed \"the reason\" (it goes with the invoices).")
    with ledger_session(book, settings, now=now, ledger=ledger, workbook=workbook, env=env) as session:
        batch = _chosen(session, batch_id)
        state, changed = _settle(session, batch, comment, now)
        result = ConfirmResult(batch.id, state, PROCESSED if comment is None else FAILED, settings.mark_processed,
                               recovered=list(session.recovered))
        if changed:
            said = "import confirmed" if comment is None else f"import failed: {comment}"
            append_log(book, action="confirm" if comment is None else "void", now=now, file=batch.file_path,
                       invoices=batch.invoices, note=f"Batch {batch.id}: {said}", batch=batch.id)
            book.save()
        if settings.mark_processed:
            _write_back(book, session, batch, result, settings, client_factory, now)
    book.status(result.summary())
    return result


def _write_back(book: WorkbookPort, session: LedgerSession, batch: Batch, result: ConfirmResult,
                settings: Settings, client_factory: ClientFactory, now: datetime) -> None:
    """Set the invoices not yet done to the result's status; record and log each outcome."""
    invoices = session.ledger.batch_invoices(batch.id)
    todo = [i for i in invoices if i.status_sent != result.status]
    result.already = len(invoices) - len(todo)
    if todo:
        with client_factory(settings) as client:
            outcomes = _send(client, todo, result.status, settings.concurrency)
        session.ledger.record_statuses(batch.id, outcomes, at=now)
        numbers = {i.invoice_id: i.number or i.invoice_id for i in todo}
        result.sent = [numbers[o.invoice_id] for o in outcomes if not o.error]
        result.failed = [(numbers[o.invoice_id], o.error) for o in outcomes if o.error]
    append_log(book, action="write-back", now=now, invoices=len(result.sent), batch=batch.id,
               note=f"ServiceTrade: {len(result.sent)} set to {result.status}, {len(result.failed)} failed"
                    + (f" ({', '.join(n for n, _ in result.failed[:10])})" if result.failed else ""))
    book.save()
