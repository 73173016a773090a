"""Typos on *Mapping* that once passed Preview or ended in a traceback are rule errors naming
their cell: a Source written as an Excel formula (as Excel or a program stores it, or as
text), and transform arguments past their bounds (a pad of 999,999,999,999, 99999 decimals).
Each case runs ``stac-xl preview`` on a real workbook file and leaves the file unchanged."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import openpyxl
import pytest
from invoice_fixtures import EXPORT_DATE, SHARED_ROWS

from stac_xl.actions.preview import preview
from stac_xl.book import layout
from stac_xl.book.file import FileWorkbook
from stac_xl.book.table import Table
from stac_xl.cli import main
from stac_xl.errors import MappingError
from stac_xl.invoices.flatten import DEFAULT_COLUMNS
from stac_xl.mapping.transforms import MAX_PLACES, MAX_WIDTH
from stac_xl.presets import load_preset

COLUMN = {"Source": "C", "Transform": "D"}


def make_book(path: Path) -> Path:
    """The generic CSV preset with the shared invoices: a Preview of it has no errors."""
    book = FileWorkbook.create(path)
    load_preset(book, "generic-csv")
    book.write_table(layout.INVOICES, Table(list(DEFAULT_COLUMNS),
                                            [[row.get(c.name) for c in DEFAULT_COLUMNS] for row in SHARED_ROWS]))
    book.save()
    return path


def amount_row(path: Path) -> int:
    """The sheet row of the rule for the Amount field (found, not assumed)."""
    grid = FileWorkbook.open(path).read_grid(layout.MAPPING)
    return next(n for n, row in enumerate(grid, start=1) if row[:2] == ["Line", "Amount"])


def as_text(path: Path, cell: str, text: str) -> None:
    """What the clerk gets typing ``'=[line amount]`` (or what a preset load writes): text."""
    book = FileWorkbook.open(path)
    grid = book.read_grid(layout.MAPPING)
    column, row = "ABCDEFGH".index(cell[0]), int(cell[1:])
    cells = grid[row - 1] + [None] * (column + 1 - len(grid[row - 1]))
    cells[column] = text
    book.write_grid(layout.MAPPING, [cells], start_row=row)
    book.save()


def as_formula(path: Path, cell: str, text: str) -> None:
    """What a program (openpyxl) stores when it writes ``=…`` into a cell: a formula that no
    Excel has calculated, so there is no result in the file."""
    wb = openpyxl.load_workbook(path)
    wb[layout.MAPPING][cell].value = text
    wb.save(path)


def as_excel_saves_it(path: Path, cell: str, text: str) -> None:
    """What Excel stores for ``=[line amount]`` typed into a cell: the formula and the error
    it computed (``#NAME?``: no such name), patched into the sheet's XML."""
    as_formula(path, cell, text)
    index = layout.SHEET_ORDER.index(layout.MAPPING) + 1
    patched = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == f"xl/worksheets/sheet{index}.xml":
                xml = data.decode()
                start = xml.index(f'<c r="{cell}"')
                end = xml.index("</c>", start) + len("</c>")
                data = (xml[:start] + f'<c r="{cell}" t="e"><f>{text[1:]}</f><v>#NAME?</v></c>' + xml[end:]).encode()
            dst.writestr(item, data)
    patched.replace(path)


SOURCE_CASES = [
    (as_formula, "=[line amount]", "written like an Excel formula", "write [line amount] without the '='"),
    (as_excel_saves_it, "=[line amount]", "Excel error #NAME?", "without '='"),
    (as_text, "=[line amount]", "written like an Excel formula", "write [line amount] without the '='"),
    (as_text, "+[line amount]", "written like an Excel formula", "without the '+'"),
    (as_text, "-[line amount]", "written like an Excel formula", "put negate in Transform"),
    (as_text, "@Quantity", "written like an Excel formula", "write Quantity without the '@'"),
    (as_text, "#REF!", "Excel error #REF!", "without '='"),
]


