"""How many Excel calls Preview and Fetch make, as the data grows.

Runs the live adapter over the in-memory xlwings engine (tests/xl_memory_engine.py), which
counts what would each be a cross-process COM call in Excel, on sandbox invoices:

- **Preview** with about 100 and about 10,000 problem cells (generic-csv with empty Lookups,
  so every line misses its lookups): marks cost one call per fill colour and address batch
  plus a bounded number of notes, so the totals must be within 2x of each other.
- **Fetch** (the real action, against the in-process sandbox) of about 1,000 and 100,000
  invoice lines with xlwings' default chunking on: every call is the same at both sizes
  except the two that exist to grow, each printed on its own: xlwings' value chunks (one per
  100,000 cells, a memory limit of 32-bit Excel, of *Invoices* and of its hidden hash per
  row) and the status bar's progress (one per page of 2,000 invoices).

Exit status 1 if either claim fails. Usage: ``python bench/excel_calls.py [--tiny]``.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import xl_memory_engine

from stac_xl.actions.fetch import fetch_invoices
from stac_xl.actions.preview import preview
from stac_xl.book import layout
from stac_xl.book.layout import new_workbook_layout
from stac_xl.book.live import LiveWorkbook
from stac_xl.invoices.flatten import invoices_to_table
from stac_xl.presets import load_preset
from stac_xl.sandbox import Sandbox, SandboxData
from stac_xl.servicetrade.credentials import Password
from stac_xl.servicetrade.models import parse_invoices

TINY_ARGS = ["--tiny"]  # what tests/test_bench.py runs it with
TODAY = date(2024, 3, 20)
CELLS_PER_WRITE = 100_000  # xlwings 0.37.8's default write chunk
PROBLEMS_PER_INVOICE = 6.8  # generic-csv, empty Lookups, this seed: measured
FETCHED_LINES_PER_INVOICE = 2.0  # sandbox invoices created in the fetched 40 days, with their lines
FETCHED_COLUMNS = 6  # the hidden Invoices fetched sheet: key, row hash, kept aside, columns
OTHER_WRITES = 2  # besides the tables above: the hidden Invoices corrections, and Log


def stac_book(engine: xl_memory_engine.MemoryEngine) -> LiveWorkbook:
    """A new STAC workbook in the memory engine, laid out as the ribbon does."""
    book = xl_memory_engine.new_book(engine, "Sheet1")
    live = LiveWorkbook(book)
    for sheet in new_workbook_layout():
        live.lay_out(sheet)
    book.sheets["Sheet1"].delete()
    return live


def preview_calls(problem_cells: int) -> tuple[int, int, Counter[str]]:
    """(problem cells, lines, calls by kind) for one Preview of about ``problem_cells``."""
    invoices = max(1, round(problem_cells / PROBLEMS_PER_INVOICE))
    for _ in range(2):  # a second try, scaled, if the invoice mix missed the target by much
        engine = xl_memory_engine.install()
        live = stac_book(engine)
        load_preset(live, "generic-csv")
        data = SandboxData.generate(invoices=invoices, seed=5, today=TODAY)
        table = invoices_to_table(parse_invoices(data.invoices), tz=ZoneInfo(data.tz))
        live.write_table(layout.INVOICES, table)
        engine.reset_calls()
        result = preview(live, today=TODAY)
        cells = sum(1 for p in result.problems if p.record_index is not None)
        if abs(cells - problem_cells) <= problem_cells // 10:
            break
        invoices = max(1, round(invoices * problem_cells / max(cells, 1)))
    return cells, len(table.rows), Counter(engine.calls)


def fetch_calls(lines: int) -> tuple[int, int, Counter[str]]:
    """(lines fetched, columns, calls by kind) for one Fetch of about ``lines`` lines."""
    data = SandboxData.generate(invoices=round(lines / FETCHED_LINES_PER_INVOICE), seed=5, today=TODAY)
    engine = xl_memory_engine.install()
    live = stac_book(engine)
    with Sandbox(data) as sandbox:
        url = sandbox.start(0)
        engine.reset_calls()
        fetch_invoices(live, credentials=Password("demo", "demo"), base_url=url,
                       first=TODAY - timedelta(days=40), last=TODAY)
    calls = Counter(engine.calls)
    grid = live.read_grid(layout.INVOICES)
    return len(grid) - 1, len(grid[0]), calls


def report_preview(sizes: tuple[int, int] = (100, 10_000)) -> bool:
    totals = []
    for target in sizes:
        started = time.perf_counter()
        cells, lines, calls = preview_calls(target)
        total = sum(calls.values())
        totals.append(total)
        marks = {k: calls[k] for k in ("color.set", "note.get", "note.add")}
        print(f"Preview, {cells:>6,} problem cells on {lines:>5,} lines: {total} Excel calls "
              f"(marks {marks}) in {time.perf_counter() - started:.1f} s")
    ok = max(totals) <= 2 * min(totals)
    print(f"  ratio {max(totals) / min(totals):.2f}: " + ("within 2x" if ok else "NOT within 2x"))
    return ok


def _chunks(rows: int, columns: int) -> int:
    """Value writes xlwings makes for a table of ``rows`` lines plus its header."""
    cells = (rows + 1) * columns
    return 1 if cells <= CELLS_PER_WRITE else math.ceil((rows + 1) / (CELLS_PER_WRITE // columns))


def report_fetch(sizes: tuple[int, int] = (1_000, 100_000)) -> bool:
    rests, ok = [], True
    for target in sizes:
        started = time.perf_counter()
        rows, columns, calls = fetch_calls(target)
        total = sum(calls.values())
        # the Invoices table's chunks and those of its hidden hash per row (Invoices fetched)
        tables = (_chunks(rows, columns), _chunks(rows, FETCHED_COLUMNS))
        chunks = sum(tables)
        writes, statuses = calls.pop("raw_value.set"), calls.pop("app.status_bar")
        calls["range"] -= sum(n for n in tables if n > 1)  # xlwings slices the range once per chunk
        ok = ok and writes - chunks == OTHER_WRITES  # and the same other writes at any size
        rests.append(calls)
        print(f"Fetch, {rows:>7,} lines x {columns} columns: {total} Excel calls: {writes} value writes "
              f"({chunks} for the tables), {statuses} status bar updates, the rest {sum(calls.values())} "
              f"in {time.perf_counter() - started:.1f} s")
    ok = ok and rests[0] == rests[1]
    print("  the rest: " + ("the same calls at both sizes" if rests[0] == rests[1]
                            else f"NOT constant: {dict(rests[0])} vs {dict(rests[1])}"))
    return ok


def main() -> int:
    """Print both reports; exit 1 if a claim fails."""
    with tempfile.TemporaryDirectory() as folder:
        # Preview asks the export ledger what was exported: a throwaway one, never the user's.
        os.environ.setdefault("STAC_LEDGER", str(Path(folder) / "ledger.sqlite3"))
        tiny = "--tiny" in sys.argv[1:]  # the test of every benchmark: same claims, smaller data
        ok = report_preview((50, 500) if tiny else (100, 10_000))
        ok = report_fetch((300, 4_000) if tiny else (1_000, 100_000)) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
