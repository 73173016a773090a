"""The clerk's corrections on *Invoices*, kept across a re-fetch (README step 2: "fix a
missing PO"). Rows are matched by Invoice id and Line id, so sorting the sheet is harmless.

Telling a correction from ServiceTrade's own change: Fetch stores a hash of each row as it
wrote it (:mod:`stac_xl.invoices.fetch_memory`). A row that no longer gives its hash was
edited. Each of its cells that differs from the fresh fetch is either the clerk's (typed
over; ServiceTrade still has what it had) or ServiceTrade's (the cell still shows the old
value). Fetch tries the splits, likeliest first, and takes the one that gives the stored
hash back: the row as it was written. Only when the clerk and ServiceTrade changed the
*same* cell between two fetches does no split fit (or when a row has too many splits to
try); then each differing cell of that row keeps the sheet's value, flagged as unsure: a
correction is never lost, nor passes silently.

A correction then
- is shown: the cell holds the clerk's value, blue, with ServiceTrade's value in its note;
- is flagged (yellow) while ServiceTrade's value differs from the one it corrected, the note
  naming the old value, the new one and the clerk's, until the clerk types in the cell again;
- goes away when ServiceTrade comes to hold the clerk's value, or the clerk types
  ServiceTrade's value back;
- is kept aside, shown nowhere, while its invoice line is not in the fetch (gone from
  ServiceTrade, or no longer in the statuses fetched): no other row can get it, and it comes
  back with the line, flagged if ServiceTrade changed the value meanwhile. A row edited and
  then not fetched is kept aside whole, and worked out when its line comes back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations, islice
from typing import Any

from stac_xl.book.cells import convert
from stac_xl.book.entries import DateOrder
from stac_xl.book.port import CellMark
from stac_xl.book.table import ColumnKind, Table
from stac_xl.book.values import as_text
from stac_xl.gc_pause import gc_paused
from stac_xl.invoices import columns as C
from stac_xl.invoices.fetch_memory import (
    CHUNK,
    Correction,
    FetchMemory,
    KeptAside,
    RowKey,
    canonical,
    column_texts,
    row_hash,
    table_hashes,
    written_text,
)
from stac_xl.invoices.read_back import read_cell
from stac_xl.problems import plural

MAX_TRIES = 4096  # splits of one edited row tried before its differing cells are called unsure


@dataclass
class EditedRow:
    """A row whose cells no longer give the hash Fetch stored for it."""

    row_hash: str
    texts: dict[str, str | None]  # column → canonical text (None: the sheet has lost the column)
    cells: dict[str, Any]         # column → the cell as read


@dataclass
class SheetBefore:
    """The *Invoices* sheet as the clerk left it: its invoices, and the rows they edited."""

    invoice_ids: set[str] = field(default_factory=set)
    edited: dict[RowKey, EditedRow] = field(default_factory=dict)


@dataclass
class Carried:
    """What keeping the corrections did: the memory to store, the cells to mark, counts."""

    memory: FetchMemory
    marks: list[CellMark] = field(default_factory=list)
    kept: int = 0
    flagged: int = 0
    set_aside: int = 0  # invoices whose corrections this fetch put aside

    def summary(self) -> str:
        """One sentence for the clerk, or "" when there was nothing of theirs to keep."""
        said = []
        if self.kept:
            flagged = (f"; {self.flagged} yellow: ServiceTrade changed it since, see the cell's note"
                       if self.flagged else "")
            said.append(f"Kept {plural(self.kept, 'correction')} of yours on Invoices (blue{flagged})")
        if self.set_aside:
            said.append(f"put aside your corrections on {plural(self.set_aside, 'invoice')} this fetch did not find, "
                        "until they are fetched again")
        text = "; ".join(said)
        return text[:1].upper() + text[1:] + "." if text else ""


def _cell(row: Sequence[Any], at: int | None) -> Any:
    return row[at] if at is not None and at < len(row) else None


def _finder(header: Sequence[Any]) -> dict[str, int]:
    at: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = canonical(cell)
        if name:
            at.setdefault(name, index)
            at.setdefault(name.casefold(), index)
    return at


def read_sheet(grid: list[list[Any]], memory: FetchMemory) -> SheetBefore:
    """The sheet's invoices, and each row whose cells no longer give its stored hash."""
    before = SheetBefore()
    at = _finder(grid[0]) if grid else {}
    invoice_at, line_at = at.get(C.INVOICE_ID.casefold()), at.get(C.LINE_ID.casefold())
    if invoice_at is None:
        return before
    keys = _sheet_keys(grid, invoice_at, line_at)
    before.invoice_ids = {key[0] for key in keys if key is not None}
    if not memory.hashes:
        return before
    find = [at.get(name, at.get(name.casefold())) for name in memory.columns]
    width = 1 + max([invoice_at, *(i for i in find if i is not None)])
    with gc_paused():  # millions of short-lived texts, no cycles among them
        _find_edited(grid, memory, keys, find, width, before)
    return before


