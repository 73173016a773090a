"""``FileWorkbook``: the workbook port over an .xlsx/.xlsm file, through openpyxl.

Used by the CLI and the tests. The whole book is loaded (not read-only) because actions
rewrite some sheets and everything else, including an .xlsm's VBA project, must survive.
Saving writes a temp file in the same folder and renames it over the workbook, so a
failed save never leaves a half-written book. Every failure a clerk can cause is a
``WorkbookError`` with one sentence.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

from openpyxl import Workbook, load_workbook
from openpyxl.styles.numbers import is_datetime
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from stac_xl.book import file_sheet, layout
from stac_xl.book.cells import trim_grid
from stac_xl.book.layout import SETTINGS, SHEET_ORDER, new_workbook_layout, not_stac_message
from stac_xl.book.lock import save_temp_prefix
from stac_xl.book.port import CellMark
from stac_xl.book.table import Table
from stac_xl.errors import WorkbookError

EXCEL_SUFFIXES = (".xlsx", ".xlsm")


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


def _load(path: Path) -> Workbook:
    """Load any .xlsx/.xlsm, keeping VBA for .xlsm; every failure as one sentence."""
    if path.is_dir():
        raise WorkbookError(f"{path} is a folder, not an Excel workbook.")
    if not path.exists():
        raise WorkbookError(f"The workbook {path} does not exist.")
    refuse_if_open_in_excel(path)
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        raise _not_excel(path)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (e.g. some extensions): noise to a clerk.
            warnings.simplefilter("ignore")
            book = load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
        _hold_vba_in_memory(book, path)
        return book
    except PermissionError as exc:
        raise WorkbookError(f"{path} cannot be read (permission denied).") from exc
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, SyntaxError) as exc:
        # SyntaxError covers xml.etree's ParseError: the zip holds something that is not xlsx.
        raise _not_excel(path) from exc


def _hold_vba_in_memory(book: Workbook, path: Path) -> None:
    """openpyxl keeps an .xlsm's zip open to copy its VBA on save. An open handle would stop
    the atomic replace on Windows and leak a file object, so keep a copy in memory instead."""
    archive = getattr(book, "vba_archive", None)
    if archive is None:
        return
    book.vba_archive = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    archive.close()


@lru_cache(maxsize=256)
def _is_date_only(number_format: str) -> bool:
    """True for a format that shows a date without a time (openpyxl reads both as datetime)."""
    return is_datetime(number_format) == "date"


def _file_mode(target: Path) -> int:
    """Permissions for the saved file: the old file's, else the usual ones for a new file."""
    if target.exists():
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


