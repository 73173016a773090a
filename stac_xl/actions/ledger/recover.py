"""Putting right what a killed export left, each time a command opens the ledger.

Export records its batch as ``writing`` before the file exists, so whatever moment it is
killed at, the ledger knows the file it meant to write. Here a ``writing`` batch whose
process is gone is settled: its file there and matching its hash → ``exported`` (the
kill came after the file was in place); no such file → removed (its invoices may be
exported again). A batch still being written by a live process is left alone. The temp
file a killed write left in the output folder is removed either way.

Then the *Log* sheet is caught up with the ledger: a batch of this workbook without its
row (the book was not saved after the export, or could not be) gets the row now.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from stac_xl.actions.ledger import Actor, Batch, ExportLedger, State
from stac_xl.book.lock import process_alive
from stac_xl.book.log import append_log, logged_batches
from stac_xl.book.port import WorkbookPort

EXPORT_ACTION, CONFIRM_ACTION, VOID_ACTION = "export", "confirm", "void"
_ACTIONS_BY_STATE = {
    State.EXPORTED: (EXPORT_ACTION,),
    State.CONFIRMED: (EXPORT_ACTION, CONFIRM_ACTION),
    State.VOIDED: (EXPORT_ACTION, VOID_ACTION),
}


def part_prefix(batch_id: int) -> str:
    """The prefix of the temp file a batch's import file is written through."""
    return f".stac-batch{batch_id}-"


def file_sha256(path: Path) -> str | None:
    """The file's SHA-256, or None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def _remove_parts(batch: Batch) -> None:
    folder = Path(batch.file_path).parent
    for part in folder.glob(part_prefix(batch.id) + "*.part"):
        part.unlink(missing_ok=True)


def reconcile(ledger: ExportLedger, *, actor: Actor, now: datetime,
              alive: Callable[[int], bool] = process_alive) -> list[str]:
    """Settle every ``writing`` batch of a process that is gone; a sentence for each."""
    said = []
    for batch in ledger.batches(states=(State.WRITING,)):
        if batch.machine != actor.machine:
            said.append(f"Batch {batch.id} is still being written on {batch.machine} (or was stopped there); "
                        f"run any stac-xl command on {batch.machine} to settle it.")
            continue
        if batch.pid == actor.pid or alive(batch.pid):
            continue
        _remove_parts(batch)
        if file_sha256(Path(batch.file_path)) == batch.file_sha256:
            ledger.finish(batch.id, at=now, actor=actor, note="recovered: the export was stopped after its file was written")
            said.append(f"Batch {batch.id} was stopped after its file {batch.file_path} was written; "
                        "it is now recorded as exported.")
        else:
            ledger.discard(batch.id, at=now, actor=actor, note="removed: the export was stopped before its file was written")
            said.append(f"Batch {batch.id} was stopped before its file was written; it was removed, and its "
                        f"{batch.invoices} invoices can be exported again.")
    return said


def catch_up_log(book: WorkbookPort, ledger: ExportLedger, *, workbook: str, now: datetime) -> list[str]:
    """Add the Log rows this workbook's batches should have and do not; a sentence if any."""
    logged = logged_batches(book)
    added = []
    for batch in ledger.batches(workbook=workbook):
        for action in _ACTIONS_BY_STATE.get(batch.state, ()):
            if (action, batch.id) in logged:
                continue
            note = f"added from the ledger {ledger.where}: this workbook was not saved after the {action}"
            append_log(book, action=action, note=note, now=now, file=batch.file_path, invoices=batch.invoices,
                       lines=batch.lines, net=batch.money.net, tax=batch.money.tax, gross=batch.money.gross,
                       sha256=batch.file_sha256 if action == EXPORT_ACTION else "", batch=batch.id)
            added.append(f"{action} of batch {batch.id}")
    if not added:
        return []
    return [f"The Log sheet was behind the export ledger; added: {', '.join(added)}."]
