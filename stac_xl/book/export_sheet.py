"""The *Export* sheet: output records as rows the clerk can read and correct.

Layout: ``Record`` | one column per field position | ``Issues`` | hidden ``Invoice id``,
``Line id``, ``Record no``. Records of different types share field positions (a Sage 300
``I`` row and a ``D`` row differ), so a position's header lists the distinct field names there.

The file's record order is the hidden *Record no* (Preview numbers the records in file
order), never the order of the rows: a clerk sorts and filters with the filter buttons, and
an IIF file sorted by record type would be all ENDTRNS, then all SPL, then all TRNS.
:func:`read_export_sheet` gives the records in that order with the sheet row of each, so a
problem still names the cell the clerk sees.

Preview also stamps the sheet with a *fingerprint* of the Invoices, Mapping, Lookups and
Settings it was built from (:func:`fingerprint`, in the checks block beside the table), so
Export can refuse a sheet that no longer matches them.

Hand corrections survive the next Preview, and Export checks the sheet's rows against what
Preview made: see :mod:`stac_xl.book.export_base`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stac_xl.book.cells import cell_name
from stac_xl.book.table import Column, ColumnKind, Table
from stac_xl.book.values import as_text
from stac_xl.invoices import columns as C
from stac_xl.problems import Problem
from stac_xl.records import OutputRecord, RecordSpec

SHEET = "Export"  # the layout's name for the sheet (book.layout.EXPORT)
EXPORT_BASE = "Export base"  # hidden: what Preview computed, to tell the clerk's edits apart
RECORD = "Record"
ISSUES = "Issues"
# The hidden keys: which invoice and line each record came from, named as on *Invoices*.
INVOICE_ID = C.INVOICE_ID
LINE_ID = C.LINE_ID
RECORD_NO = "Record no"  # the record's place in the file, 1 first
KEY_COLUMNS = (INVOICE_ID, LINE_ID, RECORD_NO)
FINGERPRINT = "Built from"  # the checks block's label of the fingerprint

# Where a record's values sit: row 1 is the header, record ``i`` (0-based, file order as
# Preview wrote it) is on row ``FIRST_RECORD_ROW + i``; column 1 is the record type and field
# position ``j`` is in column ``FIRST_FIELD_COLUMN + j``.
FIRST_RECORD_ROW = 2
RECORD_COLUMN = 1
FIRST_FIELD_COLUMN = 2

def record_cell(record_index: int, field_index: int | None) -> tuple[int, int]:
    """(row, column) of a record's field on the sheet; its Record cell when ``field_index`` is None."""
    column = RECORD_COLUMN if field_index is None else FIRST_FIELD_COLUMN + field_index
    return FIRST_RECORD_ROW + record_index, column


def row_cell(row: int) -> str:
    """``Export!A7``: the Record cell of a sheet row, for a problem with no record of its own."""
    return cell_name(SHEET, row, RECORD_COLUMN)


def problem_cell(problem: Problem, rows: Sequence[int] | None = None) -> str:
    """The Export cell a problem is about, e.g. ``Export!D12`` (empty when it is about no
    cell: an invoice left out): its own cell, else its record's field. ``rows``: the sheet
    row of each record, when the sheet was sorted (default: file order from row 2, as
    Preview writes it)."""
    if problem.cell is not None:
        return problem.cell
    if problem.record_index is None:
        return ""
    row, column = record_cell(problem.record_index, problem.field_index)
    if rows is not None and problem.record_index < len(rows):
        row = rows[problem.record_index]
    return cell_name(SHEET, row, column)


def field_headers(specs: Sequence[RecordSpec]) -> list[str]:
    """Header per field position: the field name, or 'A / B' where record types differ."""
    width = max((len(s.fields) for s in specs), default=0)
    headers = []
    for i in range(width):
        names: list[str] = []
        for spec in specs:
            if i < len(spec.fields) and spec.fields[i].name not in names:
                names.append(spec.fields[i].name)
        headers.append(" / ".join(names))
    return headers


def records_to_table(specs: Sequence[RecordSpec], records: Sequence[OutputRecord]) -> Table:
    """The Export sheet for ``records`` (every field a text column: '00123' stays)."""
    headers = field_headers(specs)
    columns = [Column(RECORD, ColumnKind.TEXT, width=8)]
    columns += [Column(h or f"Field {i + 1}", ColumnKind.TEXT) for i, h in enumerate(headers)]
    columns += [Column(ISSUES, ColumnKind.TEXT, width=50), Column(INVOICE_ID, ColumnKind.TEXT),
                Column(LINE_ID, ColumnKind.TEXT), Column(RECORD_NO, ColumnKind.INTEGER)]
    pad = len(headers)
    rows = [
        [r.record, *r.values, *[""] * (pad - len(r.values)), "; ".join(r.issues), r.invoice_id or "", r.line_id or "", n]
        for n, r in enumerate(records, start=1)
    ]
    return Table(columns, rows)


@dataclass
class SheetRecords:
    """The Export sheet read back: records in file order (by *Record no*), the sheet row,
    the Record no and the Issues text of each, and the rows that cannot be placed in the
    file (no or a repeated *Record no*)."""

    records: list[OutputRecord]
    rows: list[int]
    problems: list[Problem]
    numbers: list[int] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)

    def cell(self, record_index: int, field_index: int | None) -> tuple[int, int]:
        """(row, column) on the sheet of a record's field (its Record cell when None)."""
        _, column = record_cell(record_index, field_index)
        return self.rows[record_index], column

    def by_number(self) -> dict[int, OutputRecord]:
        """Record no → record."""
        return dict(zip(self.numbers, self.records))