class FileWorkbook:
    """A STAC workbook file, loaded whole; implements ``WorkbookPort``.

    Build it with :meth:`create`, :meth:`open` or :meth:`adopt`; changes reach the disk only
    on :meth:`save`. ``stream`` receives status lines (default: stderr at the time).
    """

    def __init__(self, path: Path, book: Workbook, *, stream: TextIO | None = None) -> None:
        self._path = path
        self._book = book
        self._stream = stream
        self._cached: dict[str, dict[tuple[int, int], Any]] = {}

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
        book = Workbook()
        book.remove(book.active)
        for sheet_layout in new_workbook_layout():
            file_sheet.lay_out(book.create_sheet(sheet_layout.name), sheet_layout)
        book.active = 0
        workbook = cls(path, book, stream=stream)
        workbook.save()
        return workbook

    @classmethod
    def open(cls, path: str | Path, *, stream: TextIO | None = None) -> FileWorkbook:
        """Load an existing STAC workbook (.xlsx or .xlsm, VBA kept)."""
        path = Path(path)
        book = _load(path)
        a1 = book[SETTINGS]["A1"].value if SETTINGS in book.sheetnames else None
        message = not_stac_message(str(path), book.sheetnames, a1)
        if message:
            raise WorkbookError(message)
        return cls(path, book, stream=stream)

    @classmethod
    def adopt(cls, path: str | Path, *, stream: TextIO | None = None) -> FileWorkbook:
        """Load any workbook and add the STAC sheets after its own (not saved yet).

        For a clerk who wants STAC in an existing book, e.g. a macro workbook of their own.
        Refuses a book that already has a sheet with a STAC name.
        """
        path = Path(path)
        book = _load(path)
        for name in SHEET_ORDER:
            if name in book.sheetnames:
                raise WorkbookError(f"{path} already has a sheet called {name}; rename it and try again.")
        for sheet_layout in new_workbook_layout():
            file_sheet.lay_out(book.create_sheet(sheet_layout.name), sheet_layout)
        return cls(path, book, stream=stream)

    def sheet_names(self) -> list[str]:
        """Names of the sheets, in tab order."""
        return list(self._book.sheetnames)

    def _sheet(self, name: str) -> Worksheet:
        if name not in self._book.sheetnames:
            raise WorkbookError(f"{self._path.name} has no {name} sheet.")
        sheet = self._book[name]
        if not isinstance(sheet, Worksheet):
            raise WorkbookError(f"{name} in {self._path.name} is a chart, not a sheet of cells.")
        return sheet

    def read_grid(self, sheet: str) -> list[list[Any]]:
        """All used cells of ``sheet`` as rows, row 1 first, trailing empties trimmed.

        A date-only format gives a ``date``; a formula gives the value Excel last computed,
        or its own text (``=A1*2``) if no Excel ever calculated it (a file a program wrote),
        so the checks can name it instead of reading it as an empty cell.
        """
        ws = self._sheet(sheet)
        return trim_grid([[self._cell_value(sheet, c) for c in cells] for cells in ws.iter_rows()])

    def _cell_value(self, sheet: str, cell: Any) -> Any:
        value = cell.value
        if cell.data_type == "f":
            return self._cached_values(sheet).get((cell.row, cell.column), value)
        if isinstance(value, datetime) and _is_date_only(cell.number_format):
            return value.date()
        return value

    def _cached_values(self, sheet: str) -> dict[tuple[int, int], Any]:
        """Values Excel stored for the formulas of ``sheet`` (a second, read-only load)."""
        if sheet not in self._cached:
            values: dict[tuple[int, int], Any] = {}
            if self._path.exists():
                book = load_workbook(self._path, read_only=True, data_only=True)
                try:
                    if sheet in book.sheetnames:
                        for r, row in enumerate(book[sheet].iter_rows(values_only=True), start=1):
                            values.update(((r, c), v) for c, v in enumerate(row, start=1) if v is not None)
                finally:
                    book.close()
            self._cached[sheet] = values
        return self._cached[sheet]

    def write_table(self, sheet: str, table: Table, *, hidden_columns: Sequence[str] = ()) -> None:
        """Replace ``sheet`` with ``table`` (header, formats by kind, freeze, filter, widths)."""
        ws = file_sheet.replace_sheet(self._book, sheet)
        self._cached.pop(sheet, None)
        file_sheet.write_table(ws, table, hidden_columns)

    def write_grid(
        self, sheet: str, rows: list[list[Any]], *, start_row: int = 1, start_column: int = 1, clear: bool = False
    ) -> None:
        """Write plain rows at (``start_row``, ``start_column``); a missing sheet is added at
        the end. ``clear`` starts from an empty sheet, keeping the tab; titles and header
        rows the layout knows (Mapping, Lookups, Settings) are styled again."""
        if clear or sheet not in self._book.sheetnames:
            ws = file_sheet.replace_sheet(self._book, sheet)
        else:
            ws = self._sheet(sheet)
        file_sheet.write_rows(ws, rows, start_row, start_column)
        if clear:
            file_sheet.style_known_rows(ws, layout.styled_rows(sheet, rows))
            file_sheet.set_widths(ws, layout.widths_of(sheet))

    def hide_sheet(self, sheet: str) -> None:
        """Hide ``sheet``; Excel shows it again through Format ▸ Unhide."""
        self._sheet(sheet).sheet_state = "hidden"

    def mark_cells(self, sheet: str, marks: Sequence[CellMark]) -> None:
        """Fill marked cells (error red, warning yellow, edited blue); notes as comments."""
        file_sheet.mark(self._sheet(sheet), marks)

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
        os.close(handle)
        temp = Path(temp_name)
        try:
            self._book.save(temp)
            with open(temp, "rb") as written:
                os.fsync(written.fileno())
            os.chmod(temp, _file_mode(self._path))
            os.replace(temp, self._path)
        except OSError as exc:
            raise self._save_error(exc) from exc
        finally:
            temp.unlink(missing_ok=True)

    def _save_error(self, exc: OSError) -> WorkbookError:
        if isinstance(exc, PermissionError):
            return WorkbookError(
                f"Cannot save {self._path} (permission denied); "
                "close it in Excel or check the folder is writable."
            )
        if isinstance(exc, FileNotFoundError):
            return WorkbookError(f"Cannot save {self._path}: the folder {self._path.parent} does not exist.")
        return WorkbookError(f"Cannot save {self._path}: {exc.strerror or exc}.")
