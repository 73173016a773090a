"""The *Log* sheet: one row per action the clerk ran, newest last.

The clerk's view of what happened to this workbook; what was exported is recorded for good
in the export ledger, and the *Log* sheet shows it: a row about a batch carries the batch's
number in the *Batch* column, so a Log that is behind the ledger (a workbook that could
not be saved after an export) can be caught up (:func:`logged_batches`).
"""

from __future__ import annotations

from datetime import datetime

from stac_xl.book import layout
from stac_xl.book.port import WorkbookPort
from stac_xl.book.values import as_text

ACTION_COLUMN = layout.LOG_HEADER.index("Action")
BATCH_COLUMN = layout.LOG_HEADER.index("Batch")


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
    batch: int | None = None,
) -> None:
    """Add one row under the last used row of the *Log* sheet (and the *Batch* header, on
    a Log made before that column existed)."""
    grid = book.read_grid(layout.LOG)
    if not grid or len(grid[0]) < len(layout.LOG_HEADER):
        book.write_grid(layout.LOG, [list(layout.LOG_HEADER)])
    when = (now or datetime.now()).replace(microsecond=0)
    row = [when, action, file, invoices, lines, net, tax, gross, sha256, note, batch]
    book.write_grid(layout.LOG, [row], start_row=max(len(grid), 1) + 1)


def logged_batches(book: WorkbookPort) -> set[tuple[str, int]]:
    """(action, batch number) of every Log row that names a batch."""
    found = set()
    for row in book.read_grid(layout.LOG)[1:]:
        if len(row) <= BATCH_COLUMN:
            continue
        text = as_text(row[BATCH_COLUMN]).strip()
        if text.isdigit():
            found.add((as_text(row[ACTION_COLUMN]).strip(), int(text)))
    return found
