"""The *Log* sheet: one row per action the clerk ran, newest last.

The clerk's view of what happened to this workbook; what was exported is recorded for good
in the export ledger, and the *Log* sheet shows it.
"""

from __future__ import annotations

from datetime import datetime

from stac_xl.book import layout
from stac_xl.book.port import WorkbookPort


def append_log(
    book: WorkbookPort,
    *,
    action: str,
    note: str,
    now: datetime | None = None,
    file: str = "",
    invoices: int | None = None,
    lines: int | None = None,
    net: object = None,
    tax: object = None,
    gross: object = None,
    sha256: str = "",
) -> None:
    """Add one row under the last used row of the *Log* sheet."""
    grid = book.read_grid(layout.LOG)
    when = (now or datetime.now()).replace(microsecond=0)
    row = [when, action, file, invoices, lines, net, tax, gross, sha256, note]
    book.write_grid(layout.LOG, [row], start_row=max(len(grid), 1) + 1)
