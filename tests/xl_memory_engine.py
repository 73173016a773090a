"""A dict-backed xlwings engine: xlwings' real ``Range`` and converters, no Excel.

Registered through xlwings' engine interface (shared/reference/excel-addin.md §6), so code
under test calls the ordinary xlwings API (``sheet["A1"].value = rows``,
``app.properties(...)``) and xlwings' own conversion pipeline runs. It also counts its
calls (what would each be a cross-process COM call in Excel) in ``engine.calls``, so a test
can show that writing N rows costs a constant number of calls.

Excel behaviour it imitates, because the live adapter depends on it: typed text is parsed
(a leading ``'`` stores the rest as text; ``=…`` becomes a formula; numeric text becomes a
number) unless the cell's number format is ``@``; ints are stored as floats; formats,
colours, fonts, widths, hidden columns and notes are recorded; multi-area addresses
(``"A1,C3:C9"``) up to 255 characters. :meth:`MemoryEngine.refuse_next` makes one call
fail, as Excel fails on a protected sheet or a lost connection.

It is strict where COM is (raising :class:`ComError`): values COM refuses or changes
(Decimal, NaN and infinity, aware datetimes, text over 32,767 characters, integers a
double cannot hold exactly), an address over 255 characters, activating a hidden sheet,
hiding the last visible one. Formatted cells count into the used range.

The clerk's side of Excel is scripted: ``App.alert`` (xlwings' message box) records the
message in ``engine.alerts``; ``app.api.InputBox`` answers from ``engine.typed`` (False,
Excel's Cancel, once they run out). A book can be given a cloud address
(:func:`put_on_onedrive`), whose ``fullname`` raises ``XlwingsError`` as xlwings does for
an unsynced OneDrive/SharePoint file. Gaps: no formula results, no date parsing of text,
no date serials; ``Book.caller()`` works through ``Book.set_mock_caller``.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import xlwings
from xl_memory_range import ComError, Range
from xl_memory_sheet import Sheet

_pids = itertools.count(1000)


class MemoryEngine:
    """The engine: ``name``/``type``, the apps, value cleaning, and the call counter."""

    name = "memory"
    type = "desktop"  # scalars are written in one call, as with Excel

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.apps = Apps(self)
        self.alerts: list[tuple[str, str | None]] = []  # (message, title) of each message box
        self.typed: list[str] = []  # what the clerk types into the next InputBoxes
        self._refusals: dict[str, Exception] = {}

    @property
    def total_calls(self) -> int:
        """All counted calls since the last :meth:`reset_calls`."""
        return sum(self.calls.values())

    def reset_calls(self) -> None:
        """Start counting from zero."""
        self.calls.clear()

    def count(self, what: str) -> None:
        """Record one call of kind ``what``; raise if a refusal of that kind is waiting."""
        self.calls[what] += 1
        refusal = self._refusals.pop(what, None)
        if refusal is not None:
            raise refusal

    def refuse_next(self, what: str, error: Exception) -> None:
        """Make the next call of kind ``what`` raise ``error``, as Excel does on a protected
        sheet, a busy cell editor or a dropped COM connection."""
        self._refusals[what] = error

    @staticmethod
    def clean_value_data(data: Any, datetime_builder: Any, empty_as: Any, number_builder: Any, err_to_str: Any) -> Any:
        """Raw 2-D values → Python (xlwings calls this on every read)."""
        def clean(value: Any) -> Any:
            if value is None or value == "":
                return empty_as
            if number_builder is not None and isinstance(value, float):
                return number_builder(value)
            return value
        return [[clean(v) for v in row] for row in data]

    @staticmethod
    def prepare_xl_data_element(x: Any, options: Any) -> Any:
        """Python → COM value, as the Windows engine does: None empty, a date a datetime.

        Unlike the Windows engine, NaN is not turned into an empty cell: it reaches the
        range, which refuses it, so a NaN that Excel would silently drop fails the test.
        """
        if x is None:
            return ""
        if isinstance(x, date) and not isinstance(x, datetime):
            return datetime(x.year, x.month, x.day)
        return x


def install() -> MemoryEngine:
    """Register a fresh memory engine with xlwings and make it the active one."""
    engine = MemoryEngine()
    xlwings.engines.add(xlwings.main.Engine(impl=engine))
    xlwings.engines.active = xlwings.engines[MemoryEngine.name]
    return engine


def new_book(engine: MemoryEngine, *sheet_names: str) -> xlwings.Book:
    """A new in-memory book (in a new app) with the given sheets."""
    app = engine.apps.add()
    book = app.books.add()
    if sheet_names:
        book.sheets(1).name = sheet_names[0]
    for name in sheet_names[1:]:
        book.sheets.add(after=book.sheets.last, name=name)
    engine.reset_calls()  # setting up is not the code under test
    return xlwings.Book(impl=book)


class Apps:
    """The apps of the engine, by pid."""

    def __init__(self, engine: MemoryEngine) -> None:
        self.engine, self._apps = engine, {}

    def keys(self) -> list[int]:
        return list(self._apps)

    def add(self, spec: Any = None, add_book: Any = None, xl: Any = None, visible: Any = None) -> App:
        app = App(self.engine)
        self.bring_to_front(app)
        return app

    def bring_to_front(self, app: App) -> None:
        """Make ``app`` the active one: xlwings takes the first app as active."""
        self._apps.pop(app.pid, None)
        self._apps = {app.pid: app, **self._apps}

    def __iter__(self) -> Iterator[App]:
        return iter(list(self._apps.values()))

    def __len__(self) -> int:
        return len(self._apps)

    def __getitem__(self, pid: int) -> App:
        return self._apps[pid]


class _Counted:
    """Attributes listed in ``_counted`` count one call per set, as COM property puts do."""

    _counted: tuple[str, ...] = ()
    engine: MemoryEngine

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._counted:
            self.engine.count(f"app.{name}")
        object.__setattr__(self, name, value)


class App(_Counted):
    """An app: the properties ``App.properties`` saves and restores are plain attributes."""

    _counted = ("screen_updating", "calculation", "status_bar", "display_alerts", "enable_events")

    def __init__(self, engine: MemoryEngine) -> None:
        object.__setattr__(self, "engine", engine)
        self.pid, self.books, self.api = next(_pids), Books(self), ExcelApi(engine)
        self.hwnd = self.pid * 16  # a window handle: any int Windows could give
        self.screen_updating, self.calculation, self.status_bar = True, "automatic", False
        self.display_alerts = self.enable_events = self.visible = self.interactive = True

    def alert(self, prompt: str, title: str | None, buttons: str, mode: str | None, callback: str | None) -> str:
        """Excel's message box: recorded; the clerk clicks OK."""
        self.engine.count("app.alert")
        self.engine.alerts.append((prompt, title))
        return "ok"

    def activate(self, steal_focus: bool = False) -> None:
        self.engine.apps.bring_to_front(self)

    def calculate(self) -> None: ...
    def quit(self) -> None: ...
    def kill(self) -> None: ...


