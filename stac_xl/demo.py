"""``stac-xl demo``: the whole job against the built-in sandbox, start to finish.

Starts the sandbox in this process on a free port, creates a STAC workbook, fetches the last
week's invoices into it, and writes the output files, then says where everything is. It
uses the same library calls as the ribbon and the CLI; only the credentials are the
sandbox's own (``demo``/``demo``).
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

from stac_xl.book import layout
from stac_xl.book.file import FileWorkbook
from stac_xl.credentials import Password
from stac_xl.fetch import fetch_invoices
from stac_xl.sandbox import Sandbox, SandboxData

DEMO_DAYS = 7


def run_demo(out: Path, *, invoices: int, seed: int, echo: Callable[[str], None], today: date | None = None) -> list[Path]:
    """Run the demo into folder ``out``; return the files written."""
    today = today or date.today()
    out.mkdir(parents=True, exist_ok=True)
    data = SandboxData.generate(invoices=invoices, seed=seed, today=today)
    with Sandbox(data) as sandbox:
        base_url = sandbox.start(0)
        echo(f"Sandbox (a local stand-in for ServiceTrade) serving {invoices} generated invoices at {base_url}")
        book_path = out / "stac-demo.xlsx"
        book = FileWorkbook.create(book_path, overwrite=True)
        result = fetch_invoices(
            book,
            first=today - timedelta(days=DEMO_DAYS - 1),
            last=today,
            credentials=Password("demo", "demo"),
            base_url=base_url,
        )
        echo(result.summary())
    csv_path = out / "invoices.csv"
    _write_invoices_csv(FileWorkbook.open(book_path), csv_path)
    echo(f"Workbook: {book_path.resolve()}")
    echo(f"Invoices as CSV: {csv_path.resolve()}")
    return [book_path, csv_path]


def _write_invoices_csv(book: FileWorkbook, path: Path) -> None:
    grid = book.read_grid(layout.INVOICES)
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(["" if v is None else v for v in row] for row in grid)
