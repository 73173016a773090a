"""Prepare the smoke test's workbook: ``python smoke_prepare.py REFERENCE BOOK``.

REFERENCE is a copy of BOOK into which ``stac-xl fetch`` has already fetched the sandbox's
invoices (same settings, same sandbox). This script

1. fills REFERENCE's *Lookups* for the sandbox's customers and items, as the demo does
   (``stac_xl.sandbox.clerk``: sandbox data only), and copies that *Lookups* sheet into BOOK,
   so that Export in Excel has nothing to refuse;
2. prints the address Excel's ``UsedRange.Address()`` of BOOK's *Invoices* sheet should show
   after the ribbon's Fetch (``$A$1:$AF$119``): the cells the command-line fetch filled.

BOOK's *Invoices* stays empty: the ribbon's Fetch in Excel must fill it. scripts/smoke-test.ps1
runs this with the add-in's venv Python.
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl.utils import get_column_letter

from stac_xl.book import layout
from stac_xl.book.file import FileWorkbook
from stac_xl.sandbox.clerk import fill_sandbox_lookups


def used_address(grid: list[list[object]]) -> str:
    """Excel's absolute address of a grid that starts at A1 (``$A$1:$C$3``)."""
    rows = len(grid)
    columns = max((len(r) for r in grid), default=0)
    if rows == 0 or columns == 0:
        return "$A$1"
    return f"$A$1:${get_column_letter(columns)}${rows}"


def prepare(reference: Path, book: Path) -> str:
    """Fill the reference's Lookups, copy them into ``book``; the expected Invoices address."""
    ref = FileWorkbook.open(reference)
    invoices = ref.read_grid(layout.INVOICES)
    if len(invoices) < 2:
        raise SystemExit(f"smoke_prepare: {reference.name} has no fetched invoices; run stac-xl fetch on it first.")
    fill_sandbox_lookups(ref)
    ref.save()
    target = FileWorkbook.open(book)
    target.write_grid(layout.LOOKUPS, ref.read_grid(layout.LOOKUPS), clear=True)
    target.save()
    return used_address(invoices)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: smoke_prepare.py REFERENCE BOOK", file=sys.stderr)
        return 2
    print(prepare(Path(argv[0]), Path(argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
