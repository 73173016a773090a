"""The export ledger in one SQLite file (stdlib ``sqlite3``, WAL, one transaction per step).

Each step that writes opens with ``BEGIN IMMEDIATE``: SQLite's own write lock, so a second
export of the same ledger waits for the first step to end (up to :data:`BUSY_SECONDS`) and
then sees what it did, instead of both claiming the same invoices. ``synchronous=FULL``:
once a step has committed it survives a crash of the machine, not only of the process.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from stac_xl.actions.ledger import (
    ACTIVE,
    Actor,
    AlreadyExported,
    Batch,
    BatchDraft,
    BatchInvoice,
    Money,
    PriorExport,
    State,
    StatusResult,
)
from stac_xl.errors import ConfigError, ExportError

BUSY_SECONDS = 30.0
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL, os_user TEXT NOT NULL, machine TEXT NOT NULL, pid INTEGER NOT NULL,
    workbook TEXT NOT NULL, scope TEXT NOT NULL, profile TEXT NOT NULL,
    file_path TEXT NOT NULL, file_sha256 TEXT NOT NULL,
    invoice_count INTEGER NOT NULL, record_count INTEGER NOT NULL, line_count INTEGER NOT NULL,
    net TEXT NOT NULL, tax TEXT NOT NULL, gross TEXT NOT NULL,
    mapping_snapshot TEXT NOT NULL, lookups_snapshot TEXT NOT NULL,
    reexport INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('writing', 'exported', 'confirmed', 'voided')),
    note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS batch_invoices (
    batch_id INTEGER NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    invoice_id TEXT NOT NULL, invoice_number TEXT NOT NULL,
    content_hash TEXT NOT NULL, records_hash TEXT NOT NULL, snapshot TEXT NOT NULL,
    reexport_of INTEGER,
    status_sent TEXT NOT NULL DEFAULT '', status_error TEXT NOT NULL DEFAULT '', status_at TEXT,
    PRIMARY KEY (batch_id, invoice_id)
);
CREATE INDEX IF NOT EXISTS batch_invoices_by_invoice ON batch_invoices (invoice_id);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id INTEGER NOT NULL, at TEXT NOT NULL, os_user TEXT NOT NULL, machine TEXT NOT NULL,
    state TEXT NOT NULL, note TEXT NOT NULL
);
"""

_BATCH_COLUMNS = ("id, created, os_user, machine, pid, workbook, scope, profile, file_path, file_sha256, "
                  "invoice_count, record_count, line_count, net, tax, gross, state, reexport, note")


def _stamp(at: datetime) -> str:
    return at.replace(microsecond=0).isoformat()


def _batch(row: Sequence[Any]) -> Batch:
    (id_, created, user, machine, pid, workbook, scope, profile, path, sha, invoices, records, lines,
     net, tax, gross, state, reexport, note) = row
    return Batch(id_, datetime.fromisoformat(created), user, machine, pid, workbook, scope, profile, path, sha,
                 invoices, records, lines, Money(Decimal(net), Decimal(tax), Decimal(gross)), State(state),
                 bool(reexport), note)