class ExcelApi:
    """The one piece of Excel's object model the dialogs use: ``Application.InputBox``.

    Anything else (``ActiveWindow``, …) is missing, as the adapter's COM-only extras expect.
    """

    def __init__(self, engine: MemoryEngine) -> None:
        self._engine = engine

    def InputBox(self, prompt: str, title: str = "", default: str = "", Type: int = 2) -> str | bool:
        """What the clerk typed next, or False (Excel's Cancel) when nothing more is scripted."""
        self._engine.count("app.InputBox")
        return self._engine.typed.pop(0) if self._engine.typed else False


class Books:
    """The books of an app."""

    def __init__(self, app: App) -> None:
        self.app, self._books, self.api = app, [], None

    @property
    def active(self) -> Book:
        return self._books[-1]

    def __call__(self, name_or_index: int | str) -> Book:
        if isinstance(name_or_index, int):
            return self._books[name_or_index - 1]
        return next(b for b in self._books if b.name == name_or_index)

    def __len__(self) -> int:
        return len(self._books)

    def __iter__(self) -> Iterator[Book]:
        return iter(list(self._books))

    def add(self) -> Book:
        """A new book with one sheet, as Excel makes it."""
        book = Book(self.app, f"Book{len(self._books) + 1}")
        book.sheets.add(name="Sheet1")
        self._books.append(book)
        return book


class Book:
    """A book: a name and its sheets."""

    def __init__(self, app: App, name: str) -> None:
        self._app, self._name, self.api = app, name, None
        self._sheets = Sheets(self)
        self.cloud_url: str | None = None

    app = property(lambda self: self._app)
    name = property(lambda self: self._name)
    sheets = property(lambda self: self._sheets)

    @property
    def fullname(self) -> str:
        if self.cloud_url is not None:  # what xlwings' fullname_url_to_local_path raises
            raise xlwings.XlwingsError("Couldn't find your local OneDrive file, see: xlwings.org/error")
        return self._name

    def activate(self) -> None: ...

    def close(self) -> None:
        self._app.books._books.remove(self)


class Sheets:
    """The sheets of a book, in tab order."""

    def __init__(self, book: Book) -> None:
        self.book, self._sheets, self._active, self.api = book, [], None, None

    @property
    def active(self) -> Sheet:
        return self._active or self._sheets[0]

    @property
    def last(self) -> Sheet | None:
        """The last sheet in tab order (None in an empty book)."""
        return self._sheets[-1] if self._sheets else None

    def __call__(self, name_or_index: int | str) -> Sheet:
        if isinstance(name_or_index, int):
            return self._sheets[name_or_index - 1]
        for sheet in self._sheets:
            if sheet.name.lower() == name_or_index.lower():
                return sheet
        raise KeyError(name_or_index)

    def __contains__(self, name: str) -> bool:
        return any(s.name.lower() == name.lower() for s in self._sheets)

    def __len__(self) -> int:
        return len(self._sheets)

    def __iter__(self) -> Iterator[Sheet]:
        return iter(list(self._sheets))

    def add(self, before: Sheet | None = None, after: Sheet | None = None, name: str | None = None) -> Sheet:
        self.book.app.engine.count("sheets.add")
        name = name or f"Sheet{len(self._sheets) + 1}"
        if len(name) > 31 or any(ch in name for ch in "[]:*?/\\") or name in self:
            raise ValueError(f"Excel refuses the sheet name {name!r}")  # COM raises here too
        sheet = Sheet(self.book, name)
        at = self._sheets.index(before) if before else self._sheets.index(after) + 1 if after else 0
        self._sheets.insert(at, sheet)
        self._active = sheet
        return sheet


def put_on_onedrive(book: xlwings.Book) -> None:
    """Make ``book`` a OneDrive workbook with no local copy xlwings can find."""
    book.impl.cloud_url = f"https://d.docs.live.net/0123456789abcdef/{book.name}"


__all__ = ["ComError", "MemoryEngine", "Range", "Sheet", "install", "new_book", "put_on_onedrive"]
