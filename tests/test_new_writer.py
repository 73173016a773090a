"""A new file kind needs no edit outside ``writers/``: a writer defined in this test, with a
Settings row and an invariant of its own, is registered through the registry's public
function and exports through the real actions (new workbook → Invoices rows → Preview →
Export), its row read by the name it declares and its file holding its own layout."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

import pytest
from invoice_fixtures import EXPORT_DATE, SHARED_ROWS

from stac_xl.actions.export import export
from stac_xl.actions.preview import preview
from stac_xl.book.file import FileWorkbook
from stac_xl.book.table import Table
from stac_xl.errors import ConfigError, ValidationFailed
from stac_xl.invoices.columns import DEFAULT_COLUMNS
from stac_xl.presets import merge_settings
from stac_xl.problems import Problem
from stac_xl.records import OutputRecord, RecordSpec
from stac_xl.settings import read_by, read_settings, setting_note
from stac_xl.writers import BaseWriter, WriterOptions, WriterSetting, WriteSummary, register_writer, unregister_writer
from stac_xl.writers.base import LineSink, SpecIndex, coerce_options

NOW = datetime(2024, 3, 20, 17, 5, 0)


# --- the throwaway writer: everything a new file kind brings, in one place ---------------------

class LedgerOptions(WriterOptions):
    """One option of its own besides the shared encoding and line ending."""

    separator: str = " | "


SEPARATOR = WriterSetting(
    "Ledger separator", "separator", "Ledger files only: what stands between two values on a line.",
    default=" | ",
)


class LedgerWriter(BaseWriter):
    """``RECORD: value<sep>value…`` per record; a value may not hold the separator."""

    key: ClassVar[str] = "ledger"
    title: ClassVar[str] = "Ledger lines (a test's file kind)"
    options_model: ClassVar[type[WriterOptions]] = LedgerOptions
    settings: ClassVar[tuple[WriterSetting, ...]] = (*BaseWriter.settings, SEPARATOR)
    extension: str = ".led"

    def __init__(self, options: LedgerOptions | Mapping[str, Any] | None = None):
        self.options: LedgerOptions = coerce_options(LedgerOptions, options, self.key)

    def write(self, specs: Sequence[RecordSpec], records: Iterable[OutputRecord], stream: BinaryIO) -> WriteSummary:
        sink, index, count = LineSink(stream, self.options), SpecIndex(specs), 0
        for count, record in enumerate(records, start=1):
            source = index.locate(count - 1, record)
            sink.write_line(f"{source.spec.name}: {self.options.separator.join(source.values)}", source)
        return WriteSummary(records=count, bytes=sink.bytes)

    def check(self, specs: Sequence[RecordSpec], records: Sequence[OutputRecord]) -> list[Problem]:
        separator = self.options.separator.strip()
        return [Problem("error", f"'{separator}' would split this value in a ledger file.", None, record.invoice_id,
                        index, position, record.record)
                for index, record in enumerate(records)
                for position, value in enumerate(record.values) if separator and separator in value]


@pytest.fixture
def ledger() -> Iterator[type[LedgerWriter]]:
    register_writer(LedgerWriter)
    try:
        yield LedgerWriter
    finally:
        unregister_writer(LedgerWriter.key)  # the shipped writers' tests expect only theirs


# --- a clerk's workbook for it ----------------------------------------------------------------

MAPPING = [
    ["Records"], ["Record", "When", "Header row", "Only if", "Notes"],
    ["INV", "invoice", "no"], ["LINE", "line", "no"], [],
    ["Rules"], ["Record", "Field", "Source", "Transform", "Default", "Required", "Max length", "Notes"],
    ["INV", "Number", "Invoice number", None, None, "yes"],
    ["INV", "Customer", "Customer", None, None, "yes"],
    ["INV", "Total", "Invoice total", "number(2)", None, "yes"],
    ["LINE", "Description", "Description", None, None, "yes"],
    ["LINE", "Amount", "[line amount]", "number(2)", None, "yes"],
]


def ledger_book(path: Path, rows: list[dict[str, Any]], separator: str) -> FileWorkbook:
    """A new workbook set to the ledger file type, the way Load preset sets a profile's rows."""
    book = FileWorkbook.create(path)
    settings = merge_settings(book.read_grid("Settings"), {"File type": "ledger", "Ledger separator": separator})
    book.write_grid("Settings", settings, clear=True)
    book.write_grid("Mapping", MAPPING, clear=True)
    book.write_table("Invoices", Table(list(DEFAULT_COLUMNS), [[row.get(c.name) for c in DEFAULT_COLUMNS] for row in rows]))
    book.save()
    return FileWorkbook.open(path)


