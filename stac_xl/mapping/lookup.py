"""The *Lookups* sheet (named key → value tables) and the ``lookup`` transform.

Layout: tables stacked down the sheet, each a title row ``Table: Items``, a header row
``Key`` (or ``Key 1``, ``Key 2``, …) then ``Value`` (columns after Value, such as Notes,
are ignored), data rows, and an empty row before the next table. Rows above the first
table are free text. Keys match ignoring case and surrounding spaces: item codes typed
``Parts`` on one sheet and ``PARTS`` on the other are the same code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stac_xl.book.cells import column_letter
from stac_xl.book.values import ValueProblem, as_text, cell_text
from stac_xl.errors import MappingError
from stac_xl.mapping.inline import offer
from stac_xl.mapping.sheet import is_empty_row
from stac_xl.mapping.syntax import RuleProblem, Step
from stac_xl.mapping.transform_types import Transform, TransformContext

SHEET = "Lookups"


def lookup_key(value: Any) -> str:
    """How a key is compared: its text, trimmed, case folded."""
    return as_text(value).strip().casefold()


@dataclass
class LookupTable:
    """One named table; ``values`` maps a key (a tuple when there are several) to text."""

    name: str
    key_count: int
    row: int
    values: dict[Any, str] = field(default_factory=dict)


def _key_count(header: Sequence[Any]) -> int | None:
    """How many key columns a header row declares, or None if it is not Key… Value."""
    names = [cell_text(c).lower() for c in header]
    if "value" not in names:
        return None
    keys = names[:names.index("value")]
    if keys == ["key"] or (keys and keys == [f"key {n}" for n in range(1, len(keys) + 1)]):
        return len(keys)
    return None


def _read_table(grid: Sequence[Sequence[Any]], start: int, errors: list[MappingError]) -> tuple[LookupTable, int]:
    """Read the table titled at ``start``; return it and the index of the row after it."""
    name = cell_text(grid[start][0]).partition(":")[2].strip()
    header = grid[start + 1] if start + 1 < len(grid) else []
    count = _key_count(header)
    table = LookupTable(name, count or 1, start + 1)
    if not name:
        errors.append(MappingError("the table needs a name: 'Table: Items'.", sheet=SHEET, row=start + 1, column="A"))
    if count is None:
        errors.append(MappingError(f"the header of table '{name}' must be Key (or Key 1, Key 2, …) then Value.",
                                   sheet=SHEET, row=start + 2, column="A"))
    index = start + 2
    first_seen: dict[Any, int] = {}  # key -> the sheet row it was first seen on
    while index < len(grid) and not is_empty_row(grid[index]) and not _is_title(grid[index]):
        row = list(grid[index]) + [None] * (table.key_count + 1)
        keys = [lookup_key(c) for c in row[:table.key_count]]
        if any(k == "" for k in keys):
            errors.append(MappingError(f"a key is empty in table '{name}'.", sheet=SHEET, row=index + 1,
                                       column=column_letter(keys.index("") + 1)))
        key = keys[0] if table.key_count == 1 else tuple(keys)
        if key in first_seen:
            errors.append(MappingError(f"key {_show(row[:table.key_count])} is already in table '{name}' "
                                       f"(row {first_seen[key]}).", sheet=SHEET, row=index + 1, column="A"))
        else:
            first_seen[key] = index + 1
            table.values[key] = cell_text(row[table.key_count])
        index += 1
    return table, index


def _is_title(row: Sequence[Any]) -> bool:
    return bool(row) and cell_text(row[0]).lower().startswith("table:")


def _show(keys: Sequence[Any]) -> str:
    return " + ".join(f"'{as_text(k).strip()}'" for k in keys)


def read_lookups_sheet(grid: Sequence[Sequence[Any]]) -> tuple[dict[str, LookupTable], list[MappingError]]:
    """All tables by lowered name, with every error found (duplicate keys, bad headers…)."""
    tables: dict[str, LookupTable] = {}
    errors: list[MappingError] = []
    index, inside = 0, False
    while index < len(grid):
        row = grid[index]
        if _is_title(row):
            table, index = _read_table(grid, index, errors)
            if table.name.lower() in tables:
                errors.append(MappingError(f"there is already a table called '{table.name}' "
                                           f"(row {tables[table.name.lower()].row}).",
                                           sheet=SHEET, row=table.row, column="A"))
            elif table.name:
                tables[table.name.lower()] = table
            inside = True
            continue
        if inside and not is_empty_row(row):
            errors.append(MappingError("this row belongs to no table: remove the empty row above it, "
                                       "or start a new table with a row 'Table: <Name>'.",
                                       sheet=SHEET, row=index + 1, column="A"))
        index += 1
    return tables, errors


def lookup_transform(step: Step, ctx: TransformContext) -> Transform:
    """``lookup(Items)``, ``lookup(GL, "State")`` (more key columns from Invoices),
    ``lookup(Items, default="40000")`` (used when the key is not in the table)."""
    step.expect(1, 9, keys=("default",))
    name = step.text(0).strip()
    table: LookupTable | None = ctx.tables.get(name.lower())
    if table is None:
        known = ", ".join(t.name for t in ctx.tables.values()) or "none yet"
        raise RuleProblem(f"there is no lookup table '{name}' on the Lookups sheet. Tables: {known}.")
    more = [a.value for a in step.positional[1:]]
    for column in more:
        if column not in ctx.columns:
            raise RuleProblem(f"lookup key column '{column}' is not an Invoices column.")
    if 1 + len(more) != table.key_count:
        raise RuleProblem(f"table '{table.name}' has {table.key_count} key column(s), but the lookup gives "
                          f"{1 + len(more)}; name the other key columns, e.g. lookup({table.name}, \"State\").")
    default_arg = step.keyword("default")
    return _lookup(table, more, None if default_arg is None else default_arg.value)


_MEMO_SIZE = 50_000  # distinct key texts remembered per lookup: item codes and customer ids repeat


def _lookup(table: LookupTable, more: list[str], default: str | None) -> Transform:
    values, name = table.values, table.name
    # A one-key lookup of a text depends on nothing else, so its answer is remembered by the
    # text as it came (before trimming and case folding); keys of other types are not, as
    # equal numbers and booleans (1, True) have different key texts.
    memo: dict[str, str] = {}

    def run(value: Any, row: Mapping[str, Any]) -> Any:
        if value is None or (value.__class__ is str and not value):
            return value
        key: Any = lookup_key(value)
        if more:
            key = (key, *(lookup_key(row.get(c)) for c in more))
        found = values.get(key)
        if found is None:
            found = default
        if found is not None:
            if not more and value.__class__ is str and len(memo) < _MEMO_SIZE:
                memo[value] = found
            return found
        shown = _show([value, *(row.get(c) for c in more)])
        raise ValueProblem(f"{shown} is not in lookup table '{name}'; add it on the Lookups sheet "
                           "or give the lookup a default.", cause=f"not in lookup table '{name}' on Lookups", subject=shown)
    if more:
        return run
    return offer(run, """\
if {v}.__class__ is str:
    {v} = {memo}.get({v}) or {call}({v}, row)
else:
    {v} = {call}({v}, row)""", memo=memo)
