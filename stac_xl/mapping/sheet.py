"""The *Mapping* sheet read into record types and rules, each with its sheet row.

Layout (docs/internals.md, "Sheet layouts")::

    Records
    Record  | When        | Header row | Only if     | Notes
    TRNS    | invoice     | no         |             |
    SPL tax | invoice end | no         | [tax total] |
    ...
    Rules
    Record | Field | Source | Transform | Default | Required | Max length | Notes
    TRNS   | DATE  | Transaction date | date(MM/DD/YY) | | yes | |

Columns are found by their header text, so a clerk may reorder or add columns; *Only if* may
be missing altogether (sheets made before it existed read as before). Empty rows
are skipped. Nothing is compiled here: a cell that is wrong on its face (When, Header row,
Required, Max length) becomes a ``MappingError`` in the returned list, and reading goes on
so the clerk sees every problem at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from stac_xl.book.cells import column_letter
from stac_xl.book.values import cell_text, yes_or_no
from stac_xl.errors import MappingError
from stac_xl.records import Grain

SHEET = "Mapping"
RECORD_HEADERS = ("Record", "When", "Header row", "Notes")
# Optional Records columns: found by header like the others, never asked for in a message.
OPTIONAL_RECORD_HEADERS = ("Only if",)
RULE_HEADERS = ("Record", "Field", "Source", "Transform", "Default", "Required", "Max length", "Notes")


def is_empty_row(row: Sequence[Any]) -> bool:
    """True if every cell is empty or blank."""
    return all(cell_text(c) == "" for c in row)


@dataclass(frozen=True)
class RecordRow:
    """A record type from the Records list. ``only_if`` is the raw *Only if* cell (a Source:
    the record is written only when that value is there), None when empty or absent."""

    name: str
    grain: Grain
    header: bool
    row: int
    only_if: Any = None


@dataclass(frozen=True)
class RuleRow:
    """One rule: how one field of one record gets its value. ``source`` is the raw cell
    (a number typed in Source is a literal)."""

    record: str
    field: str
    source: Any
    transform: str
    default: str | None
    required: bool
    max_length: int | None
    row: int


@dataclass
class MappingSheet:
    """What the Mapping sheet says, and where: ``columns`` maps a header to its letter."""

    records: list[RecordRow] = field(default_factory=list)
    rules: list[RuleRow] = field(default_factory=list)
    record_columns: dict[str, str] = field(default_factory=dict)
    rule_columns: dict[str, str] = field(default_factory=dict)
    readable: bool = True  # False when a title or header row is missing: rules cannot be checked

    def error(self, message: str, row: int, header: str, *, rules: bool = True) -> MappingError:
        """A MappingError at the cell of ``header`` in sheet row ``row``."""
        letters = self.rule_columns if rules else self.record_columns
        return MappingError(message, sheet=SHEET, row=row, column=letters.get(header, "A"))


def _find_title(grid: Sequence[Sequence[Any]], title: str, start: int) -> int | None:
    for index in range(start, len(grid)):
        if grid[index] and cell_text(grid[index][0]).lower() == title.lower():
            return index
    return None


def _header_letters(row: Sequence[Any], expected: Sequence[str], needed: Sequence[str],
                    row_number: int, errors: list[MappingError], optional: Sequence[str] = ()) -> dict[str, int]:
    """Header text → column index; a missing needed header is an error at that row."""
    found = {cell_text(c).lower(): i for i, c in enumerate(row) if cell_text(c)}
    positions = {name: found[name.lower()] for name in (*expected, *optional) if name.lower() in found}
    missing = [name for name in needed if name not in positions]
    if missing:
        errors.append(MappingError(
            f"the header row must read {' | '.join(expected)}; {', '.join(missing)} is missing.",
            sheet=SHEET, row=row_number, column="A"))
    return positions


def _cell(row: Sequence[Any], positions: dict[str, int], header: str) -> Any:
    index = positions.get(header)
    return row[index] if index is not None and index < len(row) else None


def _yes_no(value: Any, what: str, where: tuple[int, str], sheet: MappingSheet, rules: bool,
            errors: list[MappingError]) -> bool:
    if cell_text(value) == "":
        return False  # an empty Required or Header row cell means no
    flag = yes_or_no(value)
    if flag is None:
        errors.append(sheet.error(f"{what} must be yes or no, not '{cell_text(value)}'.", where[0], where[1], rules=rules))
        return False
    return flag


def _max_length(value: Any, row: int, sheet: MappingSheet, errors: list[MappingError]) -> int | None:
    text = cell_text(value)
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        errors.append(sheet.error(f"Max length must be a whole number above 0, or empty; not '{text}'.", row, "Max length"))
        return None
    return int(text)


def _read_records(grid: Sequence[Sequence[Any]], start: int, stop: int, sheet: MappingSheet,
                  errors: list[MappingError]) -> None:
    header_index = start + 1
    header = grid[header_index] if header_index < stop else []
    positions = _header_letters(header, RECORD_HEADERS, ("Record", "When"), header_index + 1, errors,
                                OPTIONAL_RECORD_HEADERS)
    sheet.record_columns = {name: column_letter(i + 1) for name, i in positions.items()}
    if "Record" not in positions or "When" not in positions:
        sheet.readable = False  # every row would repeat the header's error
        return
    grains = {g.value: g for g in Grain}
    for index in range(header_index + 1, stop):
        row, number = grid[index], index + 1
        if is_empty_row(row):
            continue
        name = cell_text(_cell(row, positions, "Record"))
        when = cell_text(_cell(row, positions, "When"))
        if not name:
            errors.append(sheet.error("the record needs a name in the Record column.", number, "Record", rules=False))
            continue
        grain = grains.get(" ".join(when.lower().split()))
        if grain is None:
            errors.append(sheet.error(
                f"When must be one of {', '.join(grains)}; not '{when}'.", number, "When", rules=False))
            grain = Grain.INVOICE
        header_flag = _yes_no(_cell(row, positions, "Header row"), "Header row", (number, "Header row"),
                              sheet, False, errors)
        only_if = _cell(row, positions, "Only if")
        if isinstance(only_if, str):
            only_if = only_if.strip() or None
        sheet.records.append(RecordRow(name, grain, header_flag, number, only_if))


def _read_rules(grid: Sequence[Sequence[Any]], start: int, sheet: MappingSheet, errors: list[MappingError]) -> None:
    header_index = start + 1
    header = grid[header_index] if header_index < len(grid) else []
    needed = ("Record", "Field", "Source")
    positions = _header_letters(header, RULE_HEADERS, needed, header_index + 1, errors)
    sheet.rule_columns = {name: column_letter(i + 1) for name, i in positions.items()}
    if any(name not in positions for name in needed):
        sheet.readable = False
        return
    for index in range(header_index + 1, len(grid)):
        row, number = grid[index], index + 1
        cells = {name: _cell(row, positions, name) for name in RULE_HEADERS}
        if all(cell_text(cells[h]) == "" for h in RULE_HEADERS[:7]):
            continue  # an empty row, or a row holding only a note
        default = cell_text(cells["Default"])
        sheet.rules.append(RuleRow(
            record=cell_text(cells["Record"]),
            field=cell_text(cells["Field"]),
            source=cells["Source"].strip() if isinstance(cells["Source"], str) else cells["Source"],
            transform=cell_text(cells["Transform"]),
            default=default or None,
            required=_yes_no(cells["Required"], "Required", (number, "Required"), sheet, True, errors),
            max_length=_max_length(cells["Max length"], number, sheet, errors),
            row=number,
        ))


def read_mapping_sheet(grid: Sequence[Sequence[Any]]) -> tuple[MappingSheet, list[MappingError]]:
    """Read the Records and Rules sections; return them with every error found on the way."""
    sheet, errors = MappingSheet(), []
    records_at = _find_title(grid, "Records", 0)
    if records_at is None:
        errors.append(MappingError("there is no 'Records' title in column A; "
                                   "the sheet starts with Records, then Rules.", sheet=SHEET))
        sheet.readable = False
        return sheet, errors
    rules_at = _find_title(grid, "Rules", records_at + 1)
    if rules_at is None:
        errors.append(MappingError("there is no 'Rules' title in column A below the Records list.", sheet=SHEET))
        sheet.readable = False
        return sheet, errors
    _read_records(grid, records_at, rules_at, sheet, errors)
    _read_rules(grid, rules_at, sheet, errors)
    return sheet, errors
