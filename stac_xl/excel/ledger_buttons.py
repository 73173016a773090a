"""The ribbon's Confirm import and Undo export buttons: the export ledger from Excel.

Both are the CLI's actions (``stac-xl confirm``, ``stac-xl undo``) on the clicked book; what
the CLI takes as options the clerk answers in a list. Confirm import asks whether the
import worked (and, if not, why); Undo export offers this workbook's recent batches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import xlwings as xw

    from stac_xl.actions.ledger import Batch
    from stac_xl.excel.dialogs import ClerkDialogs
    from stac_xl.servicetrade.client import ServiceTradeClient
    from stac_xl.settings import Settings

WORKED, FAILED = "Yes: the import worked", "No: the import did not work"
KEEP, FORCE = "No: keep the batch", "Yes: I have taken these invoices out of my accounting system"
UNDO_CHOICES = 9  # the most recent batches offered


def _status_client(settings: Settings) -> ServiceTradeClient:
    """The ServiceTrade client Confirm writes statuses with: the address on Settings (or
    STAC_BASE_URL) and the sign-in bound to it, as Fetch uses them."""
    from stac_xl.actions.fetch import resolve_base_url
    from stac_xl.servicetrade.client import ServiceTradeClient, check_base_url
    from stac_xl.servicetrade.credentials import resolve_credentials

    url, origin = resolve_base_url(None, settings)
    url = check_base_url(url)
    return ServiceTradeClient(url, resolve_credentials(url, origin=origin), concurrency=settings.concurrency)


def confirm_import(book: xw.Book, ui: ClerkDialogs) -> str | None:
    """Confirm import: the latest exported batch of this workbook imported, or not (why)."""
    from stac_xl.actions.confirm import confirm
    from stac_xl.book.live import LiveWorkbook

    answer = ui.choose("Did the import of the last exported file into your accounting system work?", [WORKED, FAILED])
    if answer is None:
        return None
    reason = None
    if answer == 1:
        reason = ui.ask("What went wrong? (It is kept with the batch and on Log.)")
        if not reason or not reason.strip():
            return None
    return confirm(LiveWorkbook(book), client_factory=_status_client, failed=reason).summary()


def undo_export(book: xw.Book, ui: ClerkDialogs) -> str | None:
    """Undo export: void one of this workbook's recent batches so its invoices export again."""
    from stac_xl.actions.ledger import State
    from stac_xl.actions.ledger.listing import list_batches
    from stac_xl.actions.ledger.session import workbook_name
    from stac_xl.actions.undo import undo
    from stac_xl.book.live import LiveWorkbook
    from stac_xl.errors import ExportError

    live = LiveWorkbook(book)
    mine = workbook_name(live)
    undoable = [b for b in list_batches(live).batches
                if b.workbook == mine and b.state in (State.EXPORTED, State.CONFIRMED)][-UNDO_CHOICES:][::-1]
    if not undoable:
        raise ExportError("This workbook has no exported batch to undo.")
    index = ui.choose("Which export should be undone? Its invoices can then be exported again.",
                      [_label(b) for b in undoable])
    if index is None:
        return None
    batch = undoable[index]
    force = batch.state is State.CONFIRMED
    if force and ui.choose(f"Batch {batch.id} was confirmed as imported. Undo it anyway?", [KEEP, FORCE]) != 1:
        return None
    return undo(live, batch_id=batch.id, force=force).summary()


def _label(batch: Batch) -> str:
    return (f"Batch {batch.id}, {batch.created:%Y-%m-%d %H:%M}: {batch.invoices} invoices, "
            f"gross {batch.money.gross:,.2f} ({batch.state.value})")
