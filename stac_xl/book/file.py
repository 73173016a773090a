"""``FileWorkbook``: the workbook port over an .xlsx/.xlsm file, for the CLI and the tests.

A command touches only what it changes. Sheets are read with python-calamine; a sheet the
command rewrites (Fetch: *Invoices*; Preview: *Export* and its helper) is generated as XML
straight from the table it was given, while the zip entry is written; a sheet that gets a
few cells (a *Log* row) has only those rows rebuilt; every other part of the package (VBA,
other sheets, defined names, styles, themes, parts nobody here understands) is carried over
as the compressed bytes it was stored as. Saving writes a temp file in the same folder,
flushes it to disk and renames it over the workbook, so a failed save never leaves a
half-written book. Every failure a clerk can cause is a ``WorkbookError`` with one sentence.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from python_calamine import CalamineWorkbook

from stac_xl.book import layout
from stac_xl.book.cells import trim_grid
from stac_xl.book.file_sheet import NewSheet
from stac_xl.book.layout import SETTINGS, SHEET_ORDER, new_workbook_layout, not_stac_message
from stac_xl.book.lock import save_temp_prefix
from stac_xl.book.port import CellMark
from stac_xl.book.table import Table
from stac_xl.book.xlsx_new import new_package
from stac_xl.book.xlsx_notes import patch_notes, stage_notes
from stac_xl.book.xlsx_package import Package, SheetEntry
from stac_xl.book.xlsx_patch import SheetEdits, patch_cells, sheet_look
from stac_xl.book.xlsx_styles import StyleSheet, new_styles_xml
from stac_xl.book.xlsx_values import fix_read_values, formula_texts, has_formulas_or_errors, release_freed_memory
from stac_xl.book.xlsx_zip import ZipSnapshot, file_stamp
from stac_xl.book.zip_guard import refuse_oversized
from stac_xl.errors import WorkbookError

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
STYLES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"


def lock_file(path: Path) -> Path:
    """The owner file Excel keeps next to a workbook while it is open: ``~$<name>``."""
    return path.with_name("~$" + path.name)


def refuse_if_open_in_excel(path: Path) -> None:
    """WorkbookError if Excel has ``path`` open (its lock file exists)."""
    lock = lock_file(path)
    if lock.exists():
        raise WorkbookError(f"{path} is open in Excel (lock file {lock.name}). Close it there and try again.")


def _not_excel(path: Path) -> WorkbookError:
    if path.suffix.lower() == ".xls":
        return WorkbookError(
            f"{path} is an old Excel 97-2003 (.xls) file; open it in Excel and save it as .xlsx."
        )
    return WorkbookError(f"{path} is not an Excel workbook (.xlsx or .xlsm).")


def _load(path: Path) -> Package:
    """Read any .xlsx/.xlsm into memory; every failure as one sentence."""
    if path.is_dir():
        raise WorkbookError(f"{path} is a folder, not an Excel workbook.")
    if not path.exists():
        raise WorkbookError(f"The workbook {path} does not exist.")
    refuse_if_open_in_excel(path)
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        raise _not_excel(path)
    try:
        with open(path, "rb") as handle:
            data, stamp = handle.read(), file_stamp(handle)
    except PermissionError as exc:
        raise WorkbookError(f"{path} cannot be read (permission denied).") from exc
    refuse_oversized(path, data)  # before any part is unpacked
    return _package(path, data, stamp)


def _package(path: Path, data: bytes, stamp: tuple[int, ...]) -> Package:
    """The package of ``data``, read from ``path`` (stamped ``stamp``): only its directory is
    kept, members are read from the file when needed."""
    try:
        return Package(ZipSnapshot(data, source=(path, stamp)))
    except (zipfile.BadZipFile, zlib.error, KeyError, ValueError, IndexError, UnicodeDecodeError) as exc:
        raise _not_excel(path) from exc


def _file_mode(target: Path) -> int:
    """Permissions for the saved file: the old file's, else the usual ones for a new file."""
    if target.exists():
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


