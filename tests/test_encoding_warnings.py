"""Text survives the target's encoding and nothing is cut silently (issue 12, points 10 and 11).

Through real workbook files, Preview and Export: decomposed accents are composed before a
Windows-1252 file is written; characters the file cannot hold are spelled out or written as
``?`` with a warning on their cell naming them, never dropped (an Arabic description is not
an empty field); a clerk's character the file cannot hold, or a TAB that would break an IIF
row, is refused naming the Export cell; text longer than a cell is flagged, never cut on the
sheet and exported; a value ``truncate`` cuts is a warning with the full value, a name the
accounting system matches (QuickBooks' NAME) is an error until Lookups maps it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from invoice_fixtures import EXPORT_DATE, SHARED_ROWS
from test_clerk_forms_e2e import export_cell, file_value, type_into
from test_preview_export import NOW

from stac_xl.actions.export import export
from stac_xl.actions.preview import PreviewResult, preview
from stac_xl.book.cells import MAX_CELL_TEXT
from stac_xl.book.export_sheet import problem_cell
from stac_xl.book.file import FileWorkbook
from stac_xl.book.table import Table
from stac_xl.errors import ValidationFailed
from stac_xl.invoices.columns import DEFAULT_COLUMNS
from stac_xl.mapping.transforms import TransformContext, ValueChanged, compile_transforms
from stac_xl.presets import load_preset
from stac_xl.writers import check_encodable
from stac_xl.writers.base import unencodable

ARABIC = "تركيب رشاش"  # "sprinkler installation"
LONG_NAME = "Hartwell, Price & Doyle Property Management Group"  # 49 characters; QuickBooks keeps 41


def book_with(path: Path, preset: str, **changes: Any) -> Path:
    """A workbook with ``preset`` and the shared invoices, the first row's columns changed
    (``Description=…``; ``Customer=…`` changes the first invoice's every row)."""
    rows = [dict(row) for row in SHARED_ROWS]
    for column, value in changes.items():
        for row in rows[: 2 if column == "Customer" else 1]:
            row[column] = value
    book = FileWorkbook.create(path)
    load_preset(book, preset)
    book.write_table("Invoices", Table(list(DEFAULT_COLUMNS), [[r.get(c.name) for c in DEFAULT_COLUMNS] for r in rows]))
    book.save()
    return path


def warnings_of(result: PreviewResult) -> list[str]:
    return [f"{problem_cell(p)}: {p}" for p in result.problems if p.severity == "warning"]


def test_an_arabic_description_is_a_warning_naming_the_characters_and_never_an_empty_field(tmp_path: Path) -> None:
    path = book_with(tmp_path / "ar.xlsx", "quickbooks-iif", Description=ARABIC)
    shown = preview(FileWorkbook.open(path), today=EXPORT_DATE)
    cell = export_cell(path, "quickbooks-iif", "SPL", "MEMO")
    assert shown.errors == 0
    assert warnings_of(shown) == [
        f"Export!{cell}: Invoice 10041, SPL MEMO: '{ARABIC}' has characters Windows-1252 cannot hold ('ت', 'ر', "
        "'ك', 'ي', 'ب', …); written as '????? ????'."]
    note = openpyxl.load_workbook(path)["Export"][cell].comment.text
    assert ARABIC in note and "?????" in note
    done = export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    assert file_value(done.path, "quickbooks-iif", "SPL", "MEMO") == "????? ????"


def test_a_target_that_holds_every_character_keeps_the_text_whole_without_a_warning(tmp_path: Path) -> None:
    path = book_with(tmp_path / "ar.xlsx", "generic-csv", Description=ARABIC)
    shown = preview(FileWorkbook.open(path), today=EXPORT_DATE)
    assert shown.problems == []
    done = export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    assert file_value(done.path, "generic-csv", "Line", "Description") == ARABIC


@pytest.mark.parametrize(("preset", "column", "record", "field"), [
    ("quickbooks-iif", "Description", "SPL", "MEMO"),       # through ansi
    ("sage300cre", "Job number", "I", "Description"),       # no ansi: the writer composes it
])
def test_decomposed_accents_are_composed_and_fit_windows_1252(tmp_path: Path, preset: str, column: str, record: str,
                                                              field: str) -> None:
    decomposed = "Cafe\u0301 Cre\u0300me"
    path = book_with(tmp_path / "ar.xlsx", preset, **{column: decomposed})
    shown = preview(FileWorkbook.open(path), today=EXPORT_DATE)
    assert shown.problems == [], [str(p) for p in shown.problems]
    done = export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    assert b"Caf\xe9 Cr\xe8me" in done.path.read_bytes()


def test_the_one_encodability_test_composes_first() -> None:
    assert unencodable("Cafe\u0301", "cp1252") == []
    assert unencodable("a → b ⅜ →", "ANSI") == ["→", "⅜"]
    assert check_encodable("in → out", "cp1252") == "'→' (U+2192 RIGHTWARDS ARROW) at position 4"


def test_a_clerks_character_the_file_cannot_hold_is_refused_naming_cell_and_character(tmp_path: Path) -> None:
    path = book_with(tmp_path / "ar.xlsx", "quickbooks-iif")
    preview(FileWorkbook.open(path), today=EXPORT_DATE)
    cell = export_cell(path, "quickbooks-iif", "TRNS", "MEMO")
    type_into(path, "Export", [(cell, "Job 24-1001 → done")])
    with pytest.raises(ValidationFailed) as refused:
        export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    (line,) = refused.value.problems
    assert line.startswith(f"Export!{cell}: ") and "cannot hold: '→'" in line


def test_a_tab_that_would_break_an_iif_row_is_refused_naming_the_export_cell(tmp_path: Path) -> None:
    path = book_with(tmp_path / "ar.xlsx", "quickbooks-iif")
    preview(FileWorkbook.open(path), today=EXPORT_DATE)
    cell = export_cell(path, "quickbooks-iif", "TRNS", "MEMO")
    type_into(path, "Export", [(cell, "Job\t24-1001")])
    with pytest.raises(ValidationFailed) as refused:
        export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    (line,) = refused.value.problems
    assert line == (f"Export!{cell}: Invoice 10041, TRNS MEMO: a TAB inside a value would break the IIF row; remove it in the "
                    "Mapping (e.g. a clean-text transform).")
    assert "Record" not in str(refused.value) and not list(tmp_path.glob("*.iif"))


def _source_of(path: Path, record: str, field: str, source: str) -> None:
    """Change one rule's Source on the Mapping sheet, as the clerk would."""
    book = openpyxl.load_workbook(path)
    ws = book["Mapping"]
    (row,) = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == record and ws.cell(r, 2).value == field]
    ws.cell(row, 3).value = source
    book.save(path)


