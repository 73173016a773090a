"""The export ledger: what was exported, when, by whom, into which file — for good.

The source of truth for "has this invoice been put into the books already?". A batch goes
``writing`` (recorded with its intended file before the file exists) → ``exported`` (the
file is in place) → ``confirmed`` (the clerk says the import worked), or ``voided`` (Undo
export, or an import that failed). The *Log* sheet is the clerk's view of it.

Everything above this package talks to :class:`ExportLedger`, a small interface, so a
shared server-backed ledger for several clerks can follow; today there is SQLite only
(:mod:`stac_xl.actions.ledger.store`), in the user's data folder unless the ``STAC_LEDGER``
environment variable or the *Ledger* setting names another file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from stac_xl.settings import Settings

ENV_LEDGER = "STAC_LEDGER"
LEDGER_FILE = "ledger.sqlite3"
APP_NAME = "stac_xl"


class State(StrEnum):
    """Where a batch is in its life; the values are stored and shown as they are."""

    WRITING = "writing"
    EXPORTED = "exported"
    CONFIRMED = "confirmed"
    VOIDED = "voided"


#: The states in which a batch's invoices count as in the books (or on their way there).
ACTIVE = (State.WRITING, State.EXPORTED, State.CONFIRMED)


@dataclass(frozen=True)
class Actor:
    """Who does something, as the ledger records it: the OS user, the machine, the process."""

    user: str
    machine: str
    pid: int


def this_actor() -> Actor:
    """The user and machine running this process."""
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment nor the password database
        user = "unknown"
    return Actor(user, socket.gethostname(), os.getpid())


@dataclass(frozen=True)
class InvoiceEntry:
    """One invoice of a batch: its ServiceTrade id and number, a hash of the ServiceTrade
    data that made its records (``snapshot``, the fields as text, to tell what changed
    later), and a hash of the records written for it."""

    invoice_id: str
    number: str
    content_hash: str
    records_hash: str
    snapshot: str = ""  # JSON
    reexport_of: int | None = None


@dataclass(frozen=True)
class Money:
    """Net, tax and gross of a batch, from the records written."""

    net: Decimal = Decimal("0.00")
    tax: Decimal = Decimal("0.00")
    gross: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class BatchDraft:
    """A batch about to be written: everything known before its file exists."""

    scope: str          # which ServiceTrade account and target profile the invoices go to
    workbook: str
    profile: str
    file_path: str
    file_sha256: str
    records: int
    lines: int
    money: Money
    invoices: Sequence[InvoiceEntry]
    mapping_snapshot: str = ""  # JSON of the Mapping sheet's cells
    lookups_snapshot: str = ""
    reexport: bool = False


@dataclass(frozen=True)
class Batch:
    """A batch as the ledger holds it."""

    id: int
    created: datetime
    user: str
    machine: str
    pid: int
    workbook: str
    scope: str
    profile: str
    file_path: str
    file_sha256: str
    invoices: int
    records: int
    lines: int
    money: Money
    state: State
    reexport: bool
    note: str = ""


@dataclass(frozen=True)
class PriorExport:
    """The batch an invoice is already in (the latest one, if several)."""

    invoice_id: str
    number: str
    batch_id: int
    state: State
    created: datetime
    user: str
    content_hash: str
    snapshot: str


@dataclass(frozen=True)
class BatchInvoice:
    """An invoice of a batch, with what Confirm last did to it in ServiceTrade."""

    invoice_id: str
    number: str
    status_sent: str = ""   # the status ServiceTrade accepted, e.g. "processed"
    status_error: str = ""  # why the last attempt failed


@dataclass(frozen=True)
class StatusResult:
    """The outcome of one write-back: ``error`` empty when ServiceTrade took ``status``."""

    invoice_id: str
    status: str
    error: str = ""


@dataclass
class Reconciled:
    """What opening the ledger found and put right, in sentences for the clerk."""

    messages: list[str] = field(default_factory=list)


class AlreadyExported(Exception):
    """Raised by :meth:`ExportLedger.begin`: invoices of the draft are in active batches."""

    def __init__(self, priors: Sequence[PriorExport]):
        super().__init__(f"{len(priors)} invoices already exported")
        self.priors = list(priors)


class ExportLedger(Protocol):
    """What the actions need from a ledger. Every write is one transaction that takes the
    ledger's write lock first, so two exports cannot both claim an invoice."""

    where: str  # the ledger's location, for messages

    def begin(self, draft: BatchDraft, *, at: datetime, actor: Actor) -> int:
        """Record ``draft`` as a ``writing`` batch and return its id; :class:`AlreadyExported`
        if any of its invoices is in an active batch of the same scope and the draft is
        not a re-export."""
        ...

    def finish(self, batch_id: int, *, at: datetime, actor: Actor, note: str = "",
               before_commit: Callable[[], None] | None = None) -> None:
        """``writing`` → ``exported``: the file is in place."""
        ...

    def discard(self, batch_id: int, *, at: datetime, actor: Actor, note: str) -> None:
        """Remove a ``writing`` batch whose file was never made (its invoices are free again)."""
        ...

    def set_state(self, batch_id: int, state: State, *, allowed: Sequence[State], at: datetime,
                  actor: Actor, note: str = "", file_path: str | None = None) -> Batch:
        """Move a batch to ``state`` if it is in one of ``allowed``; returns it as it was before."""
        ...

    def record_statuses(self, batch_id: int, results: Sequence[StatusResult], *, at: datetime) -> None:
        """Remember what ServiceTrade said to each write-back of the batch's invoices."""
        ...

    def batch(self, batch_id: int) -> Batch | None:
        """One batch, or None."""
        ...

    def batches(self, *, workbook: str | None = None, states: Sequence[State] = ()) -> list[Batch]:
        """Batches, oldest first; only ``workbook``'s and those ``states`` when given."""
        ...

    def batch_invoices(self, batch_id: int) -> list[BatchInvoice]:
        """The invoices of a batch, in file order."""
        ...

    def prior_exports(self, scope: str, invoice_ids: Sequence[str]) -> dict[str, PriorExport]:
        """For each of ``invoice_ids`` in an active batch of ``scope``: its latest such batch."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


def scope_of(settings: Settings) -> str:
    """Which books an export goes to: the ServiceTrade account (Base URL) and the target
    profile. An invoice is exported once per scope; the sandbox's invoices never block
    ServiceTrade's, nor one accounting system's export another's."""
    return f"{settings.base_url.rstrip('/')} {settings.target_profile}"


def default_ledger_file() -> Path:
    """The ledger in the user's data folder (created when first used)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False)) / LEDGER_FILE


def ledger_file(setting: str, env: Mapping[str, str] | None = None) -> Path:
    """``STAC_LEDGER``, then the *Ledger* setting, then the user's data folder."""
    env = os.environ if env is None else env
    chosen = env.get(ENV_LEDGER, "").strip() or setting.strip()
    return Path(chosen).expanduser() if chosen else default_ledger_file()


def open_ledger(path: Path) -> ExportLedger:
    """The SQLite ledger at ``path`` (made, with its folder, when missing)."""
    from stac_xl.actions.ledger.store import SqliteLedger

    return SqliteLedger(path)
