"""What the *ServiceTrade* ribbon buttons run.

Every button calls the add-in's one VBA Sub, which runs ``dispatch(<button id>)`` in a fresh
Python. ``dispatch`` is the only place that asks xlwings for the clicked book; each handler
takes that book and a ``ClerkDialogs`` (message boxes and questions), so tests run the
same handlers over an in-memory xlwings engine with scripted answers. A button id may carry
an argument after a dot: ``load_preset.quickbooks-iif`` is Load preset ▸ QuickBooks.

Errors become one message box: a :class:`StacError` with the sentence the CLI prints;
anything else (xlwings, COM, a bug) with one sentence pointing to the support log, where
the traceback went.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from stac_xl.errors import StacError
from stac_xl.excel.dialogs import ClerkDialogs
from stac_xl.excel.ledger_buttons import confirm_import, undo_export

if TYPE_CHECKING:
    import xlwings as xw

    from stac_xl.book.live import LiveWorkbook

TITLE = "ServiceTrade"
HELP_TEXT = (
    "1. Fetch invoices: the invoices created in the last 'Days to fetch' days land on Invoices "
    "(cells you corrected there are kept, in blue).\n"
    "2. Preview: Mapping turns them into the import file's records on Export; problems are coloured.\n"
    "3. Correct cells on Export if needed (a later Preview keeps your corrections).\n"
    "4. Export: the file is written to the Output folder and logged on Log.\n"
    "5. Import it into your accounting system, then Confirm import (or say it did not work).\n"
    "Undo export voids a batch so its invoices can be exported again.\n\n"
    "Load preset fills Mapping and Lookups for your accounting system. Sign in stores your "
    "ServiceTrade password in Windows Credential Manager, never in the workbook.\n"
    "The same actions exist on the command line: stac-xl --help."
)
SIGN_IN_MESSAGE = (
    "Your ServiceTrade username and password. stac_xl keeps them in Windows Credential Manager, "
    "never in the workbook."
)
# The answers to the two questions that guard the clerk's work.
KEEP_LOOKUPS, REPLACE_LOOKUPS = "Keep my rows", "Replace them with the samples"
KEEP_INVOICES, EMPTY_INVOICES = "Keep the Invoices sheet", "Empty it"
# Read from the folder, not through stac_xl.presets, which is slow to import for every click.
PRESET_FOLDER = Path(__file__).resolve().parents[1] / "presets"


Handler = Callable[["xw.Book", ClerkDialogs], str | None]


def _live(book: xw.Book) -> LiveWorkbook:
    from stac_xl.book.live import LiveWorkbook

    return LiveWorkbook(book)


def _folder_of(book: xw.Book) -> Path:
    """The workbook's folder (exports go there unless Settings say otherwise)."""
    from xlwings import XlwingsError

    from stac_xl.errors import ExportError

    try:
        full = Path(book.fullname)
    except XlwingsError:  # OneDrive/SharePoint: xlwings found no local copy of the file
        raise ExportError("This workbook is on OneDrive or SharePoint, so Export cannot write next to it: "
                          "set Output folder on Settings to a folder on this PC.") from None
    if not full.parent or str(full.parent) in ("", "."):
        raise ExportError("Save this workbook first (or set Output folder on Settings): Export writes next to it.")
    return full.parent


def new_workbook(book: xw.Book, ui: ClerkDialogs) -> str:
    """A STAC workbook laid out as ``stac-xl new`` makes it: in the clicked book if that is
    an empty new one (Excel's Book1, or the one the add-in opened), else in a new book."""
    from stac_xl.book.layout import SHEET_ORDER, new_workbook_layout

    target = book if _is_blank(book) else book.app.books.add()
    live = _live(target)
    for layout in new_workbook_layout():
        live.lay_out(layout)
    for sheet in list(target.sheets):
        if sheet.name not in SHEET_ORDER:
            sheet.delete()
    target.sheets[0].activate()
    return "A new STAC workbook is ready. Next: Load preset, then Sign in and Fetch invoices."