def test_text_longer_than_a_cell_is_flagged_on_preview_and_never_exported_cut(tmp_path: Path) -> None:
    path = book_with(tmp_path / "ar.xlsx", "generic-csv", Description="x" * 20_000)
    _source_of(path, "Line", "Description", "{Description}{Description}")  # 40,000 characters
    shown = preview(FileWorkbook.open(path), today=EXPORT_DATE)
    cell = export_cell(path, "generic-csv", "Line", "Description")
    (error,) = [f"{problem_cell(p)}: {p}" for p in shown.problems if p.severity == "error"]
    assert error.startswith(f"Export!{cell}: ") and "40,000 characters long" in error
    assert len(openpyxl.load_workbook(path)["Export"][cell].value) == MAX_CELL_TEXT  # what a cell can hold
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ValidationFailed) as refused:
        export(FileWorkbook.open(path), out=out, book_folder=tmp_path, now=NOW)
    (line,) = refused.value.problems
    assert line.startswith(f"Export!{cell}: ") and "may have been cut" in line
    assert list(out.iterdir()) == []


def test_a_value_truncate_cuts_is_a_warning_on_its_cell_with_the_full_value(tmp_path: Path) -> None:
    long = "Replace sprinkler head, " + ", ".join(["pendent, brass, 155F"] * 10)  # 238 characters; Sage 50 keeps 160
    path = book_with(tmp_path / "ar.xlsx", "sage50-csv", Description=long)
    shown = preview(FileWorkbook.open(path), today=EXPORT_DATE)
    cell = export_cell(path, "sage50-csv", "Distribution", "Description")
    assert shown.errors == 0
    assert warnings_of(shown) == [f"Export!{cell}: Invoice 10041, Distribution Description: cut to 160 characters by "
                                  f"truncate(160); the full value is '{long}'."]
    done = export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    first = next(csv.DictReader(io.StringIO(done.path.read_text(encoding="cp1252"))))
    assert first["Description"] == long[:160]


def _names_table(path: Path, rows: list[list[str]]) -> None:
    book = openpyxl.load_workbook(path)
    ws = book["Lookups"]
    start = ws.max_row + 2
    for offset, row in enumerate([["Table: Names"], ["Key", "Value"], *rows]):
        for column, value in enumerate(row, start=1):
            ws.cell(start + offset, column).value = value
    book.save(path)


