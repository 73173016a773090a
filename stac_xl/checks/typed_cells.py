"""Cells on *Export* that hold a formula or an Excel error instead of a value, or text
that may have been cut to fit a cell.

Export writes what a cell holds. A formula a clerk types (``=A1*2``) holds no value until
Excel works it out, and then one that changes when the rows are sorted; a formula Excel
could not work out holds an error value (``#VALUE!``). The workbook port gives either as
text, and written into the file it would be a description of ``=A1*2`` or an amount of
``#VALUE!``. So such a cell is an error on itself, unless it holds exactly what Preview
wrote there (a ServiceTrade description may start with ``=``; Preview writes it as text).

An Excel cell holds 32,767 characters; a longer value is cut when the sheet is written, and
Preview flags it. Export sees only the sheet, so a value of exactly 32,767 characters there
may be a cut one: it is refused rather than written shortened (:func:`check_cut_text`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from stac_xl.book.cells import MAX_CELL_TEXT, is_excel_error
from stac_xl.problems import Problem
from stac_xl.records import OutputRecord, RecordSpec

FORMULA_CAUSE = "a formula or an Excel error, not a value"


def _wrong(value: str) -> str | None:
    if is_excel_error(value):
        return (f"the cell shows the Excel error {value.strip()}: a formula there could not be worked out; "
                "type the value itself.")
    if value.startswith("="):
        return (f"'{value}' is a formula, or text starting with =; Export writes what a cell holds, so type the "
                "value itself.")
    return None


def check_typed_cells(specs: Sequence[RecordSpec], records: Sequence[OutputRecord],
                      base: Sequence[OutputRecord | None], numbers: Mapping[str, str],
                      cells: Iterable[tuple[int, int]] | None = None) -> list[Problem]:
    """A problem for each value in ``records`` that is a formula or an Excel error and not
    what Preview made (``base[i]``: record ``i`` as Preview made it, None if unknown).
    ``cells`` (record index, position): look only there (default: everywhere)."""
    names = {s.name: s.field_names for s in specs}
    problems = []
    for index, position in cells if cells is not None else _suspects(records):
        record = records[index]
        value = record.values[position] if position < len(record.values) else ""
        made = base[index] if index < len(base) else None
        if not value or (made is not None and position < len(made.values) and made.values[position] == value):
            continue
        wrong = _wrong(value)
        if wrong is not None:
            fields = names.get(record.record, [])
            problems.append(Problem("error", wrong, numbers.get(record.invoice_id or ""), record.invoice_id, index,
                                    position, record.record, fields[position] if position < len(fields) else None,
                                    cause=FORMULA_CAUSE))
    return problems


def _suspects(records: Sequence[OutputRecord]) -> Iterator[tuple[int, int]]:
    """The cells starting with = or # (nearly no record has one: a record costs one join)."""
    for index, record in enumerate(records):
        firsts = "".join([v[:1] for v in record.values])
        if "=" in firsts or "#" in firsts:
            yield from ((index, j) for j, v in enumerate(record.values) if v[:1] in ("=", "#"))


def check_cut_text(specs: Sequence[RecordSpec], records: Sequence[OutputRecord],
                   numbers: Mapping[str, str]) -> list[Problem]:
    """An error on each value as long as an Excel cell holds: it may have been cut."""
    names = {s.name: s.field_names for s in specs}
    problems = []
    for index, record in enumerate(records):
        if max(map(len, record.values), default=0) < MAX_CELL_TEXT:
            continue
        fields = names.get(record.record, [])
        problems += [Problem("error", f"this text is {len(value):,} characters long, as many as an Excel cell holds, "
                             "so it may have been cut on the Export sheet; shorten it on Mapping (truncate) or in "
                             "ServiceTrade, then Preview again.", numbers.get(record.invoice_id or ""),
                             record.invoice_id, index, j, record.record, fields[j] if j < len(fields) else None)
                     for j, value in enumerate(record.values) if len(value) >= MAX_CELL_TEXT]
    return problems