def expected_lines(rows: list[dict[str, Any]], separator: str) -> list[str]:
    """The ledger layout, worked out from the Invoices rows themselves."""
    lines, seen = [], set()
    for row in rows:
        if row["Invoice id"] not in seen:
            seen.add(row["Invoice id"])
            values = [row["Invoice number"], row["Customer"], format(row["Invoice total"], ".2f")]
            lines.append("INV: " + separator.join(values))
        lines.append("LINE: " + separator.join([row["Description"], format(row["Line total"], ".2f")]))
    return lines


def test_a_registered_writer_exports_through_preview_and_export(tmp_path: Path, ledger: type[LedgerWriter]) -> None:
    book = ledger_book(tmp_path / "ar.xlsx", SHARED_ROWS, ";")
    result = preview(book, today=EXPORT_DATE)
    assert result.problems == []
    done = export(FileWorkbook.open(tmp_path / "ar.xlsx"), out=tmp_path, book_folder=tmp_path, now=NOW)
    assert done.path.name == "generic-csv-20240320-170500.led"  # the writer's extension
    assert done.path.read_bytes().decode("utf-8").split("\r\n") == [*expected_lines(SHARED_ROWS, ";"), ""]
    assert (done.invoices, done.lines) == (2, 4)


def test_its_settings_row_is_written_with_its_note_and_read_by_its_name(tmp_path: Path,
                                                                         ledger: type[LedgerWriter]) -> None:
    ledger_book(tmp_path / "ar.xlsx", SHARED_ROWS, " ; ")
    grid = FileWorkbook.open(tmp_path / "ar.xlsx").read_grid("Settings")
    assert grid[-1] == ["Ledger separator", " ; ", SEPARATOR.note]
    assert setting_note("ledger SEPARATOR") == SEPARATOR.note and read_by("Ledger separator") == "the ledger writer"
    settings = read_settings(grid)
    assert settings.text_of(SEPARATOR) == ";" and "Ledger separator" not in settings.other  # the sheet's text, trimmed


def test_its_own_check_runs_on_preview_and_blocks_export(tmp_path: Path, ledger: type[LedgerWriter]) -> None:
    rows = [dict(row) for row in SHARED_ROWS]
    rows[1]["Description"] = "Replace head; 3 of them"
    book = ledger_book(tmp_path / "ar.xlsx", rows, ";")
    result = preview(book, today=EXPORT_DATE)
    assert [(p.record, p.record_index, p.message) for p in result.problems] == [
        ("LINE", 2, "';' would split this value in a ledger file.")]
    with pytest.raises(ValidationFailed, match=r"Export!B4: .*';' would split this value"):
        export(FileWorkbook.open(tmp_path / "ar.xlsx"), out=tmp_path, book_folder=tmp_path, now=NOW)


def test_a_value_its_options_refuse_names_its_settings_row(tmp_path: Path, ledger: type[LedgerWriter]) -> None:
    book = ledger_book(tmp_path / "ar.xlsx", SHARED_ROWS, " ; ")
    grid = book.read_grid("Settings")
    book.write_grid("Settings", merge_settings(grid, {"Encoding": "latin-9"}), clear=True)
    with pytest.raises(ConfigError, match="Settings: Encoding 'latin-9' cannot be used for ledger files: use utf-8"):
        preview(book, today=EXPORT_DATE)


def test_once_unregistered_the_file_type_is_unknown_again(tmp_path: Path) -> None:
    register_writer(LedgerWriter)
    unregister_writer("ledger")
    book = ledger_book(tmp_path / "ar.xlsx", SHARED_ROWS, " ; ")
    with pytest.raises(ConfigError, match="File type 'ledger' is not known; use one of delimited, fixed-width, iif, xml"):
        preview(book, today=EXPORT_DATE)


def test_the_registry_refuses_a_taken_key_and_a_row_declared_twice(ledger: type[LedgerWriter]) -> None:
    with pytest.raises(ValueError, match="already registered as 'ledger'"):
        register_writer(LedgerWriter)

    class Rival(LedgerWriter):
        key: ClassVar[str] = "rival"
        settings: ClassVar[tuple[WriterSetting, ...]] = (WriterSetting("Ledger separator", "separator", "another"),)

    with pytest.raises(ValueError, match="declares the Settings row 'Ledger separator', which another writer"):
        register_writer(Rival)