def _is_blank(book: xw.Book) -> bool:
    """One sheet with nothing on it."""
    sheets = book.sheets
    if len(sheets) != 1:
        return False
    used = sheets[0].used_range
    return bool(used.address == "$A$1" and used.value is None)


def sign_in(book: xw.Book, ui: ClerkDialogs) -> str | None:
    """Ask for the ServiceTrade username and password and keep them in the credential store,
    for the host on this workbook's Settings (saying so when it is not ServiceTrade's)."""
    from stac_xl.servicetrade.credentials import (
        SERVICETRADE_HOST,
        host_of,
        saved_username,
        store_credentials,
        untrusted_host,
    )

    base_url = _sign_in_address(book)
    warning = "" if host_of(base_url) == SERVICETRADE_HOST else f"{untrusted_host(base_url)}.\n\n"
    try:
        saved = saved_username(base_url)
    except StacError:
        saved = None
    answer = ui.credentials(warning + SIGN_IN_MESSAGE, saved or "")
    if answer is None:
        return None
    username, password = answer
    host = store_credentials(username, password, base_url=base_url)
    return (f"Signed in as {username.strip()} at {host}: the password is in Windows Credential Manager, "
            "not in this workbook.")


def _sign_in_address(book: xw.Book) -> str:
    """The Base URL a Sign in is for: this workbook's, or ServiceTrade's own for a book without Settings."""
    from stac_xl.servicetrade.address import check_base_url  # not the client: no HTTP library for Sign in
    from stac_xl.servicetrade.credentials import SERVICETRADE_BASE_URL
    from stac_xl.settings import read_settings

    try:
        base_url = read_settings(_live(book).read_grid("Settings")).base_url
    except StacError:
        base_url = SERVICETRADE_BASE_URL
    return check_base_url(base_url)


def fetch(book: xw.Book, ui: ClerkDialogs) -> str:
    """Fetch the last 'Days to fetch' days of invoices onto *Invoices*; a fetch that finds
    none asks before it empties a sheet of invoices not exported yet."""
    from stac_xl.actions.fetch import fetch_invoices

    def empty_anyway(question: str) -> bool:
        return ui.choose(question, [KEEP_INVOICES, EMPTY_INVOICES]) == 1

    # No credentials here: fetch finds the ones bound to the address it uses.
    return fetch_invoices(_live(book), ask=empty_anyway).summary()


def preview(book: xw.Book, ui: ClerkDialogs) -> str:
    """Map *Invoices* onto *Export*, marking every problem."""
    from stac_xl.actions.preview import preview as run_preview

    return run_preview(_live(book)).summary()


def export(book: xw.Book, ui: ClerkDialogs) -> str:
    """Validate *Export* and write the import file."""
    from stac_xl.actions.export import export as run_export

    result = run_export(_live(book), book_folder=lambda: _folder_of(book))
    return f"{result.summary()}\nSHA-256 {result.sha256}"


def load_preset(book: xw.Book, ui: ClerkDialogs) -> str | None:
    """Offer the accounting systems in a numbered list, then load the one chosen."""
    from stac_xl.presets import get_preset, preset_names

    names = preset_names()
    index = ui.choose("Which accounting system is the import file for?", [get_preset(n).title for n in names])
    return None if index is None else _load_named(book, names[index], ui)


def _load_named(book: xw.Book, name: str, ui: ClerkDialogs) -> str:
    """Load preset ``name``; the clerk's rows on *Lookups* are kept unless they say replace."""
    from stac_xl.presets import load_preset as run_load

    def replace(question: str) -> bool:
        return ui.choose(question, [KEEP_LOOKUPS, REPLACE_LOOKUPS]) == 1

    return run_load(_live(book), name, ask=replace).summary()