def _record_no(text: str) -> int | None:
    try:
        number = int(float(text)) if text else None
    except ValueError:
        return None
    return number if number is not None and number > 0 else None


def read_export_sheet(grid: list[list[Any]]) -> SheetRecords:
    """Read the Export sheet as it stands (corrections included) in file order."""
    if not grid:
        return SheetRecords([], [], [])
    header = [as_text(h) for h in grid[0]]
    try:
        issues_at, invoice_at, line_at = header.index(ISSUES), header.index(INVOICE_ID), header.index(LINE_ID)
    except ValueError:
        return SheetRecords([], [], [])
    order_at = header.index(RECORD_NO) if RECORD_NO in header else None
    placed: list[tuple[int, int, OutputRecord, str]] = []
    problems: list[Problem] = []
    seen: dict[int, int] = {}
    for row_number, row in enumerate(grid[1:], start=FIRST_RECORD_ROW):
        cells = [as_text(v) for v in row] + [""] * (len(header) - len(row))
        if not cells[0]:
            continue
        record = OutputRecord(cells[0], cells[1:issues_at], cells[invoice_at] or None, cells[line_at] or None)
        number = row_number if order_at is None else _record_no(cells[order_at])
        if number is None:
            problems.append(Problem("error", f"this row was not made by Preview (its hidden {RECORD_NO} is empty); "
                                    "delete it or click Preview again.", cell=row_cell(row_number)))
            continue
        if number in seen:
            problems.append(Problem("error", f"this row is a copy of row {seen[number]} (the same hidden {RECORD_NO}): "
                                    "the file would hold that record twice; delete one of them.",
                                    cell=row_cell(row_number)))
            continue
        seen[number] = row_number
        placed.append((number, row_number, record, cells[issues_at]))
    placed.sort(key=lambda item: item[0])
    return SheetRecords([r for _, _, r, _ in placed], [row for _, row, _, _ in placed], problems,
                        [n for n, _, _, _ in placed], [text for _, _, _, text in placed])


def table_to_records(grid: list[list[Any]]) -> list[OutputRecord]:
    """Read the Export sheet (as it stands, corrections included) back into records, in
    file order; rows that cannot be placed are left out (:func:`read_export_sheet` names them).

    Trailing empty field cells are dropped per record type later, by the spec's field
    count; here every row keeps all positions.
    """
    return read_export_sheet(grid).records


def trim_to_specs(records: Sequence[OutputRecord], specs: Sequence[RecordSpec],
                  rows: Sequence[int] | None = None) -> list[str]:
    """Cut each record's values to its spec's field count; return problems (unknown type,
    or text typed into a position the record type does not have) as ``row N: …`` lines.
    ``rows``: the sheet row of each record (default: in file order from row 2)."""
    return [f"row {row}: {text}" for row, _, text in _trimmed(records, specs, rows)]


def shape_problems(records: Sequence[OutputRecord], specs: Sequence[RecordSpec],
                   rows: Sequence[int] | None = None) -> list[Problem]:
    """:func:`trim_to_specs`, its problems naming the row's Record cell."""
    return [Problem("error", text, record=record, cell=row_cell(row)) for row, record, text in _trimmed(records, specs, rows)]


def _trimmed(records: Sequence[OutputRecord], specs: Sequence[RecordSpec],
             rows: Sequence[int] | None) -> list[tuple[int, str, str]]:
    by_name = {s.name: s for s in specs}
    problems = []
    for i, rec in enumerate(records):
        row = rows[i] if rows is not None else i + FIRST_RECORD_ROW
        spec = by_name.get(rec.record)
        if spec is None:
            problems.append((row, rec.record, f"unknown record type '{rec.record}' (the Mapping sheet has "
                             f"{', '.join(by_name)})"))
            continue
        extra = [v for v in rec.values[len(spec.fields):] if v]
        if extra:
            problems.append((row, rec.record,
                             f"record type {rec.record} has {len(spec.fields)} fields, but more cells are filled"))
        rec.values = rec.values[: len(spec.fields)] + [""] * (len(spec.fields) - len(rec.values))
    return problems


def _digest(grid: Sequence[Sequence[Any]]) -> str:
    """A short hash of a sheet's cells as text (a whole number read back as 12.0 is "12")."""
    text = json.dumps([[as_text(v) for v in row] for row in grid], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def fingerprint(parts: Mapping[str, Sequence[Sequence[Any]]]) -> str:
    """``Invoices=…;Mapping=…;…``: one short hash per sheet, so a mismatch can name the sheet."""
    return ";".join(f"{name}={_digest(grid)}" for name, grid in parts.items())


def changed_parts(stamped: str, current: str) -> list[str]:
    """The sheets whose hash differs between two fingerprints (all of them if unreadable)."""
    def parse(text: str) -> dict[str, str]:
        return dict(part.split("=", 1) for part in text.split(";") if "=" in part)

    old, new = parse(stamped), parse(current)
    return [name for name in new if old.get(name) != new[name]]


def read_fingerprint(grid: Sequence[Sequence[Any]]) -> str | None:
    """The fingerprint Preview stamped beside the table, or None when there is none."""
    for row in grid:
        for at, value in enumerate(row[:-1]):
            if value == FINGERPRINT:
                return as_text(row[at + 1])
    return None