class SqliteLedger:
    """:class:`stac_xl.actions.ledger.ExportLedger` over one SQLite file."""

    def __init__(self, path: Path, *, busy_seconds: float = BUSY_SECONDS) -> None:
        self.where = str(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # autocommit mode: every transaction is explicit, so none is left open by accident
            self._db = sqlite3.connect(path, timeout=busy_seconds, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            with self._write():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        except (OSError, sqlite3.DatabaseError) as exc:
            raise ConfigError(f"The export ledger {path} cannot be opened ({exc}); check the Ledger setting "
                              "or the STAC_LEDGER variable names a file you may write.") from None

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction, holding SQLite's write lock from its first statement."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            raise ExportError(f"The export ledger {self.where} is busy with another export, confirm or undo; "
                              "try again in a minute.") from None
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _event(self, batch_id: int, state: State | str, at: datetime, actor: Actor, note: str) -> None:
        self._db.execute("INSERT INTO events (batch_id, at, os_user, machine, state, note) VALUES (?, ?, ?, ?, ?, ?)",
                         (batch_id, _stamp(at), actor.user, actor.machine, str(state), note))

    def begin(self, draft: BatchDraft, *, at: datetime, actor: Actor) -> int:
        """Record ``draft`` as ``writing``; AlreadyExported unless it is a re-export."""
        with self._write():
            priors = self.prior_exports(draft.scope, [i.invoice_id for i in draft.invoices])
            if priors and not draft.reexport:
                raise AlreadyExported(list(priors.values()))
            cursor = self._db.execute(
                "INSERT INTO batches (created, os_user, machine, pid, workbook, scope, profile, file_path, "
                "file_sha256, invoice_count, record_count, line_count, net, tax, gross, mapping_snapshot, "
                "lookups_snapshot, reexport, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (_stamp(at), actor.user, actor.machine, actor.pid, draft.workbook, draft.scope, draft.profile,
                 draft.file_path, draft.file_sha256, len(draft.invoices), draft.records, draft.lines,
                 str(draft.money.net), str(draft.money.tax), str(draft.money.gross), draft.mapping_snapshot,
                 draft.lookups_snapshot, int(draft.reexport), State.WRITING.value))
            batch_id = int(cursor.lastrowid or 0)
            self._db.executemany(
                "INSERT INTO batch_invoices (batch_id, position, invoice_id, invoice_number, content_hash, "
                "records_hash, snapshot, reexport_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(batch_id, n, i.invoice_id, i.number, i.content_hash, i.records_hash, i.snapshot,
                  priors[i.invoice_id].batch_id if i.invoice_id in priors else None)
                 for n, i in enumerate(draft.invoices)])
            note = "re-export of invoices already exported" if priors else ""
            self._event(batch_id, State.WRITING, at, actor, note)
        return batch_id

    def finish(self, batch_id: int, *, at: datetime, actor: Actor, note: str = "",
               before_commit: Callable[[], None] | None = None) -> None:
        """``writing`` → ``exported``."""
        with self._write():
            self._db.execute("UPDATE batches SET state = ? WHERE id = ? AND state = ?",
                             (State.EXPORTED.value, batch_id, State.WRITING.value))
            self._event(batch_id, State.EXPORTED, at, actor, note)
            if before_commit is not None:
                before_commit()

    def discard(self, batch_id: int, *, at: datetime, actor: Actor, note: str) -> None:
        """Delete a ``writing`` batch (its event stays, to say what happened)."""
        with self._write():
            self._db.execute("DELETE FROM batches WHERE id = ? AND state = ?", (batch_id, State.WRITING.value))
            self._event(batch_id, "removed", at, actor, note)

    def set_state(self, batch_id: int, state: State, *, allowed: Sequence[State], at: datetime,
                  actor: Actor, note: str = "", file_path: str | None = None) -> Batch:
        """Move a batch from one of ``allowed`` to ``state``; ExportError if it is not there."""
        with self._write():
            before = self.batch(batch_id)
            if before is None or before.state not in allowed:
                raise ExportError(f"Batch {batch_id} is {before.state.value if before else 'not in the ledger'} "
                                  "now; run stac-xl batches to see where it is.")
            self._db.execute("UPDATE batches SET state = ?, note = ?, file_path = ? WHERE id = ?",
                             (state.value, note or before.note, file_path or before.file_path, batch_id))
            self._event(batch_id, state, at, actor, note)
        return before

    def record_statuses(self, batch_id: int, results: Sequence[StatusResult], *, at: datetime) -> None:
        """Store each write-back's outcome; a success clears an earlier failure."""
        with self._write():
            self._db.executemany(
                "UPDATE batch_invoices SET status_sent = ?, status_error = ?, status_at = ? "
                "WHERE batch_id = ? AND invoice_id = ?",
                [("" if r.error else r.status, r.error, _stamp(at), batch_id, r.invoice_id) for r in results])

    def batch(self, batch_id: int) -> Batch | None:
        """One batch, or None."""
        row = self._db.execute(f"SELECT {_BATCH_COLUMNS} FROM batches WHERE id = ?", (batch_id,)).fetchone()
        return None if row is None else _batch(row)

    def batches(self, *, workbook: str | None = None, states: Sequence[State] = ()) -> list[Batch]:
        """Batches oldest first, filtered by workbook and state when given."""
        where, args = [], []
        if workbook is not None:
            where.append("workbook = ?")
            args.append(workbook)
        if states:
            where.append(f"state IN ({', '.join('?' * len(states))})")
            args += [s.value for s in states]
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = self._db.execute(f"SELECT {_BATCH_COLUMNS} FROM batches{clause} ORDER BY id", args).fetchall()
        return [_batch(row) for row in rows]

    def batch_invoices(self, batch_id: int) -> list[BatchInvoice]:
        """A batch's invoices in file order."""
        rows = self._db.execute("SELECT invoice_id, invoice_number, status_sent, status_error FROM batch_invoices "
                                "WHERE batch_id = ? ORDER BY position", (batch_id,)).fetchall()
        return [BatchInvoice(*row) for row in rows]

    def prior_exports(self, scope: str, invoice_ids: Sequence[str]) -> dict[str, PriorExport]:
        """The latest active batch of ``scope`` holding each invoice."""
        found: dict[str, PriorExport] = {}
        states = [s.value for s in ACTIVE]
        wanted = list(dict.fromkeys(invoice_ids))
        for start in range(0, len(wanted), 500):  # SQLite's limit on ? in one statement
            chunk = wanted[start:start + 500]
            rows = self._db.execute(
                "SELECT i.invoice_id, i.invoice_number, b.id, b.state, b.created, b.os_user, i.content_hash, i.snapshot "
                "FROM batch_invoices i JOIN batches b ON b.id = i.batch_id "
                f"WHERE b.scope = ? AND b.state IN ({', '.join('?' * len(states))}) "
                f"AND i.invoice_id IN ({', '.join('?' * len(chunk))}) ORDER BY b.id",
                [scope, *states, *chunk]).fetchall()
            for invoice_id, number, batch_id, state, created, user, content, snapshot in rows:
                found[invoice_id] = PriorExport(invoice_id, number, batch_id, State(state),
                                                datetime.fromisoformat(created), user, content, snapshot)
        return found

    def close(self) -> None:
        """Close the connection."""
        self._db.close()
