"""Undo export: void a batch, so its invoices can be exported again.

For a batch exported but not yet imported (the clerk spotted a mistake, or exported the
wrong day). Its file stays where it is, renamed ``NAME.void`` so no import dialog offers it
again, and the *Log* sheet lists the batch as void. A confirmed batch is in the books: Undo
cannot take it out of them, so it needs ``force`` and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from stac_xl.actions.ledger import Batch, ExportLedger, State
from stac_xl.actions.ledger.session import ledger_session
from stac_xl.book import layout
from stac_xl.book.log import append_log
from stac_xl.book.port import WorkbookPort
from stac_xl.errors import ExportError
from stac_xl.settings import read_settings

VOID_SUFFIX = ".void"


@dataclass
class UndoResult:
    """The batch voided, where its file is now, and what Undo could not undo."""

    batch_id: int
    invoices: int
    file: Path
    was_confirmed: bool
    recovered: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"Batch {self.batch_id} is void: its {self.invoices} invoices can be exported again. "
                f"Its file is now {self.file}.")
        if self.was_confirmed:
            text += (" It had been confirmed as imported: remove those invoices from your accounting system "
                     "yourself (and set them back to ok in ServiceTrade if Confirm marked them processed).")
        return text


def _refusal(batch: Batch | None, batch_id: int, force: bool) -> str | None:
    if batch is None:
        return f"There is no batch {batch_id} in the export ledger; run stac-xl batches to see them."
    if batch.state is State.WRITING:
        return f"Batch {batch_id} is still being written; wait for that export to finish, then undo it."
    if batch.state is State.VOIDED:
        return f"Batch {batch_id} is already void."
    if batch.state is State.CONFIRMED and not force:
        return (f"Batch {batch_id} was confirmed as imported into your accounting system: Undo cannot take its "
                f"invoices out of your books, nor set them back in ServiceTrade. Remove them there first, then "
                f"undo with --force to make them exportable again.")
    return None


def _set_aside(path: Path) -> Path:
    """Rename the import file to ``NAME.void`` (left as it is if it is gone or that name is taken)."""
    target = path.with_name(path.name + VOID_SUFFIX)
    if not path.exists() or target.exists():
        return path
    try:
        path.rename(target)
    except OSError:
        return path  # a file another program holds open: the Log still says the batch is void
    return target


def undo(book: WorkbookPort, *, batch_id: int, force: bool = False, ledger: ExportLedger | None = None,
         workbook: str | None = None, env: Mapping[str, str] | None = None,
         now: datetime | None = None) -> UndoResult:
    """Void batch ``batch_id``: exported ones always, confirmed ones only with ``force``."""
    now = now or datetime.now()
    settings = read_settings(book.read_grid(layout.SETTINGS))
    with ledger_session(book, settings, now=now, ledger=ledger, workbook=workbook, env=env) as session:
        batch = session.ledger.batch(batch_id)
        refusal = _refusal(batch, batch_id, force)
        if refusal is not None or batch is None:
            raise ExportError(refusal or "")
        moved = _set_aside(Path(batch.file_path))
        allowed = (State.EXPORTED, State.CONFIRMED) if force else (State.EXPORTED,)
        note = "undone" + (" with --force, after it was confirmed" if batch.state is State.CONFIRMED else "")
        try:
            session.ledger.set_state(batch_id, State.VOIDED, allowed=allowed, at=now, actor=session.actor,
                                     note=note, file_path=str(moved))
        except BaseException:
            if moved != Path(batch.file_path):
                moved.rename(batch.file_path)
            raise
        result = UndoResult(batch_id, batch.invoices, moved, batch.state is State.CONFIRMED, list(session.recovered))
        append_log(book, action="void", now=now, file=str(moved), invoices=batch.invoices, batch=batch_id,
                   note=result.summary())
        book.save()
    book.status(result.summary())
    return result