def test_a_name_quickbooks_would_cut_is_an_error_until_lookups_maps_it(tmp_path: Path) -> None:
    path = book_with(tmp_path / "ar.xlsx", "quickbooks-iif", Customer=LONG_NAME)
    shown = preview(FileWorkbook.open(path), today=EXPORT_DATE)
    errors = [f"{problem_cell(p)}: {p}" for p in shown.problems if p.severity == "error"]
    cell = export_cell(path, "quickbooks-iif", "TRNS", "NAME")
    assert errors[0] == (f"Export!{cell}: Invoice 10041, TRNS NAME: '{LONG_NAME}' is 49 characters long, but the "
                         "accounting system keeps 41, and a cut name would not match its record; add it to table "
                         "'Names' on Lookups with the name it has there (at most 41 characters).")
    assert len(errors) == 3  # TRNS and both SPL rows: never cut into a new customer
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ValidationFailed) as refused:
        export(FileWorkbook.open(path), out=out, book_folder=tmp_path, now=NOW)
    # the sheet holds the name whole (never cut into a new customer); Export tells Preview's sentence again
    assert refused.value.problems == [f"1 value is longer than 41 characters; map each to its shorter name on "
                                      f"Lookups › Names: '{LONG_NAME}' (3 cells: Export!{cell}, Export!{cell[0]}3, "
                                      f"Export!{cell[0]}4)"]
    _names_table(path, [[LONG_NAME, "Hartwell Price Doyle"]])
    assert preview(FileWorkbook.open(path), today=EXPORT_DATE).problems == []
    done = export(FileWorkbook.open(path), out=out, book_folder=tmp_path, now=NOW)
    assert file_value(done.path, "quickbooks-iif", "TRNS", "NAME") == "Hartwell Price Doyle"


@pytest.mark.parametrize(("transform", "typed", "made"), [
    ("ascii", "Café", "Cafe"),
    ("ascii", "تركيب", "?????"),
    ("ansi", 'Threaded rod ⅜"', 'Threaded rod 3/8"'),
    ("truncate(4)", "Quarterly", "Quar"),
])
def test_a_transform_that_changes_a_value_says_so_and_keeps_what_it_made(transform: str, typed: str, made: str) -> None:
    step = compile_transforms(transform, TransformContext({}, frozenset()))
    assert step is not None
    with pytest.raises(ValueChanged) as told:
        step(typed, {})
    assert told.value.value == made and typed in str(told.value)


@pytest.mark.parametrize(("transform", "typed"), [("ansi", "Café"), ("ansi", "Cafe\u0301"), ("ascii", "Cafe"),
                                                  ("truncate(9)", "Quarterly")])
def test_a_transform_that_keeps_the_text_says_nothing(transform: str, typed: str) -> None:
    step = compile_transforms(transform, TransformContext({}, frozenset()))
    assert step is not None
    assert step(typed, {}) in (typed, "Café")


def test_preview_finds_what_the_writer_would_refuse_on_its_cell(tmp_path: Path) -> None:
    path = book_with(tmp_path / "ar.xlsx", "quickbooks-iif")
    preview(FileWorkbook.open(path), today=EXPORT_DATE)
    cell = export_cell(path, "quickbooks-iif", "TRNS", "MEMO")
    type_into(path, "Export", [(cell, "Job\t24-1001")])
    shown = preview(FileWorkbook.open(path), today=EXPORT_DATE)
    (error,) = [f"{problem_cell(p)}: {p}" for p in shown.problems if p.severity == "error"]
    assert error == (f"Export!{cell}: Invoice 10041, TRNS MEMO: your correction 'Job\t24-1001': a TAB inside a value "
                     "would break the IIF row; remove it in the Mapping (e.g. a clean-text transform).")


def test_the_demos_clerk_maps_a_long_name_as_a_clerk_would(tmp_path: Path) -> None:
    from stac_xl.sandbox.clerk import fill_sandbox_lookups

    path = book_with(tmp_path / "ar.xlsx", "quickbooks-iif", Customer=LONG_NAME)
    book = FileWorkbook.open(path)
    fill_sandbox_lookups(book)
    book.save()
    assert preview(FileWorkbook.open(path), today=EXPORT_DATE).errors == 0
    done = export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path, now=NOW)
    assert file_value(done.path, "quickbooks-iif", "TRNS", "NAME") == LONG_NAME[:41].rstrip()
