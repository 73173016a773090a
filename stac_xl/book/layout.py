"""The layout of a STAC workbook: sheet names, their headers, and what a new book holds.

Both adapters build a new workbook from :func:`new_workbook_layout` and recognise an
existing one with :func:`stac_workbook_problem`, so the ribbon and the CLI agree on what a
STAC workbook is. Nothing here knows about openpyxl or xlwings: a sheet is a grid of plain
values plus a few presentation hints (which rows are headers or titles, widths, freeze).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from stac_xl.settings import HEADER as SETTINGS_HEADER
from stac_xl.settings import SETTINGS_ROWS
from stac_xl.settings import SHEET as SETTINGS_SHEET

SETTINGS = SETTINGS_SHEET
MAPPING = "Mapping"
LOOKUPS = "Lookups"
INVOICES = "Invoices"
EXPORT = "Export"
LOG = "Log"

# Hidden, made by Fetch: what it wrote on Invoices (a hash per row) and the clerk's
# corrections there, so the next Fetch keeps them (see stac_xl.invoices.corrections).
INVOICES_FETCHED = "Invoices fetched"
INVOICES_CORRECTIONS = "Invoices corrections"

#: The sheets of a STAC workbook, in tab order.
SHEET_ORDER: tuple[str, ...] = (SETTINGS, MAPPING, LOOKUPS, INVOICES, EXPORT, LOG)

#: Settings!A1 must hold this for the book to count as a STAC workbook.
SETTINGS_A1 = SETTINGS_HEADER[0]

RECORDS_TITLE = "Records"
RECORDS_HEADER: tuple[str, ...] = ("Record", "When", "Header row", "Only if", "Notes")
RULES_TITLE = "Rules"
RULES_HEADER: tuple[str, ...] = (
    "Record", "Field", "Source", "Transform", "Default", "Required", "Max length", "Notes",
)

LOOKUP_TITLE_PREFIX = "Table: "
LOOKUP_HEADER: tuple[str, ...] = ("Key", "Value")
SAMPLE_LOOKUP_NAME = "ServiceLineGL"
# Example rows so the clerk sees the shape; a rule only uses them if it names the table.
SAMPLE_LOOKUP_ROWS: tuple[tuple[str, str], ...] = (("Sprinkler", "4010"), ("Fire Alarm", "4020"))

LOG_HEADER: tuple[str, ...] = (
    "Time", "Action", "File", "Invoices", "Lines", "Net", "Tax", "Gross", "SHA-256", "Note", "Batch",
)

NEW_WORKBOOK_HINT = "Create one with: stac-xl new BOOK.xlsx"


@dataclass(frozen=True)
class SheetLayout:
    """One sheet of a new STAC workbook: its cells and how to present them.

    ``header_rows`` and ``title_rows`` are 1-based row numbers (headers get bold text on a
    fill, titles bold text only); ``widths`` are column widths in characters, column A
    first; ``freeze`` is the top-left cell of the scrolling pane, or None for no freeze.
    """

    name: str
    rows: list[list[Any]] = field(default_factory=list)
    header_rows: tuple[int, ...] = ()
    title_rows: tuple[int, ...] = ()
    widths: tuple[int, ...] = ()
    freeze: str | None = None


def lookup_title(name: str) -> str:
    """The title cell text that introduces the Lookups table called ``name``."""
    return f"{LOOKUP_TITLE_PREFIX}{name}"


def _settings() -> SheetLayout:
    rows: list[list[Any]] = [list(SETTINGS_HEADER)]
    rows += [[name, value, note] for name, value, note in SETTINGS_ROWS]
    return SheetLayout(SETTINGS, rows, header_rows=(1,), widths=(22, 34, 90), freeze="A2")


def _mapping() -> SheetLayout:
    rows: list[list[Any]] = [
        [RECORDS_TITLE],
        list(RECORDS_HEADER),
        [],  # the Records section ends at the first empty row
        [RULES_TITLE],
        list(RULES_HEADER),
    ]
    return SheetLayout(
        MAPPING, rows, header_rows=(2, 5), title_rows=(1, 4),
        widths=(14, 18, 30, 26, 14, 10, 11, 40),
    )


def _lookups() -> SheetLayout:
    rows: list[list[Any]] = [[lookup_title(SAMPLE_LOOKUP_NAME)], list(LOOKUP_HEADER)]
    rows += [list(r) for r in SAMPLE_LOOKUP_ROWS]
    return SheetLayout(LOOKUPS, rows, header_rows=(2,), title_rows=(1,), widths=(24, 24))


def _log() -> SheetLayout:
    return SheetLayout(
        LOG, [list(LOG_HEADER)], header_rows=(1,),
        widths=(17, 12, 40, 9, 7, 12, 10, 12, 66, 40, 7), freeze="A2",
    )


def styled_rows(sheet: str, rows: list[list[Any]]) -> tuple[list[int], list[int]]:
    """(header rows, title rows), 1-based, of a grid written to a known sheet.

    Used when a whole sheet is rewritten (Load preset): a title is a ``Records``/``Rules``
    cell on Mapping or a ``Table: …`` cell on Lookups, and the row after a title is its
    header; Settings and Log have a header in row 1.
    """
    if sheet in (SETTINGS, LOG):
        return ([1] if rows else []), []
    if sheet not in (MAPPING, LOOKUPS):
        return [], []
    titles = [
        number for number, row in enumerate(rows, start=1)
        if row and isinstance(row[0], str)
        and (row[0] in (RECORDS_TITLE, RULES_TITLE) if sheet == MAPPING else row[0].startswith(LOOKUP_TITLE_PREFIX))
    ]
    return [t + 1 for t in titles if t < len(rows)], titles


def widths_of(sheet: str) -> tuple[int, ...]:
    """A new workbook's column widths for ``sheet`` (none for sheets Fetch/Preview write)."""
    return next((sl.widths for sl in new_workbook_layout() if sl.name == sheet), ())


