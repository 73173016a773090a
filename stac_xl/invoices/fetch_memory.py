"""What Fetch remembers of the *Invoices* sheet it wrote, so the next Fetch can tell the
clerk's edits from ServiceTrade's changes. Two hidden sheets:

- *Invoices fetched*: per Invoices row as Fetch left it, its key (Invoice id, Line id, and
  which copy of that pair) and a hash of its cells; plus the rows *kept aside*: a row the
  clerk edited whose invoice line the next Fetch did not find, with its cells as text, until
  the line comes back. On the first row, the columns the hashes cover.
- *Invoices corrections*: one row per cell the clerk corrected (see :class:`Correction`).

A hash per row rather than a second copy of the sheet: about a tenth of the cells, and the
edited rows are few, so what a changed hash does not say on its own is worked out from the
sheet and the fresh fetch (:mod:`stac_xl.invoices.corrections`). Both sides of a hash are
cells as :func:`canonical` reads them, so a value means the same read back from a file or
from Excel (a float for a Decimal, a datetime for a date).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from stac_xl.book import layout
from stac_xl.book.cells import MAX_CELL_TEXT, clean_text, convert
from stac_xl.book.port import WorkbookPort
from stac_xl.book.table import Column, ColumnKind, Table
from stac_xl.gc_pause import gc_paused
from stac_xl.invoices import columns as C

RowKey = tuple[str, str, int]  # invoice id, line id, n-th row with both (0 but for repeats)

_KEY = (C.INVOICE_ID, C.LINE_ID, "Copy")
_ROW_HASH, _ASIDE, _COLUMNS = "Row hash", "Kept aside", "Columns"
_COLUMN, _YOURS, _OVER, _LAST, _UNSURE = (
    "Column", "Your value", "ServiceTrade when corrected", "ServiceTrade at the last fetch", "Unsure")
_T, _I = ColumnKind.TEXT, ColumnKind.INTEGER
_KEY_COLUMNS = [Column(_KEY[0], _T), Column(_KEY[1], _T), Column(_KEY[2], _I)]


@dataclass
class Correction:
    """One cell the clerk corrected. Values are text: ``yours`` as the cell held it (read by
    its column's kind when written back), the ServiceTrade ones as :func:`canonical` gives."""

    yours: str
    edited_over: str | None  # ServiceTrade's value the clerk's replaced; None: cannot be told
    last_fetched: str        # ServiceTrade's value at the last fetch

    @property
    def flagged(self) -> bool:
        """ServiceTrade's value changed since the correction (or it cannot be told)."""
        return self.edited_over is None or self.edited_over != self.last_fetched


@dataclass
class KeptAside:
    """An edited row whose invoice line was not fetched: the hash of what Fetch wrote, and
    the row's cells (column → canonical text, in the order the hash covers)."""

    row_hash: str
    cells: dict[str, str]


@dataclass
class FetchMemory:
    """Everything the hidden sheets hold; empty before the first Fetch."""

    columns: list[str] = field(default_factory=list)  # what the row hashes cover, in order
    hashes: dict[RowKey, str] = field(default_factory=dict)
    aside: dict[RowKey, KeptAside] = field(default_factory=dict)
    corrections: dict[RowKey, dict[str, Correction]] = field(default_factory=dict)


def canonical(value: Any) -> str:
    """A cell's value as Fetch compares it: what it means, not how a reader typed it. Any
    number is the double a cell holds of it (12.50, 12.5 and Excel's 12.5 alike)."""
    cls = value.__class__
    if cls is str:
        text = clean_text(value)  # what a cell can hold of it
        return (text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text).strip()
    if value is None:
        return ""
    if cls is bool:
        return "TRUE" if value else "FALSE"
    if cls is int or cls is float or cls is Decimal:
        return _number(value)
    if isinstance(value, datetime):
        return _moment(value)
    if isinstance(value, date):
        return value.isoformat()
    return canonical(str(value))


def _number(value: int | float | Decimal) -> str:
    if isinstance(value, Decimal) and not value.is_finite():
        return str(value)  # a cell holds NaN as its text
    try:
        return repr(float(value))
    except OverflowError:
        return str(value)


def _moment(value: datetime) -> str:
    plain = value.replace(tzinfo=None)
    return plain.date().isoformat() if plain.time() == time() else plain.isoformat(sep=" ")


_ODD = re.compile(r"[\x00-\x08\x0b-\x1f]")  # what clean_text changes, and \r
_JOIN = "\x1f"  # clean text has none
_NONE = type(None)
_FINITE = frozenset({"nan", "inf", "-inf"})  # what float() makes of a Decimal that is no number
CHUNK = 10_000  # rows turned into texts at a time: the texts of a whole big sheet are not held at once


def column_texts(values: Sequence[Any], kind: ColumnKind | None = None) -> list[str]:
    """:func:`canonical` of each value of a column as read from the sheet (``kind`` None),
    or of each value as it reads back once written into a ``kind`` column. A column at a
    time, so a usual column (all text, all amounts, all dates) is one pass of a builtin per
    cell, not a chain of checks: this runs over every cell of the sheet on every fetch."""
    try:
        fast = _fast_texts(values, set(map(type, values)) - {_NONE}, kind)
    except OverflowError:  # an int beyond a double: the careful way
        fast = None
    if fast is not None:
        return fast
    if kind is None:
        return [canonical(v) for v in values]
    return [canonical(convert(v, kind)) for v in values]


def _fast_texts(values: Sequence[Any], classes: set[type], kind: ColumnKind | None) -> list[str] | None:
    """The texts of a column of one plain class, the same as the careful way; None otherwise."""
    if not classes:
        return [""] * len(values)
    if classes == {str}:
        texts = [v for v in values if v is not None]
        joined = "".join(texts)
        if max(map(len, texts)) > MAX_CELL_TEXT or (not joined.isprintable() and _ODD.search(joined)):
            return None  # clean_text would change something: the careful way
        return ["" if v is None else v.strip() for v in values]
    if kind is ColumnKind.TEXT:
        return None  # a number or a date becomes its text there
    if classes <= {int, float, Decimal}:
        numbers = ["" if v is None else repr(float(v)) for v in values]
        return None if Decimal in classes and not _FINITE.isdisjoint(numbers) else numbers  # a NaN is text
    if classes == {date} or (classes == {datetime} and kind is ColumnKind.DATE):
        return ["" if v is None else (v.date() if v.__class__ is datetime else v).isoformat() for v in values]
    if classes == {datetime}:
        return ["" if v is None else _moment(v) for v in values]
    if classes == {bool}:
        return ["" if v is None else "TRUE" if v else "FALSE" for v in values]
    return None


def written_text(value: Any, kind: ColumnKind) -> str:
    """What one value reads back as once written into a ``kind`` column."""
    return column_texts([value], kind)[0]


def table_hashes(rows: Sequence[Sequence[Any]], kinds: Sequence[ColumnKind]) -> list[str]:
    """:func:`row_hash` of each row as it reads back once written into columns of ``kinds``."""
    hashes: list[str] = []
    with gc_paused():  # millions of short-lived texts, no cycles among them
        for start in range(0, len(rows), CHUNK):
            columns = list(zip(*rows[start:start + CHUNK])) or [() for _ in kinds]
            texts = [column_texts(column, kind) for column, kind in zip(columns, kinds)]
            hashes += map(row_hash, zip(*texts))
    return hashes


def row_hash(texts: Iterable[str]) -> str:
    """A short hash of a row's texts (clean text has no \\x1f to blur the joins)."""
    return hashlib.sha256(_JOIN.join(texts).encode("utf-8")).hexdigest()[:16]


def read_memory(book: WorkbookPort) -> FetchMemory:
    """The memory the hidden sheets hold (an empty one when they are missing)."""
    memory = FetchMemory()
    names = book.sheet_names()
    if layout.INVOICES_FETCHED in names:
        _read_fetched(book.read_grid(layout.INVOICES_FETCHED), memory)
    if layout.INVOICES_CORRECTIONS in names:
        _read_corrections(book.read_grid(layout.INVOICES_CORRECTIONS), memory)
    return memory


def _text(row: list[Any], at: int) -> str:
    value = row[at] if at < len(row) else None
    return "" if value is None else str(value)


def _key(row: list[Any]) -> RowKey | None:
    copy = row[2] if len(row) > 2 else 0
    if not _text(row, 0) or not isinstance(copy, (int, float)) or isinstance(copy, bool):
        return None  # not a row Fetch wrote: left out rather than guessed
    return _text(row, 0), _text(row, 1), int(copy or 0)


def _json(text: str, default: Any) -> Any:
    """``text`` as JSON of ``default``'s type; a hand-changed cell gives ``default``."""
    try:
        found = json.loads(text)
    except ValueError:
        return default
    return found if isinstance(found, type(default)) else default


def _read_fetched(grid: list[list[Any]], memory: FetchMemory) -> None:
    if not grid:
        return
    if len(grid) > 1 and grid[0][5:6] == [_COLUMNS]:
        memory.columns = [str(c) for c in _json(_text(grid[1], 5), [])]
    for row in grid[1:]:
        key = _key(row)
        if key is None or not _text(row, 3):
            continue
        if _text(row, 4):
            cells = _json(_text(row, 4), {})
            memory.aside[key] = KeptAside(_text(row, 3), {str(k): str(v) for k, v in cells.items()})
        else:
            memory.hashes[key] = _text(row, 3)


def _read_corrections(grid: list[list[Any]], memory: FetchMemory) -> None:
    for row in grid[1:]:
        key = _key(row)
        if key is None or not _text(row, 3):
            continue
        unsure = _text(row, 7).strip().lower() == "yes"
        memory.corrections.setdefault(key, {})[_text(row, 3)] = Correction(
            _text(row, 4), None if unsure else _text(row, 5), _text(row, 6))


def write_memory(book: WorkbookPort, memory: FetchMemory) -> None:
    """Put ``memory`` on the hidden sheets (made, and hidden, when missing)."""
    fetched = Table([*_KEY_COLUMNS, *(Column(name, _T) for name in (_ROW_HASH, _ASIDE, _COLUMNS))])
    fetched.rows = [[*key, value, None, None] for key, value in memory.hashes.items()]
    fetched.rows += [[*key, kept.row_hash, json.dumps(kept.cells, ensure_ascii=False), None]
                     for key, kept in memory.aside.items()]
    if fetched.rows:  # the columns the hashes cover, once, on the first row
        fetched.rows[0][5] = json.dumps(memory.columns, ensure_ascii=False)
    book.write_table(layout.INVOICES_FETCHED, fetched)
    corrections = Table([*_KEY_COLUMNS, *(Column(name, _T) for name in (_COLUMN, _YOURS, _OVER, _LAST, _UNSURE))])
    corrections.rows = [[*key, name, c.yours, c.edited_over, c.last_fetched, "yes" if c.edited_over is None else None]
                        for key, cells in memory.corrections.items() for name, c in cells.items()]
    book.write_table(layout.INVOICES_CORRECTIONS, corrections)
    book.hide_sheet(layout.INVOICES_FETCHED)
    book.hide_sheet(layout.INVOICES_CORRECTIONS)
