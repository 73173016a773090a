"""Set settings of a STAC workbook by name: ``python set_setting.py BOOK NAME VALUE [NAME VALUE ...]``.

The row is found by its name in column A of the *Settings* sheet, never by a cell address,
so a workbook whose rows have moved (a newer layout, a profile that added settings) still
gets the right cell; the value goes in column B. A name not on the sheet is an error (exit
2, one line on stderr) and nothing is saved. The workbook must be closed in Excel.

For scripts/smoke-test.ps1 (which runs it with the add-in's venv Python, which has
openpyxl): ``stac-xl`` has no subcommand that sets one setting.
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl

SHEET = "Settings"


def set_settings(book: Path, values: dict[str, str]) -> None:
    """Write each value into column B of the Settings row whose column A is its name."""
    wb = openpyxl.load_workbook(book)
    if SHEET not in wb.sheetnames:
        raise SystemExit(f"set_setting: {book} has no {SHEET} sheet.")
    ws = wb[SHEET]
    rows: dict[str, int] = {}
    for (cell,) in ws.iter_rows(min_col=1, max_col=1):
        if cell.value is not None:  # a repeated name (Extra column): its first row
            rows.setdefault(str(cell.value).strip().casefold(), cell.row)
    missing = [name for name in values if name.strip().casefold() not in rows]
    if missing:
        raise SystemExit(f"set_setting: {book} has no setting named {', '.join(map(repr, missing))} on {SHEET}.")
    for name, value in values.items():
        ws.cell(row=rows[name.strip().casefold()], column=2, value=value)
    wb.save(book)


def main(argv: list[str]) -> int:
    if len(argv) < 3 or len(argv) % 2 == 0:
        print("usage: set_setting.py BOOK NAME VALUE [NAME VALUE ...]", file=sys.stderr)
        return 2
    book, pairs = Path(argv[0]), argv[1:]
    try:
        set_settings(book, dict(zip(pairs[::2], pairs[1::2])))
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    for name, value in zip(pairs[::2], pairs[1::2]):
        print(f"{book.name}: {name} = {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