def new_workbook_layout() -> list[SheetLayout]:
    """Every sheet of a fresh STAC workbook, in tab order.

    Invoices and Export start empty: Fetch and Preview write them.
    """
    return [
        _settings(), _mapping(), _lookups(),
        SheetLayout(INVOICES), SheetLayout(EXPORT),
        _log(),
    ]


def new_workbook_grids() -> dict[str, list[list[Any]]]:
    """The cell values of a fresh STAC workbook: sheet name → rows, in tab order."""
    return {sheet.name: [list(r) for r in sheet.rows] for sheet in new_workbook_layout()}


def stac_workbook_problem(sheet_names: Sequence[str], settings_a1: Any) -> str | None:
    """Why a workbook is not a STAC workbook (a short parenthesis-ready phrase), or None.

    ``settings_a1`` is the value of Settings!A1 (ignored when there is no Settings sheet).
    """
    if SETTINGS not in sheet_names:
        return f"no {SETTINGS} sheet"
    if not isinstance(settings_a1, str) or settings_a1.strip() != SETTINGS_A1:
        return f"{SETTINGS}!A1 is not '{SETTINGS_A1}'"
    if MAPPING not in sheet_names:
        return f"no {MAPPING} sheet"
    return None


def is_stac_workbook(sheet_names: Sequence[str], settings_a1: Any) -> bool:
    """True if the sheets make a STAC workbook: Settings with A1 'Setting', and Mapping."""
    return stac_workbook_problem(sheet_names, settings_a1) is None


def not_stac_message(book: str, sheet_names: Sequence[str], settings_a1: Any) -> str | None:
    """The clerk's sentence for a book that is not a STAC workbook, or None if it is one."""
    problem = stac_workbook_problem(sheet_names, settings_a1)
    if problem is None:
        return None
    return f"{book} is not a STAC workbook ({problem}). {NEW_WORKBOOK_HINT}"
