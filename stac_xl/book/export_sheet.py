"""The *Export* sheet: output records as rows the clerk can read and correct.

Layout: ``Record`` | one column per field position | ``Issues`` | hidden ``Invoice id``,
``Line id``. Records of different types share field positions (a Sage 300 ``I`` row and
a ``D`` row differ), so a position's header lists the distinct field names there.

Hand corrections survive the next Preview: Preview also writes what it computed to the
hidden *Export base* sheet, and the next Preview compares the two. A cell that differs
from its base is the clerk's correction; it is carried onto the record with the same key
(record type, invoice id, line id, occurrence) and marked as edited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from stac_xl.book.table import Column, ColumnKind, Table
from stac_xl.book.values import as_text
from stac_xl.invoices import columns as C
from stac_xl.records import OutputRecord, RecordSpec

RECORD = "Record"
ISSUES = "Issues"
# The hidden keys: which invoice and line each record came from, named as on *Invoices*.
INVOICE_ID = C.INVOICE_ID
LINE_ID = C.LINE_ID
KEY_COLUMNS = (INVOICE_ID, LINE_ID)

# Where a record's values sit: row 1 is the header, record ``i`` (0-based, file order as
# Preview wrote it) is on row ``FIRST_RECORD_ROW + i``; column 1 is the record type and field
# position ``j`` is in column ``FIRST_FIELD_COLUMN + j``.
FIRST_RECORD_ROW = 2
RECORD_COLUMN = 1
FIRST_FIELD_COLUMN = 2

RecordKey = tuple[str, str, str, int]  # record type, invoice id, line id, n-th such record


@dataclass(frozen=True)
class Correction:
    """A value the clerk typed over a computed one."""

    key: RecordKey
    position: int  # 0-based field position
    computed: str  # what Preview had computed when the clerk edited
    value: str     # what the clerk typed


def record_cell(record_index: int, field_index: int | None) -> tuple[int, int]:
    """(row, column) of a record's field on the sheet; its Record cell when ``field_index`` is None."""
    column = RECORD_COLUMN if field_index is None else FIRST_FIELD_COLUMN + field_index
    return FIRST_RECORD_ROW + record_index, column


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
    columns += [Column(ISSUES, ColumnKind.TEXT, width=50), Column(INVOICE_ID, ColumnKind.TEXT), Column(LINE_ID, ColumnKind.TEXT)]
    pad = len(headers)
    rows = [
        [r.record, *r.values, *[""] * (pad - len(r.values)), "; ".join(r.issues), r.invoice_id or "", r.line_id or ""]
        for r in records
    ]
    return Table(columns, rows)


def table_to_records(grid: list[list[Any]]) -> list[OutputRecord]:
    """Read the Export sheet (as it stands, corrections included) back into records.

    Trailing empty field cells are dropped per record type later, by the spec's field
    count; here every row keeps all positions.
    """
    if not grid:
        return []
    header = [as_text(h) for h in grid[0]]
    try:
        issues_at = header.index(ISSUES)
        invoice_at, line_at = header.index(INVOICE_ID), header.index(LINE_ID)
    except ValueError:
        return []
    records = []
    for row in grid[1:]:
        cells = [as_text(v) for v in row] + [""] * (len(header) - len(row))
        if not cells[0]:
            continue
        records.append(
            OutputRecord(
                record=cells[0],
                values=cells[1:issues_at],
                invoice_id=cells[invoice_at] or None,
                line_id=cells[line_at] or None,
            )
        )
    return records


def record_keys(records: Iterable[OutputRecord]) -> list[RecordKey]:
    """A stable key per record; ``n`` tells apart records sharing type, invoice and line."""
    seen: dict[tuple[str, str, str], int] = defaultdict(int)
    keys = []
    for r in records:
        base = (r.record, r.invoice_id or "", r.line_id or "")
        keys.append((*base, seen[base]))
        seen[base] += 1
    return keys


def find_corrections(sheet: Sequence[OutputRecord], base: Sequence[OutputRecord]) -> list[Correction]:
    """Cells on the Export sheet that differ from what Preview computed (the base)."""
    base_by_key = dict(zip(record_keys(base), base))
    corrections = []
    for key, rec in zip(record_keys(sheet), sheet):
        original = base_by_key.get(key)
        if original is None:
            continue
        for pos, value in enumerate(rec.values):
            computed = original.values[pos] if pos < len(original.values) else ""
            if value != computed:
                corrections.append(Correction(key, pos, computed, value))
    return corrections


def apply_corrections(records: Sequence[OutputRecord], corrections: Sequence[Correction]) -> list[tuple[int, int, Correction]]:
    """Put the clerk's corrections onto freshly built records, in place.

    Returns (record index, field position, correction) for every correction applied, so the
    caller can mark those cells. A correction whose record no longer exists is dropped; one
    whose computed value has changed since is kept, with a note on the record.
    """
    by_key: dict[RecordKey, list[Correction]] = defaultdict(list)
    for c in corrections:
        by_key[c.key].append(c)
    applied = []
    for index, (key, rec) in enumerate(zip(record_keys(records), records)):
        for c in by_key.get(key, ()):
            if c.position >= len(rec.values):
                continue
            now_computed = rec.values[c.position]
            if now_computed != c.computed:
                rec.issues.append(
                    f"field {c.position + 1}: ServiceTrade data now gives '{now_computed}' "
                    f"(was '{c.computed}'); your correction '{c.value}' was kept"
                )
            rec.values[c.position] = c.value
            applied.append((index, c.position, c))
    return applied


def trim_to_specs(records: Sequence[OutputRecord], specs: Sequence[RecordSpec]) -> list[str]:
    """Cut each record's values to its spec's field count; return problems (unknown type,
    or text typed into a position the record type does not have)."""
    by_name = {s.name: s for s in specs}
    problems = []
    for i, rec in enumerate(records):
        spec = by_name.get(rec.record)
        if spec is None:
            problems.append(f"row {i + 2}: unknown record type '{rec.record}' (the Mapping sheet has {', '.join(by_name)})")
            continue
        extra = [v for v in rec.values[len(spec.fields):] if v]
        if extra:
            problems.append(f"row {i + 2}: record type {rec.record} has {len(spec.fields)} fields, but more cells are filled")
        rec.values = rec.values[: len(spec.fields)] + [""] * (len(spec.fields) - len(rec.values))
    return problems
