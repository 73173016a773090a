"""Opening the ledger for an action: the right file, settled, and the Log caught up.

Every action that uses the ledger (Preview, Export, Confirm import, Undo export, the list
of batches) starts here, so "the next command reconciles what it finds" holds for each of
them, and each tells the clerk (on the status line, and in its result) what it put right.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from stac_xl.actions.ledger import Actor, ExportLedger, ledger_file, open_ledger, this_actor
from stac_xl.actions.ledger.recover import catch_up_log, reconcile
from stac_xl.book.port import WorkbookPort
from stac_xl.settings import Settings


@dataclass
class LedgerSession:
    """The ledger an action works with, who is acting, and what opening it put right."""

    ledger: ExportLedger
    workbook: str
    actor: Actor
    recovered: list[str] = field(default_factory=list)


def workbook_name(book: WorkbookPort, given: str | None = None) -> str:
    """How the ledger names a workbook: the given name, else the file's full path."""
    if given:
        return given
    path = getattr(book, "path", None)
    if isinstance(path, Path):
        return str(path.resolve())
    return str(getattr(book, "name", "") or "")


@contextmanager
def ledger_session(book: WorkbookPort, settings: Settings, *, now: datetime, ledger: ExportLedger | None = None,
                   workbook: str | None = None, env: Mapping[str, str] | None = None,
                   actor: Actor | None = None) -> Iterator[LedgerSession]:
    """The ledger (``ledger``, else the one the settings and environment name), settled and
    with the book's *Log* caught up; closed at the end if opened here."""
    owned = ledger is None
    opened = ledger if ledger is not None else open_ledger(ledger_file(settings.ledger, env))
    try:
        session = LedgerSession(opened, workbook_name(book, workbook), actor or this_actor())
        session.recovered += reconcile(opened, actor=session.actor, now=now)
        session.recovered += catch_up_log(book, opened, workbook=session.workbook, now=now)
        for message in session.recovered:
            book.status(message)
        yield session
    finally:
        if owned:
            opened.close()
