"""What the *ServiceTrade* ribbon buttons run.

Every button calls the add-in's one VBA Sub, which runs ``dispatch(<button id>)`` in a fresh
Python. ``dispatch`` is the only place that asks xlwings for the clicked book; each handler
takes that book and a :class:`ClerkDialogs` (message boxes and questions), so tests run the
same handlers over an in-memory xlwings engine with scripted answers. Errors become one
message box with the same sentence the CLI prints.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from stac_xl.errors import StacError

if TYPE_CHECKING:
    import xlwings as xw

TITLE = "ServiceTrade"
HELP_TEXT = (
    "1. Fetch invoices: the invoices created in the last 'Days to fetch' days land on Invoices.\n"
    "2. Preview: Mapping turns them into the import file's records on Export; problems are coloured.\n"
    "3. Correct cells on Export if needed (a later Preview keeps your corrections).\n"
    "4. Export: the file is written to the Output folder and logged on Log.\n\n"
    "Load preset fills Mapping and Lookups for your accounting system. Sign in stores your "
    "ServiceTrade password in Windows Credential Manager, never in the workbook.\n"
    "The same actions exist on the command line: stac-xl --help."
)


class ClerkDialogs(Protocol):
    """The few ways a handler talks to the clerk."""

    def tell(self, message: str) -> None: ...
    def ask(self, question: str, default: str = "") -> str | None: ...
    def ask_secret(self, question: str) -> str | None: ...


Handler = Callable[["xw.Book", ClerkDialogs], str | None]


def _live(book: xw.Book):
    from stac_xl.book.live import LiveWorkbook

    return LiveWorkbook(book)


def _folder_of(book: xw.Book) -> Path:
    """The workbook's folder (exports go there unless Settings say otherwise)."""
    full = Path(book.fullname)
    if not full.parent or str(full.parent) in ("", "."):
        from stac_xl.errors import ExportError

        raise ExportError("Save this workbook first (or set Output folder on Settings): Export writes next to it.")
    return full.parent


def new_workbook(book: xw.Book, ui: ClerkDialogs) -> str:
    """A new workbook laid out as a STAC workbook (the clicked book is left alone)."""
    from stac_xl.book.layout import SHEET_ORDER, new_workbook_layout

    new = book.app.books.add()
    live = _live(new)
    for layout in new_workbook_layout():
        live.write_grid(layout.name, layout.rows, clear=True)
    for sheet in list(new.sheets):
        if sheet.name not in SHEET_ORDER:
            sheet.delete()
    return "A new STAC workbook is ready. Next: Load preset, then Sign in and Fetch invoices."


def sign_in(book: xw.Book, ui: ClerkDialogs) -> str | None:
    """Ask for the ServiceTrade username and password and keep them in the credential store."""
    from stac_xl.servicetrade.credentials import store_credentials

    username = ui.ask("ServiceTrade username:")
    if not username:
        return None
    password = ui.ask_secret(f"ServiceTrade password for {username}:")
    if not password:
        return None
    store_credentials(username.strip(), password)
    return f"Signed in as {username.strip()}: the password is in Windows Credential Manager, not in this workbook."


def fetch(book: xw.Book, ui: ClerkDialogs) -> str:
    """Fetch the last 'Days to fetch' days of invoices onto *Invoices*."""
    from stac_xl.actions.fetch import fetch_invoices
    from stac_xl.servicetrade.credentials import resolve_credentials

    return fetch_invoices(_live(book), credentials=resolve_credentials()).summary()


def preview(book: xw.Book, ui: ClerkDialogs) -> str:
    """Map *Invoices* onto *Export*, marking every problem."""
    from stac_xl.actions.preview import preview as run_preview

    return run_preview(_live(book)).summary()


def export(book: xw.Book, ui: ClerkDialogs) -> str:
    """Validate *Export* and write the import file."""
    from stac_xl.actions.export import export as run_export
    from stac_xl.settings import read_settings

    live = _live(book)
    folder_set = read_settings(live.read_grid("Settings")).output_folder
    result = run_export(live, book_folder=Path(folder_set) if folder_set else _folder_of(book))
    return f"{result.summary()}\nSHA-256 {result.sha256}"


def load_preset(book: xw.Book, ui: ClerkDialogs) -> str | None:
    """Ask which accounting system, then load its preset into Settings, Mapping, Lookups."""
    from stac_xl.presets import load_preset as run_load
    from stac_xl.presets import preset_names

    names = preset_names()
    answer = ui.ask("Which accounting system? Type one of:\n" + "\n".join(names), default=names[0])
    if not answer:
        return None
    run_load(_live(book), answer.strip())
    return f"Loaded the {answer.strip()} preset. Replace the sample rows on Lookups with your own."


def show_help(book: xw.Book, ui: ClerkDialogs) -> str:
    """The walkthrough, in a message box."""
    return HELP_TEXT


def self_test(book: xw.Book, ui: ClerkDialogs) -> None:
    """install.ps1's round trip: Excel → Python → a cell in Excel."""
    book.sheets.active.range("A1").value = "STAC ok"


HANDLERS: dict[str, Handler] = {
    "new_workbook": new_workbook,
    "sign_in": sign_in,
    "fetch": fetch,
    "preview": preview,
    "export": export,
    "load_preset": load_preset,
    "help": show_help,
    "self_test": self_test,
}


def run_action(action: str, book: xw.Book, ui: ClerkDialogs) -> bool:
    """Run one ribbon action on ``book``; tell the clerk the outcome. True if it succeeded."""
    from stac_xl.book.live import progress

    handler = HANDLERS.get(action)
    if handler is None:
        ui.tell(f"This version of stac_xl has no '{action}' action; run install.ps1 again to update the add-in.")
        return False
    try:
        with progress(book):
            message = handler(book, ui)
    except StacError as exc:
        ui.tell(_with_problems(exc))
        return False
    if message:
        ui.tell(message)
    return True


def _with_problems(exc: StacError, limit: int = 15) -> str:
    problems = [str(p) for p in getattr(exc, "problems", [])]
    if not problems:
        return str(exc)
    more = f"\n… and {len(problems) - limit} more." if len(problems) > limit else ""
    return str(exc) + "\n\n" + "\n".join(problems[:limit]) + more


def dispatch(action: str) -> None:
    """Entry point the add-in's VBA calls: find the clicked book, run the action."""
    import xlwings as xw

    from stac_xl.excel.dialogs import ExcelDialogs

    book = xw.Book.caller()
    run_action(action, book, ExcelDialogs(book.app, TITLE))