def _preset_loader(name: str) -> Handler:
    def load(book: xw.Book, ui: ClerkDialogs) -> str:
        return _load_named(book, name, ui)

    load.__doc__ = f"Load preset ▸ {name}: load that preset without asking which."
    return load


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
    "confirm_import": confirm_import,
    "undo_export": undo_export,
    "load_preset": load_preset,
    "help": show_help,
    "self_test": self_test,
    **{f"load_preset.{path.stem}": _preset_loader(path.stem) for path in sorted(PRESET_FOLDER.glob("*.json"))},
}
LABELS = {"new_workbook": "New workbook", "sign_in": "Sign in", "fetch": "Fetch invoices", "preview": "Preview",
          "export": "Export", "confirm_import": "Confirm import", "undo_export": "Undo export",
          "load_preset": "Load preset", "help": "Help", "self_test": "The self-test"}


def run_action(action: str, book: xw.Book, ui: ClerkDialogs) -> bool:
    """Run one ribbon action on ``book``; tell the clerk the outcome. True if it succeeded."""
    from stac_xl.book.live import progress

    handler = HANDLERS.get(action)
    if handler is None:
        ui.tell(f"This version of stac_xl has no '{action}' action; run install.ps1 again to update the add-in.")
        return False
    try:
        with progress(book), _book_lock(book, action):
            message = handler(book, ui)
    except StacError as exc:
        ui.tell(_with_problems(exc))
        return False
    except Exception as exc:  # xlwings, COM or our own bug: one sentence, the rest for support
        ui.tell(unexpected_failure(action, exc))
        return False
    if message:
        ui.tell(message)
    return True


# The buttons that change the book: each holds its lock, so no stac-xl command writes the
# file meanwhile (and one already writing it is said, not saved over).
WRITING = frozenset({"fetch", "preview", "export", "confirm_import", "undo_export", "load_preset"})


def _book_lock(book: xw.Book, action: str) -> contextlib.AbstractContextManager[None]:
    from stac_xl.book.lock import excel_book_lock

    if action.partition(".")[0] not in WRITING:
        return contextlib.nullcontext()
    return excel_book_lock(Path(_live(book).name), command=f"the {LABELS[action.partition('.')[0]]} button in Excel")


def unexpected_failure(action: str, exc: BaseException) -> str:
    """The clerk's sentence for a failure that is not a :class:`StacError`; the traceback
    goes to the support log."""
    from stac_xl.excel.support_log import record_failure

    label = LABELS.get(action.partition(".")[0], action)
    log = record_failure(action, exc)
    where = (f"the details are in {log} for whoever supports stac_xl" if log is not None
             else "try again, and if it happens again run install.ps1 to repair stac_xl")
    if _from_xlwings(exc):
        return f"Excel refused a step of {label}; {where}."
    return f"{label} stopped on a problem stac_xl did not expect; {where}."


def _from_xlwings(exc: BaseException) -> bool:
    module = type(exc).__module__
    return module.startswith(("xlwings", "pywintypes")) or type(exc).__name__ == "com_error"


def _with_problems(exc: StacError, limit: int = 15) -> str:
    problems = [str(p) for p in getattr(exc, "problems", [])]
    if not problems:
        return str(exc)
    more = f"\n… and {len(problems) - limit} more." if len(problems) > limit else ""
    return str(exc) + "\n\n" + "\n".join(problems[:limit]) + more


def dispatch(action: str, dialogs: ClerkDialogs | None = None) -> None:
    """Entry point the add-in's VBA calls: find the clicked book, run the action.

    ``dialogs`` defaults to Excel's own boxes; a test passes scripted ones.
    """
    import xlwings as xw

    try:
        book = xw.Book.caller()
    except Exception as exc:
        # No book to show a box in: the sentence goes to stderr, which RunPython shows.
        raise SystemExit(unexpected_failure(action, exc)) from None
    if dialogs is None:
        from stac_xl.excel.dialogs import ExcelDialogs

        dialogs = ExcelDialogs(book.app, TITLE)
    run_action(action, book, dialogs)
