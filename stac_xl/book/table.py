"""A sheet-shaped table: named, typed columns and rows of plain Python values.

This is what crosses the workbook port in both directions. Cell values are ``str``,
``int``, ``Decimal`` (money and quantities), ``date``/``datetime``, ``bool`` or ``None``;
never ``float`` for money. The column kind tells an adapter how to format the column
(ids as text so leading zeros survive, dates as real dates, money with two decimals).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class ColumnKind(str, Enum):
    """How a column is stored and shown in Excel."""

    TEXT = "text"        # stored as text, even if it looks like a number ("00123")
    DATE = "date"        # a real Excel date
    DATETIME = "datetime"
    MONEY = "money"      # Decimal, shown with 2 decimals
    NUMBER = "number"    # Decimal or int, general number format
    INTEGER = "integer"
    BOOL = "bool"
    GENERAL = "general"  # whatever the value is


@dataclass(frozen=True)
class Column:
    """One column: its header text, its kind, and for flattened invoice data its JSON path."""

    name: str
    kind: ColumnKind = ColumnKind.GENERAL
    path: str | None = None
    width: int | None = None  # preferred display width in characters; None = from content


@dataclass
class Table:
    """Columns plus rows; every row has exactly ``len(columns)`` values."""

    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        return [c.name for c in self.columns]

    def index(self, name: str) -> int:
        """Position of the column called ``name`` (KeyError if absent)."""
        for i, col in enumerate(self.columns):
            if col.name == name:
                return i
        raise KeyError(name)

    def as_dicts(self) -> list[dict[str, Any]]:
        """Rows as ``{header: value}`` dicts, in order."""
        names = self.headers
        return [dict(zip(names, row)) for row in self.rows]
