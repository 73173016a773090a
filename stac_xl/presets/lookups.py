"""A preset's *Lookups* loaded into a workbook without losing the clerk's rows.

The sheet is tables stacked down the page (``Table: Accounts``, a Key … Value header, data
rows; see :mod:`stac_xl.mapping.lookup`). Loading a preset keeps every table that holds a
row of the clerk's, as it is; gives a table the preset also has, but that holds only sample
rows or none, the preset's sample rows; adds the preset's tables the sheet lacks; and drops a
table of nothing but another preset's samples. A row is a *sample* when it is one a shipped
preset (or a new workbook) puts in a table of that name, key and value alike: the clerk who
typed their own has a row that is not. Replacing the whole sheet is the caller's choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from stac_xl.book import layout
from stac_xl.book.values import as_text

Grid = list[list[Any]]


@dataclass
class LookupBlock:
    """One table on the sheet: its rows from the title to the next title (or the end)."""

    name: str
    rows: Grid
    data: Grid  # the data rows: after the header, up to the first empty row

    def samples_only(self, samples: set[tuple[str, ...]]) -> bool:
        """True if every data row is a shipped sample of a table of this name (or none is there)."""
        return all(_sample_key(self.name, row, self.rows) in samples for row in self.data)


@dataclass
class LookupsMerged:
    """The merged sheet, and what became of each table, for the clerk's message."""

    grid: Grid
    kept: list[str] = field(default_factory=list)    # tables of the clerk's rows, kept as they are
    filled: list[str] = field(default_factory=list)  # tables given the preset's sample rows


def _text(value: Any) -> str:
    return as_text(value).strip()


def _is_title(row: Sequence[Any]) -> bool:
    return bool(row) and _text(row[0]).lower().startswith(layout.LOOKUP_TITLE_PREFIX.strip().lower())


def _empty(row: Sequence[Any]) -> bool:
    return all(_text(v) == "" for v in row)


def split_lookups(grid: Grid) -> tuple[Grid, list[LookupBlock]]:
    """The rows above the first table, and each table with the rows down to the next."""
    titles = [i for i, row in enumerate(grid) if _is_title(row)]
    blocks = []
    for number, start in enumerate(titles):
        end = titles[number + 1] if number + 1 < len(titles) else len(grid)
        rows = [list(r) for r in grid[start:end]]
        data = []
        for row in rows[2:]:
            if _empty(row):
                break
            data.append(row)
        blocks.append(LookupBlock(_text(rows[0][0]).partition(":")[2].strip(), rows, data))
    return [list(r) for r in grid[:titles[0] if titles else len(grid)]], blocks


def _value_width(block_rows: Grid) -> int:
    """How many cells of a row are keys and value (Notes and the like after Value left out)."""
    header = [_text(c).lower() for c in (block_rows[1] if len(block_rows) > 1 else [])]
    return header.index("value") + 1 if "value" in header else 2


def _sample_key(name: str, row: Sequence[Any], block_rows: Grid) -> tuple[str, ...]:
    width = _value_width(block_rows)
    cells = [_text(c) for c in row[:width]] + [""] * (width - len(row))
    return (name.lower(), *cells)


def shipped_samples(grids: Iterable[Grid]) -> set[tuple[str, ...]]:
    """Every sample row of the given Lookups grids, and of a new workbook's Lookups."""
    samples: set[tuple[str, ...]] = set()
    new_book = layout.new_workbook_grids()[layout.LOOKUPS]
    for grid in [*grids, new_book]:
        for block in split_lookups(grid)[1]:
            samples |= {_sample_key(block.name, row, block.rows) for row in block.data}
    return samples


def merge_lookups(sheet: Grid, preset: Grid, samples: set[tuple[str, ...]], preambles: list[Grid]) -> LookupsMerged:
    """``sheet`` with ``preset``'s tables where the clerk has no rows of their own."""
    top, blocks = split_lookups(sheet)
    preset_top, preset_blocks = split_lookups(preset)
    by_name = {b.name.lower(): b for b in preset_blocks}
    shipped_top = all(_empty(r) for r in top) or any(_same(top, p) for p in preambles)
    merged = LookupsMerged(preset_top if shipped_top else top)
    for block in blocks:
        offered = by_name.pop(block.name.lower(), None)
        if not block.samples_only(samples):
            merged.kept.append(block.name)
            merged.grid += block.rows
        elif offered is not None:
            merged.filled.append(offered.name)
            merged.grid += _with_trailing(offered.rows, block.rows)
        elif not block.data:
            merged.grid += block.rows  # an empty table of the clerk's making: theirs to keep
    for offered in by_name.values():
        if merged.grid and not _empty(merged.grid[-1]):
            merged.grid.append([])
        merged.filled.append(offered.name)
        merged.grid += offered.rows
    return merged


def _same(a: Grid, b: Grid) -> bool:
    def texts(grid: Grid) -> list[list[str]]:
        return [[_text(v) for v in row] for row in grid if not _empty(row)]
    return texts(a) == texts(b)


def _with_trailing(offered: Grid, replaced: Grid) -> Grid:
    """The preset's table (its own data rows only) followed by whatever sat below the
    replaced one before the next table (an empty row, the clerk's notes)."""
    head = [list(r) for r in offered]
    while head and _empty(head[-1]):
        head.pop()
    end = 2
    while end < len(replaced) and not _empty(replaced[end]):
        end += 1
    return head + [list(r) for r in replaced[end:]]