def _find_edited(grid: list[list[Any]], memory: FetchMemory, keys: list[RowKey | None], find: list[int | None],
                 width: int, before: SheetBefore) -> None:
    """Each row whose texts no longer give its stored hash, into ``before.edited``."""
    for start in range(1, len(grid), CHUNK):
        chunk = [row + [None] * (width - len(row)) if len(row) < width else row for row in grid[start:start + CHUNK]]
        columns = list(zip(*chunk))
        texts = list(zip(*(column_texts(columns[i]) if i is not None else [""] * len(chunk) for i in find)))
        for offset, row in enumerate(chunk):
            key = keys[start - 1 + offset]
            stored = None if key is None else memory.hashes.get(key)
            if key is None or stored is None or (None not in find and row_hash(texts[offset]) == stored):
                continue
            before.edited[key] = EditedRow(
                stored, {n: None if i is None else t for n, i, t in zip(memory.columns, find, texts[offset])},
                {n: row[i] for n, i in zip(memory.columns, find) if i is not None})


def _sheet_keys(grid: list[list[Any]], invoice_at: int, line_at: int | None) -> list[RowKey | None]:
    """The key of each data row of the sheet; None for a row without an Invoice id."""
    seen: dict[tuple[str, str], int] = defaultdict(int)
    keys: list[RowKey | None] = []
    for row in grid[1:]:
        invoice = key_text(_cell(row, invoice_at))
        if not invoice:
            keys.append(None)
            continue
        pair = (invoice, key_text(_cell(row, line_at)))
        keys.append((*pair, seen[pair]))
        seen[pair] += 1
    return keys


def key_text(value: Any) -> str:
    """An Invoice id or Line id as the sheet is read back (451.0 is "451")."""
    if value.__class__ is str:
        return value.strip()
    return "" if value is None else str(read_cell(value, ColumnKind.TEXT) or "")


def table_keys(table: Table) -> list[RowKey]:
    """The key of each row of a fresh fetch, in order."""
    invoice_at, line_at = table.index(C.INVOICE_ID), table.index(C.LINE_ID)
    invoices = column_texts([row[invoice_at] for row in table.rows], ColumnKind.TEXT)
    lines = column_texts([row[line_at] for row in table.rows], ColumnKind.TEXT)
    seen: dict[tuple[str, str], int] = defaultdict(int)
    keys = []
    for pair in zip(invoices, lines):
        keys.append((*pair, seen[pair]))
        seen[pair] += 1
    return keys


def carry(before: SheetBefore, memory: FetchMemory, table: Table, *, order: DateOrder = DateOrder.MDY) -> Carried:
    """Put the clerk's corrections onto a fresh fetch, in place; what to store and mark.
    ``order`` reads a date the clerk typed as text (the workbook's *Date order*)."""
    corrections = {key: {n: replace(c) for n, c in cells.items()} for key, cells in memory.corrections.items()}
    aside = dict(memory.aside)
    placed = {key: index for index, key in enumerate(table_keys(table))}
    lost: set[str] = set()
    for key, edited in before.edited.items():
        if key in placed:
            _settle(edited, table, table.rows[placed[key]], corrections.setdefault(key, {}), order)
        else:
            aside[key] = KeptAside(edited.row_hash, {n: t or "" for n, t in edited.texts.items()})
            lost.add(key[0])
    for key in [k for k in aside if k in placed]:
        kept = aside.pop(key)
        _settle(EditedRow(kept.row_hash, dict(kept.cells), dict(kept.cells)), table, table.rows[placed[key]],
                corrections.setdefault(key, {}), order)
    lost |= {key[0] for key, cells in corrections.items() if cells and key not in placed and key in memory.hashes}
    carried = Carried(FetchMemory(), set_aside=len(lost))
    _show(table, placed, corrections, carried, order)
    kinds = [c.kind for c in table.columns]
    written = table_hashes(table.rows, kinds)
    hashes = {key: written[i] for key, i in placed.items()}
    carried.memory = FetchMemory(table.headers, hashes, aside, {k: v for k, v in corrections.items() if v})
    return carried


def cell_for(text: Any, kind: ColumnKind | None, order: DateOrder = DateOrder.MDY) -> Any:
    """The clerk's value as its column holds it: read by the column's kind where it can be
    ('1,234.50' a number, '12/1/2026' a date in ``order``), else as it is, for Preview to name."""
    if kind is None:
        return text
    try:
        return read_cell(text, kind, order)
    except ValueError:
        return text


