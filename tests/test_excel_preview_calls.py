"""Preview over the live adapter costs about the same Excel calls with 30 times more problem
cells: marks are one call per fill colour and address batch plus a bounded number of notes
(bench/excel_calls.py prints the same at 100 and 10,000 problem cells)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from xl_memory_engine import MemoryEngine, new_book

from stac_xl.actions.preview import preview
from stac_xl.book import layout
from stac_xl.book.layout import new_workbook_layout
from stac_xl.book.live import MAX_NOTES, LiveWorkbook
from stac_xl.invoices.flatten import invoices_to_table
from stac_xl.presets import load_preset
from stac_xl.sandbox import SandboxData
from stac_xl.servicetrade.models import parse_invoices

TODAY = date(2024, 3, 20)


def preview_calls(engine: MemoryEngine, invoices: int) -> tuple[int, int]:
    """(problem cells, Excel calls) of one Preview of ``invoices`` sandbox invoices with
    empty Lookups (every line misses its customer and account)."""
    book = new_book(engine, "Sheet1")
    live = LiveWorkbook(book)
    for sheet in new_workbook_layout():
        live.lay_out(sheet)
    load_preset(live, "generic-csv")
    data = SandboxData.generate(invoices=invoices, seed=5, today=TODAY)
    live.write_table(layout.INVOICES, invoices_to_table(parse_invoices(data.invoices), tz=ZoneInfo(data.tz)))
    engine.reset_calls()
    result = preview(live, today=TODAY)
    assert engine.calls["note.add"] == MAX_NOTES
    return sum(1 for p in result.problems if p.record_index is not None), engine.total_calls


def test_preview_calls_do_not_grow_with_the_problem_cells(engine: MemoryEngine) -> None:
    few_cells, few_calls = preview_calls(engine, 15)
    many_cells, many_calls = preview_calls(engine, 450)
    assert many_cells > 25 * few_cells
    assert many_calls < 1.2 * few_calls