class FileWorkbook:
    """A STAC workbook file; implements ``WorkbookPort``.

    Build it with :meth:`create`, :meth:`open` or :meth:`adopt`; changes reach the disk only
    on :meth:`save`. A table given to ``write_table`` is kept (not copied) until then, so
    the caller must not change it meanwhile. ``stream`` receives status lines (default:
    stderr at the time).
    """

    def __init__(self, path: Path, package: Package, *, stream: TextIO | None = None) -> None:
        self._path = path
        self._package = package
        self._stream = stream
        self._new: dict[str, NewSheet] = {}
        self._edits: dict[str, SheetEdits] = {}
        self._reader: CalamineWorkbook | None = None
        self._all_formats = False  # adopt: give the styles every STAC format at once
        self._primed: dict[str, list[list[Any]]] = {}  # read by open(), handed to the first read_grid
        self._on_disk = False  # the file holds exactly the snapshot's bytes

    @property
    def path(self) -> Path:
        """Where the workbook lives on disk."""
        return self._path

    @classmethod
    def create(
        cls, path: str | Path, *, overwrite: bool = False, stream: TextIO | None = None
    ) -> FileWorkbook:
        """Write a new STAC workbook (.xlsx) with every sheet laid out, and return it.

        An existing file is only replaced when ``overwrite`` is true.
        """
        path = Path(path)
        if path.suffix.lower() != ".xlsx":
            raise WorkbookError(f"A new STAC workbook must be an .xlsx file, not {path.name}.")
        if not path.parent.is_dir():
            raise WorkbookError(f"The folder {path.parent} does not exist.")
        if path.exists() and not overwrite:
            raise WorkbookError(f"{path} already exists; choose another name or allow overwriting it.")
        workbook = cls(path, Package(ZipSnapshot(new_package(new_styles_xml()))), stream=stream)
        workbook._add_stac_sheets()
        workbook._new[SHEET_ORDER[0]].selected = True
        workbook.save()
        return workbook

    @classmethod
    def open(cls, path: str | Path, *, stream: TextIO | None = None) -> FileWorkbook:
        """Load an existing STAC workbook (.xlsx or .xlsm, VBA kept)."""
        path = Path(path)
        workbook = cls(path, _load(path), stream=stream)
        workbook._reader = workbook._open_on_disk()
        names = workbook.sheet_names()
        a1 = None
        if SETTINGS in names:
            settings = workbook.read_grid(SETTINGS)
            a1 = settings[0][0] if settings and settings[0] else None
            workbook._primed[SETTINGS] = settings  # the action reads it next: not twice
        message = not_stac_message(str(path), names, a1)
        if message:
            workbook.close()
            raise WorkbookError(message)
        return workbook

    @classmethod
    def adopt(cls, path: str | Path, *, stream: TextIO | None = None) -> FileWorkbook:
        """Load any workbook and add the STAC sheets after its own (not saved yet).

        For a clerk who wants STAC in an existing book, e.g. a macro workbook of their own.
        Refuses a book that already has a sheet with a STAC name.
        """
        path = Path(path)
        workbook = cls(path, _load(path), stream=stream)
        workbook._reader = workbook._open_on_disk()
        for name in SHEET_ORDER:
            if workbook._package.sheet(name) is not None:
                raise WorkbookError(f"{path} already has a sheet called {name}; rename it and try again.")
        workbook._add_stac_sheets()
        workbook._all_formats = True
        return workbook

    def _add_stac_sheets(self) -> None:
        for sheet_layout in new_workbook_layout():
            sheet = NewSheet()
            sheet.lay_out(sheet_layout)
            self._replace(sheet_layout.name, sheet)

    def close(self) -> None:
        """Let go of the reader (nothing unsaved is written)."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def sheet_names(self) -> list[str]:
        """Names of the sheets, in tab order."""
        return [s.name for s in self._package.sheets]

    def _sheet(self, name: str) -> SheetEntry:
        entry = self._package.sheet(name)
        if entry is None:
            raise WorkbookError(f"{self._path.name} has no {name} sheet.")
        if not entry.is_worksheet:
            raise WorkbookError(f"{name} in {self._path.name} is a chart, not a sheet of cells.")
        return entry

    def read_grid(self, sheet: str) -> list[list[Any]]:
        """All used cells of ``sheet`` as rows, row 1 first, trailing empties trimmed.

        A date-only format gives a ``date``; a formula gives the value Excel last computed
        (None if the file was never calculated by Excel). A whole number is an ``int``.
        """
        entry = self._sheet(sheet)
        if entry.name in self._new:
            return self._new[entry.name].grid()
        grid = self._primed.pop(entry.name, None) or self._read_stored(entry)
        edits = self._edits.get(entry.name)
        return trim_grid(edits.overlay(grid) if edits else grid)

    def _read_stored(self, entry: SheetEntry) -> list[list[Any]]:
        if self._reader is None:
            self._reader = self._open_reader()
        try:
            values = self._reader.get_sheet_by_name(entry.name).to_python(skip_empty_area=False)
        except Exception as exc:  # calamine has no public exception tree to name here
            raise WorkbookError(f"The {entry.name} sheet of {self._path.name} cannot be read ({exc}); "
                                "open the workbook in Excel and save it again.") from exc
        grid = fix_read_values(values)
        del values
        release_freed_memory()  # what calamine freed, or the next read peaks on top of it
        return self._with_formula_texts(entry, grid)

    def _with_formula_texts(self, entry: SheetEntry, grid: list[list[Any]]) -> list[list[Any]]:
        """``grid`` with formula and error cells calamine reads as empty filled in."""
        snapshot = self._package.snapshot
        if entry.part not in snapshot or not has_formulas_or_errors(snapshot.chunks(entry.part),
                                                                    self._package.head(entry.part)):
            return grid
        for (row, column), value in formula_texts(self._package.text(entry.part)).items():
            while len(grid) < row:
                grid.append([])
            line = grid[row - 1]
            line.extend([None] * (column - len(line)))
            if line[column - 1] is None:
                line[column - 1] = value
        return grid

    def _open_on_disk(self) -> CalamineWorkbook:
        """The reader on the file just read, opened at once so that it reads those bytes."""
        self._on_disk = True
        return self._open_reader()

    def _open_reader(self) -> CalamineWorkbook:
        """python-calamine on the bytes the package was read from: the file itself when it
        was just read or written (no second copy in memory), else the snapshot."""
        if self._on_disk:
            try:
                return CalamineWorkbook.from_path(str(self._path))
            except Exception as exc:  # calamine has no public exception tree to name here
                raise _not_excel(self._path) from exc
        return CalamineWorkbook.from_filelike(io.BytesIO(self._package.snapshot.data))

    def _replace(self, sheet: str, new: NewSheet) -> None:
        """``new`` takes the place of ``sheet`` (same tab, same tab colour); a new sheet
        goes at the end."""
        entry = self._package.sheet(sheet)
        if entry is None:
            entry = self._package.add_sheet(sheet)
        elif entry.name in self._new:
            old = self._new[entry.name]
            new.tab_color, new.selected = old.tab_color, old.selected
        elif self._package.has(entry.part):
            new.tab_color, new.selected = sheet_look(self._package.head(entry.part))
        self._new[entry.name] = new
        self._edits.pop(entry.name, None)

    def write_table(self, sheet: str, table: Table, *, hidden_columns: Sequence[str] = ()) -> None:
        """Replace ``sheet`` with ``table`` (header, formats by kind, freeze, filter, widths)."""
        if self._package.sheet(sheet) is not None:
            self._sheet(sheet)
        new = NewSheet()
        new.write_table(table, hidden_columns)
        self._replace(sheet, new)

    def write_grid(
        self, sheet: str, rows: list[list[Any]], *, start_row: int = 1, start_column: int = 1, clear: bool = False
    ) -> None:
        """Write plain rows at (``start_row``, ``start_column``); a missing sheet is added at
        the end. ``clear`` starts from an empty sheet, keeping the tab; titles and header
        rows the layout knows (Mapping, Lookups, Settings) are styled again."""
        entry = self._package.sheet(sheet)
        if entry is not None:
            self._sheet(sheet)
        if clear or entry is None:
            new = NewSheet()
            new.write_rows(rows, start_row, start_column)
            if clear:
                new.style_known_rows(layout.styled_rows(sheet, rows))
                new.widths = list(layout.widths_of(sheet))
            self._replace(sheet, new)
        elif entry.name in self._new:
            self._new[entry.name].write_rows(rows, start_row, start_column)
        else:
            self._edits.setdefault(entry.name, SheetEdits()).write_rows(rows, start_row, start_column)

    def hide_sheet(self, sheet: str) -> None:
        """Hide ``sheet``; Excel shows it again through Format ▸ Unhide."""
        self._package.set_state(self._sheet(sheet), "hidden")

    def mark_cells(self, sheet: str, marks: Sequence[CellMark]) -> None:
        """Fill marked cells (error red, warning yellow, edited blue); notes as comments."""
        entry = self._sheet(sheet)
        if entry.name in self._new:
            self._new[entry.name].mark(marks)
        else:
            self._edits.setdefault(entry.name, SheetEdits()).mark(list(marks))

    def status(self, message: str) -> None:
        """One progress line on the stream (stderr unless another was given)."""
        print(message, file=self._stream or sys.stderr, flush=True)

    def save(self) -> None:
        """Write the workbook atomically: temp file in the same folder, then rename."""
        refuse_if_open_in_excel(self._path)
        try:
            handle, temp_name = tempfile.mkstemp(
                prefix=save_temp_prefix(self._path), suffix=self._path.suffix, dir=self._path.parent
            )
        except OSError as exc:
            raise self._save_error(exc) from exc
        temp = Path(temp_name)
        try:
            staged = self._staged()
            with os.fdopen(handle, "w+b") as out:
                staged.write(out, now=datetime.now())
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, _file_mode(self._path))
            self.close()  # Windows cannot replace a file this process still reads
            os.replace(temp, self._path)
            with open(self._path, "rb") as saved:  # the book as saved is what later reads see
                package = Package(ZipSnapshot(None, source=(self._path, file_stamp(saved)), handle=saved))
        except OSError as exc:
            raise self._save_error(exc) from exc
        finally:
            temp.unlink(missing_ok=True)
        self._package, self._new, self._edits = package, {}, {}
        self._primed.clear()
        self._on_disk = True
        self._all_formats = False

    def _staged(self) -> Package:
        """A copy of the package with every pending change put in."""
        package = self._package.clone()
        styles = self._styles(package)
        for name, new in self._new.items():
            entry = package.sheet(name)
            assert entry is not None
            package.drop_related(entry.part)
            legacy = stage_notes(package, entry, new.notes)
            package.set_stream(entry.part, partial(new.chunks, styles, legacy))
            package.forget_calculations(entry)
            package.replace_filter_database(entry, new.filter)
            package.replace_print_titles(entry, "$1:$1" if new.printed_as_table else None)
        for name, edits in self._edits.items():
            entry = package.sheet(name)
            assert entry is not None
            xml = patch_cells(package.text(entry.part), edits, styles)
            if edits.notes:
                xml = patch_notes(package, entry, xml, edits.notes)
            package.set_text(entry.part, xml)
            package.forget_calculations(entry, cells=edits.touched())
        return package

    def _styles(self, package: Package) -> StyleSheet:
        """The styles part, found through the workbook's relationships (added if missing)."""
        rel = next((r for r in package.relationships(package.workbook_part) if r.type == STYLES_REL), None)
        if rel is None or not package.has(rel.target):
            part = "xl/styles.xml" if rel is None else rel.target
            package.set_text(part, new_styles_xml())
            package.add_override(part, STYLES_TYPE)
            if rel is None:
                package.add_relationship(package.workbook_part, STYLES_REL, part)
            rel_target = part
        else:
            rel_target = rel.target
        styles = StyleSheet(package.text(rel_target))
        if self._all_formats:
            styles.add_stac_formats()
        package.set_deferred(rel_target, lambda: styles.xml() if styles.changed else None)
        return styles

    def _save_error(self, exc: OSError) -> WorkbookError:
        if isinstance(exc, PermissionError):
            return WorkbookError(
                f"Cannot save {self._path} (permission denied); "
                "close it in Excel or check the folder is writable."
            )
        if isinstance(exc, FileNotFoundError):
            return WorkbookError(f"Cannot save {self._path}: the folder {self._path.parent} does not exist.")
        return WorkbookError(f"Cannot save {self._path}: {exc.strerror or exc}.")