def _settle(edited: EditedRow, table: Table, row: list[Any], corrected: dict[str, Correction], order: DateOrder) -> None:
    """Record the clerk's edits of one row, told apart from ServiceTrade's changes."""
    kinds = {c.name: c.kind for c in table.columns}
    fresh = {c.name: written_text(v, c.kind) for c, v in zip(table.columns, row)}
    written = dict(fresh)  # what this fetch writes, corrections included
    written.update({n: written_text(cell_for(c.yours, kinds[n], order), kinds[n]) for n, c in corrected.items()
                    if n in kinds})
    sheet: dict[str, str] = {}
    for name, text in edited.texts.items():
        sheet[name] = written.get(name, "") if text is None else text
        written.setdefault(name, sheet[name])  # a column this fetch has not: taken as unedited
    yours, unsure = split_edits(sheet, edited.row_hash, written, corrected)
    for name in yours + unsure:
        before = corrected.get(name)
        over = None if name in unsure else before.last_fetched if before else fresh.get(name, "")
        corrected[name] = Correction(as_text(cell_for(edited.cells.get(name), kinds.get(name), order)), over,
                                     fresh.get(name, ""))


def split_edits(sheet: dict[str, str], stored: str, written: dict[str, str],
                corrected: Iterable[str]) -> tuple[list[str], list[str]]:
    """(the clerk's edits, cells that cannot be told) of a row: ``sheet`` as it stands,
    ``written`` what this fetch writes, ``stored`` the hash of what the last one wrote.

    A corrected cell that differs was typed over again: the last fetch wrote the correction.
    Any other differing cell was typed over (it had this fetch's value) or not (it still has
    the last fetch's): the split whose row gives ``stored`` says which."""
    known = set(corrected)
    differ = [name for name in sheet if sheet[name] != written[name]]
    certain = [name for name in differ if name in known]
    open_ = [name for name in differ if name not in known]
    for chosen in islice(_splits(open_), MAX_TRIES):
        typed = set(certain).union(chosen)
        if row_hash(written[n] if n in typed else sheet[n] for n in sheet) == stored:
            return certain + list(chosen), []
    return certain, open_


def _splits(cells: list[str]) -> Iterator[tuple[str, ...]]:
    """Who typed which cell, likeliest first: the clerk all of them (ServiceTrade changed
    nothing), then the clerk none, one, two… of them (ServiceTrade the rest)."""
    yield tuple(cells)
    for size in range(len(cells)):
        yield from combinations(cells, size)


def _show(table: Table, placed: dict[RowKey, int], corrections: dict[RowKey, dict[str, Correction]],
          carried: Carried, order: DateOrder) -> None:
    """Write each correction into its fetched row and mark it; drop those ServiceTrade now agrees with."""
    at = {c.name: i for i, c in enumerate(table.columns)}
    for key, cells in corrections.items():
        index = placed.get(key)
        if index is None:
            continue  # kept aside: shown nowhere until the line is fetched again
        row = table.rows[index]
        for name, correction in list(cells.items()):
            column = at.get(name)
            if column is None:
                continue  # a column this fetch has not (Extra columns changed): kept, not shown
            kind = table.columns[column].kind
            fresh, cell = row[column], cell_for(correction.yours, kind, order)
            correction.last_fetched = written_text(fresh, kind)
            if written_text(cell, kind) == correction.last_fetched:
                del cells[name]  # ServiceTrade has the clerk's value now, or the clerk typed it back
                continue
            row[column] = cell
            carried.marks.append(_mark(index, column, correction, as_text(convert(fresh, kind))))
            carried.kept += 1
            carried.flagged += correction.flagged


def _quoted(text: str) -> str:
    if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
        text = text[:-2]  # a whole number as Fetch compares it (2.0): as the clerk sees it
    return f"'{text}'" if text else "empty"


def _mark(index: int, column: int, correction: Correction, servicetrade: str) -> CellMark:
    """The cell's colour and note: blue for a correction, yellow when ServiceTrade moved."""
    new, yours = _quoted(servicetrade), _quoted(correction.yours)
    take = f"Type '{servicetrade}' here" if servicetrade else "Clear the cell"
    if correction.edited_over is None:
        note = (f"ServiceTrade changed this line while this cell was edited here, so this may not be your "
                f"correction: ServiceTrade now has {new}, the cell {yours} (kept). {take} to take ServiceTrade's value.")
    elif correction.flagged:
        note = (f"ServiceTrade changed this since your correction: it was {_quoted(correction.edited_over)}, "
                f"it is now {new}; your {yours} is kept. {take} to take ServiceTrade's value.")
    else:
        note = f"Your correction, kept by Fetch (ServiceTrade has {new})."
    return CellMark(index + 2, column + 1, "warning" if correction.flagged else "edited", note)
