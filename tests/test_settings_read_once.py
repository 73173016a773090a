"""Each action reads the *Settings* sheet once: Fetch, Preview and Export each turn it into one
Settings value and pass that along, so no part of an action can see another version of it."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from invoice_fixtures import EXPORT_DATE, SHARED_ROWS

from stac_xl.actions.export import export
from stac_xl.actions.fetch import fetch_invoices
from stac_xl.actions.preview import preview
from stac_xl.book.file import FileWorkbook
from stac_xl.book.table import Table
from stac_xl.invoices.columns import DEFAULT_COLUMNS
from stac_xl.presets import load_preset
from stac_xl.sandbox import Sandbox, SandboxData
from stac_xl.servicetrade.clock import VirtualClock
from stac_xl.servicetrade.credentials import Password

TODAY = date(2026, 11, 25)


class CountedBook:
    """A real workbook file whose sheet reads are counted (everything else passes through)."""

    def __init__(self, book: FileWorkbook):
        self.book = book
        self.reads: Counter[str] = Counter()

    def read_grid(self, sheet: str) -> list[list[Any]]:
        self.reads[sheet] += 1
        return self.book.read_grid(sheet)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.book, name)


def book_with_invoices(path: Path) -> Path:
    book = FileWorkbook.create(path)
    load_preset(book, "sage300cre")
    book.write_table("Invoices", Table(list(DEFAULT_COLUMNS), [[r.get(c.name) for c in DEFAULT_COLUMNS] for r in SHARED_ROWS]))
    book.save()
    return path


def test_preview_and_export_each_read_settings_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAC_LEDGER", str(tmp_path / "ledger.sqlite"))  # this test's own export ledger
    path = book_with_invoices(tmp_path / "ar.xlsx")
    previewed = CountedBook(FileWorkbook.open(path))
    assert preview(previewed, today=EXPORT_DATE).errors == 0  # type: ignore[arg-type]
    exported = CountedBook(FileWorkbook.open(path))
    assert export(exported, out=tmp_path, book_folder=tmp_path, now=datetime(2024, 3, 20, 17, 5)).records  # type: ignore[arg-type]
    assert (previewed.reads["Settings"], exported.reads["Settings"]) == (1, 1)


@pytest.mark.parametrize("days", [1, 3])
def test_fetch_reads_settings_once(tmp_path: Path, days: int) -> None:
    book = CountedBook(FileWorkbook.create(tmp_path / "ar.xlsx"))
    with Sandbox(SandboxData.generate(invoices=40, seed=3, today=TODAY)) as sandbox:
        result = fetch_invoices(book, first=TODAY - timedelta(days=days - 1), last=TODAY,  # type: ignore[arg-type]
                                credentials=Password("demo", "demo"), base_url=sandbox.start(0), clock=VirtualClock())
    assert result.invoices > 0 and book.reads["Settings"] == 1
