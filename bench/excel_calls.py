"""How many Excel calls LiveWorkbook.write_table makes for 1,000 and 100,000 invoice lines.

Runs the adapter over the in-memory xlwings engine (tests/xl_memory_engine.py), which
counts what would each be a cross-process COM call in Excel: the count must not grow with
the number of rows. Usage: ``python bench/excel_calls.py [ROWS ...]``.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import xl_memory_engine

from stac_xl.book.live import LiveWorkbook
from stac_xl.book.table import Column, ColumnKind, Table

KINDS = [ColumnKind.TEXT, ColumnKind.TEXT, ColumnKind.DATE, ColumnKind.DATETIME, ColumnKind.MONEY,
         ColumnKind.NUMBER, ColumnKind.INTEGER, ColumnKind.BOOL, ColumnKind.GENERAL, ColumnKind.GENERAL, ColumnKind.MONEY]
COLUMNS = 33  # flatten's default invoice-line columns are about this many


def invoice_lines(rows: int) -> Table:
    """``rows`` synthetic invoice lines of 33 typed columns."""
    columns = [Column(f"Column {i + 1}", KINDS[i % len(KINDS)]) for i in range(COLUMNS)]
    make = {
        ColumnKind.TEXT: lambda r: f"{10_000 + r // 3:06d}",
        ColumnKind.DATE: lambda r: date(2024, 1 + r % 12, 1 + r % 28),
        ColumnKind.DATETIME: lambda r: datetime(2024, 3, 15, r % 24, r % 60),
        ColumnKind.MONEY: lambda r: Decimal(r % 10_000) / 100,
        ColumnKind.NUMBER: lambda r: Decimal(r % 7) / 2,
        ColumnKind.INTEGER: lambda r: r % 5,
        ColumnKind.BOOL: lambda r: r % 2 == 0,
        ColumnKind.GENERAL: lambda r: f"Quarterly inspection, line {r}" if r % 50 else "=not a formula",
    }
    return Table(columns, [[make[c.kind](r) for c in columns] for r in range(rows)])


def calls_for(rows: int) -> tuple[int, dict[str, int]]:
    """Total engine calls and their kinds for one write_table of ``rows`` lines."""
    engine = xl_memory_engine.install()
    book = xl_memory_engine.new_book(engine, "Invoices")
    table = invoice_lines(rows)
    engine.reset_calls()
    LiveWorkbook(book).write_table("Invoices", table)
    return engine.total_calls, dict(engine.calls)


def main(argv: list[str]) -> int:
    """Print the call counts; exit 1 if they differ between sizes."""
    sizes = [int(a) for a in argv] or [1_000, 100_000]
    totals = []
    for rows in sizes:
        total, kinds = calls_for(rows)
        totals.append(total)
        print(f"{rows:>9,} invoice lines x {COLUMNS} columns: {total} Excel calls  {kinds}")
    same = len(set(totals)) == 1
    print("constant: the call count does not depend on the number of rows" if same else "NOT constant")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
