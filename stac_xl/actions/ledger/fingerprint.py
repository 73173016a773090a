"""The fingerprint Preview stamps on *Export* and Export checks: the Export sheet is what was
previewed, and only that.

It hashes the sheets Preview builds from: *Invoices*, *Mapping*, *Lookups*, and the rows of
*Settings* that Preview reads (a row only Fetch, Export or Confirm reads, such as Output
folder or Days to fetch, may change in between without a new Preview).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stac_xl.book import layout
from stac_xl.book.export_sheet import changed_parts, fingerprint, read_fingerprint
from stac_xl.book.port import WorkbookPort
from stac_xl.book.values import cell_text
from stac_xl.errors import ExportError

if TYPE_CHECKING:
    from stac_xl.actions.profile import ExportProfile


def _previewed_settings(grid: list[list[Any]]) -> list[list[Any]]:
    """The Setting and Value cells of the rows Preview reads (not Notes: only words)."""
    from stac_xl import settings

    skipped = {settings.FETCH, settings.EXPORT, settings.CONFIRM, settings.LEDGER_USERS}
    rows = []
    for row in grid[1:]:
        name = cell_text(row[0]) if row else ""
        if name and settings.read_by(name) not in skipped:
            rows.append(list(row[:2]))
    return rows


def current_fingerprint(book: WorkbookPort, invoices_grid: list[list[Any]] | None = None,
                        profile: ExportProfile | None = None) -> str:
    """The fingerprint of the book's sheets as they are now. ``profile`` holds the Mapping,
    Lookups and Settings grids the action has read already: an action reads each sheet once."""
    return fingerprint({
        layout.INVOICES: invoices_grid if invoices_grid is not None else book.read_grid(layout.INVOICES),
        layout.MAPPING: profile.mapping_grid if profile else book.read_grid(layout.MAPPING),
        layout.LOOKUPS: profile.lookups_grid if profile else book.read_grid(layout.LOOKUPS),
        layout.SETTINGS: _previewed_settings(profile.settings_grid if profile else book.read_grid(layout.SETTINGS)),
    })


def refuse_if_stale(book: WorkbookPort, export_grid: list[list[Any]], invoices_grid: list[list[Any]],
                    profile: ExportProfile | None = None) -> None:
    """ExportError, in one sentence, when the Export sheet was not built from the sheets as
    they are now (or carries no fingerprint: it was not made by Preview)."""
    stamped = read_fingerprint(export_grid)
    changed = changed_parts(stamped or "", current_fingerprint(book, invoices_grid, profile))
    if not changed:
        return
    if stamped is None:
        raise ExportError("The Export sheet was not made by Preview: click Preview, check, then Export.")
    names = " and ".join([", ".join(changed[:-1]), changed[-1]] if len(changed) > 1 else changed)
    raise ExportError(f"{names} changed since the last Preview: click Preview, check, then Export.")
