"""The workbook port: the narrow interface every action uses to read and write sheets.

Two adapters implement it: :class:`stac_xl.book.file.FileWorkbook` (an .xlsx/.xlsm file,
read with python-calamine, for the CLI and tests) and :class:`stac_xl.book.live.LiveWorkbook`
(xlwings, the book the ribbon was clicked in). Code above the port never imports
python-calamine or xlwings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from stac_xl.book.table import Table


@dataclass(frozen=True)
class CellMark:
    """A problem (or a hand correction) to show on one cell: 1-based row and column."""

    row: int
    column: int
    kind: str  # "error", "warning" or "edited"
    note: str = ""


class WorkbookPort(Protocol):
    """What actions need from a workbook, and nothing more."""

    def sheet_names(self) -> list[str]:
        """Names of the sheets, in tab order."""
        ...

    def read_grid(self, sheet: str) -> list[list[Any]]:
        """All used cells of ``sheet`` as rows (row 1 first), trailing empty rows/cells trimmed.

        Values are ``str``, ``int``/``float``, ``date``/``datetime``, ``bool`` or ``None``.
        Raises ``WorkbookError`` if the sheet is missing.
        """
        ...

    def write_table(self, sheet: str, table: Table, *, hidden_columns: Sequence[str] = ()) -> None:
        """Replace the contents of ``sheet`` with ``table``: header row, formats by kind,
        frozen header, filter, readable widths. Text starting with = + - @ stays text."""
        ...

    def write_grid(
        self, sheet: str, rows: list[list[Any]], *, start_row: int = 1, start_column: int = 1, clear: bool = False
    ) -> None:
        """Write plain rows with their top-left cell at (``start_row``, ``start_column``).

        For small blocks: Settings, Mapping, Lookups, Log, the checks next to Export.
        ``clear`` first empties the whole sheet (Load preset replaces Mapping this way).
        Text starting with = + - @ stays text here too."""
        ...

    def hide_sheet(self, sheet: str) -> None:
        """Hide ``sheet`` from the tab bar (Preview's *Export base* is for us, not the clerk)."""
        ...

    def mark_cells(self, sheet: str, marks: Sequence[CellMark]) -> None:
        """Highlight cells (colour by kind) and attach the note as a comment."""
        ...

    def status(self, message: str) -> None:
        """Show progress: the Excel status bar, or a line on stderr for the CLI."""
        ...

    def save(self) -> None:
        """Persist the changes (the file adapter writes atomically; live Excel: no-op)."""
        ...