def fingerprint(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def preview_fails(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``stac-xl preview``; it must stop on the rule (exit 5) with one line, file untouched."""
    before = fingerprint(path.parent)
    capsys.readouterr()
    code = main(["preview", str(path)])
    err = capsys.readouterr().err
    assert code == 5, err
    # Preview's progress lines may come first (on stderr too); the rule error is the one last line
    lines = err.splitlines()
    assert "Traceback" not in err and [n for n, line in enumerate(lines) if line.startswith("stac-xl:")] == [
        len(lines) - 1], err
    assert fingerprint(path.parent) == before
    return lines[-1].strip()


@pytest.mark.parametrize("write, source, what, fix", SOURCE_CASES,
                         ids=[f"{w.__name__}:{s}" for w, s, _, _ in SOURCE_CASES])
def test_a_source_written_as_a_formula_is_a_rule_error_on_its_cell(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], write, source: str, what: str, fix: str) -> None:
    path = make_book(tmp_path / "ar.xlsx")
    cell = f"{COLUMN['Source']}{amount_row(path)}"
    write(path, cell, source)
    line = preview_fails(path, capsys)
    assert line.startswith(f"stac-xl: Mapping!{cell}: ") and what in line and fix in line, line


def test_only_if_written_as_a_formula_is_a_rule_error_on_its_cell(tmp_path: Path, capsys) -> None:
    path = make_book(tmp_path / "ar.xlsx")
    grid = FileWorkbook.open(path).read_grid(layout.MAPPING)
    row = next(n for n, cells in enumerate(grid, start=1) if cells[:2] == ["Line", "line"])
    as_formula(path, f"D{row}", "=[tax total]")
    line = preview_fails(path, capsys)
    assert line.startswith(f"stac-xl: Mapping!D{row}: ") and "written like an Excel formula" in line, line


TRANSFORM_CASES = [
    ("number(99999)", f"number takes at most {MAX_PLACES}"),
    ("implied(11)", f"implied takes at most {MAX_PLACES}"),
    ("number(places=99999)", "number has no argument called 'places'"),
    ("pad_left(999999999999)", f"pad_left takes at most {MAX_WIDTH:,}"),
    ('pad_right(40000, " ")', f"pad_right takes at most {MAX_WIDTH:,}"),
    ("truncate(-1)", "truncate needs a whole number above 0, not '-1'"),
    ("truncate(0)", "truncate needs a whole number above 0, not '0'"),
    ("truncate(²)", "truncate needs a whole number above 0, not '²'"),
    ("truncate(" + "9" * 5000 + ")", f"truncate takes at most {MAX_WIDTH:,} (the longest text an Excel cell holds), "
                                     "not 99999999999999999999…"),
    ("number(2) | pad_left(00000000000000000000000000000040000)", "pad_left takes at most"),
]


@pytest.mark.parametrize("transform, says", TRANSFORM_CASES, ids=[t[:40] for t, _ in TRANSFORM_CASES])
def test_a_transform_argument_out_of_range_is_a_rule_error_on_its_cell(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], transform: str, says: str) -> None:
    path = make_book(tmp_path / "ar.xlsx")
    cell = f"{COLUMN['Transform']}{amount_row(path)}"
    as_text(path, cell, transform)
    line = preview_fails(path, capsys)
    assert line.startswith(f"stac-xl: Mapping!{cell}: ") and says in line, line


@pytest.mark.parametrize("transform, amount", [
    (f"number({MAX_PLACES})", "450." + "0" * MAX_PLACES),
    (f"number(2) | pad_left({MAX_WIDTH}, \"0\")", "450.00".rjust(MAX_WIDTH, "0")),
    (f"number(2) | truncate({MAX_WIDTH})", "450.00"),
    ("number(0002)", "450.00"),
])
def test_the_bounds_themselves_are_allowed(tmp_path: Path, transform: str, amount: str) -> None:
    path = make_book(tmp_path / "ar.xlsx")
    as_text(path, f"{COLUMN['Transform']}{amount_row(path)}", transform)
    result = preview(FileWorkbook.open(path), today=EXPORT_DATE)
    assert result.errors == 0
    grid = FileWorkbook.open(path).read_grid(layout.EXPORT)
    header = grid[0]
    assert grid[1][header.index("Amount")] == amount


def test_the_rule_error_carries_its_cell_for_the_ribbon(tmp_path: Path) -> None:
    path = make_book(tmp_path / "ar.xlsx")
    row = amount_row(path)
    as_formula(path, f"C{row}", "=[line amount]")
    with pytest.raises(MappingError) as caught:
        preview(FileWorkbook.open(path), today=EXPORT_DATE)
    assert (caught.value.sheet, caught.value.row, caught.value.column) == (layout.MAPPING, row, "C")
