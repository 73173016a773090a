"""``stac-xl batches``: the ledger's batches as the clerk asks about them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from stac_xl.actions.ledger import Batch, ExportLedger
from stac_xl.actions.ledger.session import ledger_session
from stac_xl.book import layout
from stac_xl.book.port import WorkbookPort
from stac_xl.settings import read_settings

HEADER = ("Batch", "When", "Who", "Invoices", "Gross", "State", "File")


@dataclass
class BatchList:
    """Every batch in the ledger the workbook uses, oldest first, and what opening it put right."""

    where: str
    batches: list[Batch]
    recovered: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """A header and one aligned line per batch."""
        rows = [HEADER] + [(str(b.id), f"{b.created:%Y-%m-%d %H:%M}", f"{b.user}@{b.machine}", str(b.invoices),
                            f"{b.money.gross:,.2f}", b.state.value + (" (re-export)" if b.reexport else ""),
                            b.file_path) for b in self.batches]
        widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER) - 1)]
        return ["  ".join([*(c.ljust(w) for c, w in zip(r[:-1], widths)), r[-1]]).rstrip() for r in rows]


def list_batches(book: WorkbookPort, *, ledger: ExportLedger | None = None, workbook: str | None = None,
                 env: Mapping[str, str] | None = None, now: datetime | None = None) -> BatchList:
    """The ledger's batches; the book is saved if its Log had to catch up."""
    settings = read_settings(book.read_grid(layout.SETTINGS))
    with ledger_session(book, settings, now=now or datetime.now(), ledger=ledger, workbook=workbook,
                        env=env) as session:
        found = BatchList(session.ledger.where, session.ledger.batches(), list(session.recovered))
    if found.recovered:
        book.save()
    return found
