"""The Fetch action: the day's invoices from ServiceTrade onto the *Invoices* sheet.

Same code for the ribbon and the CLI: it takes a workbook port, not a file. Everything is
fetched and flattened before the first cell is touched, so a network fault leaves the
previous *Invoices* sheet exactly as it was (the file adapter also saves atomically).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from stac_xl.book import layout
from stac_xl.book.log import append_log
from stac_xl.book.port import WorkbookPort
from stac_xl.errors import WorkbookError
from stac_xl.problems import plural
from stac_xl.servicetrade.credentials import ENV_BASE_URL, Origin, Password, Token, resolve_credentials
from stac_xl.servicetrade.daterange import DateRange
from stac_xl.settings import FETCH_TIME_LIMIT, Settings, read_settings

if TYPE_CHECKING:
    from stac_xl.actions.ledger import ExportLedger
    from stac_xl.book.table import Table
    from stac_xl.invoices.corrections import Carried
    from stac_xl.servicetrade.client import HttpSession, ServiceTradeClient
    from stac_xl.servicetrade.clock import Clock


@dataclass(frozen=True)
class FetchResult:
    """What a fetch did, for the closing message and the Log sheet."""

    date_range: DateRange
    invoices: int
    rows: int
    requests: int
    base_url: str
    corrections: str = ""  # what became of the clerk's corrections on Invoices, if any
    kept_sheet: str = ""   # why the Invoices sheet was left as it was, if it was

    def summary(self) -> str:
        if self.kept_sheet:
            return self.kept_sheet
        fetched = (f"Fetched {self.invoices} invoices ({self.rows} rows) created {self.date_range} "
                   f"from {self.base_url} in {self.requests} requests.")
        return f"{fetched} {self.corrections}" if self.corrections else fetched


def resolve_base_url(
    option: str | None, settings: Settings, env: Mapping[str, str] | None = None
) -> tuple[str, Origin]:
    """Command-line option, then ``STAC_BASE_URL``, then the Settings sheet; and which it was,
    because only an address the clerk named gets the environment's credentials."""
    env = os.environ if env is None else env
    if option:
        return option.rstrip("/"), Origin.COMMAND_LINE
    if env.get(ENV_BASE_URL):
        return env[ENV_BASE_URL].rstrip("/"), Origin.ENVIRONMENT
    return settings.base_url.rstrip("/"), Origin.WORKBOOK


def fetch_invoices(
    book: WorkbookPort,
    *,
    first: date | None = None,
    last: date | None = None,
    credentials: Password | Token | None = None,
    base_url: str | None = None,
    session: HttpSession | None = None,
    env: Mapping[str, str] | None = None,
    now: datetime | None = None,
    clock: Clock | None = None,
    timeout: float | None = None,
    replace: bool = False,
    ask: Callable[[str], bool] | None = None,
    ledger: ExportLedger | None = None,
) -> FetchResult:
    """Fetch invoices created ``first``..``last`` (company time zone) into *Invoices*.

    Without dates: the last *Days to fetch* days up to today, as the ribbon does. Without
    ``credentials``: the ones bound to the address used (see ``servicetrade.credentials``), so
    a workbook naming a host the clerk never signed in to gets no password. ``clock``
    is what the client waits on between retries and measures the *Fetch time limit* on (the
    computer's clock unless a test injects one); ``timeout`` is each request's socket time-out
    in seconds (the client's default unless given).

    The clerk's corrections on *Invoices* are kept (:mod:`stac_xl.invoices.corrections`). A
    fetch that finds no invoices does not empty a sheet holding invoices the export ledger
    (``ledger``, default: the one the settings name) has not taken: it is refused naming
    them, unless ``replace``, or ``ask`` (the ribbon's question) answers yes."""
    # Imported here: every ribbon click starts a fresh Python, keep start-up light.
    from stac_xl.invoices.flatten import invoices_to_table
    from stac_xl.servicetrade.client import check_base_url
    from stac_xl.servicetrade.models import parse_invoices

    settings = read_settings(book.read_grid(layout.SETTINGS))
    today = (now or datetime.now(settings.tz)).date()
    last = last or (first if first else today)
    first = first or last - timedelta(days=settings.days_to_fetch - 1)
    date_range = DateRange(first, last, settings.tz)
    url, origin = resolve_base_url(base_url, settings, env)
    url = check_base_url(url)
    if credentials is None:
        credentials = resolve_credentials(url, origin=origin, env=env)
    book.status(f"Fetching '{settings.invoice_status}' invoices created {date_range} from ServiceTrade…")
    with _client(url, credentials, settings, session=session, clock=clock, timeout=timeout) as client:
        raw = client.list_invoices(
            statuses=settings.statuses,
            created_after=date_range.created_after,
            created_before=date_range.created_before,
            progress=book.status,
        )
    invoices = parse_invoices(raw)
    table = invoices_to_table(invoices, tz=settings.tz, extra_paths=settings.extra_columns)
    written = _write_sheet(book, table, settings, date_range, replace=replace, ask=ask, ledger=ledger, env=env)
    if isinstance(written, str):  # the clerk chose to keep the sheet: nothing written, nothing logged
        book.status(written)
        return FetchResult(date_range, 0, 0, client.request_count, url, kept_sheet=written)
    result = FetchResult(date_range, len(invoices), len(table.rows), client.request_count, url, written.summary())
    append_log(book, action="fetch", note=result.summary(), now=now, invoices=len(invoices), lines=len(table.rows))
    book.save()
    book.status(result.summary())
    return result


def _write_sheet(book: WorkbookPort, table: Table, settings: Settings, date_range: DateRange, *, replace: bool,
                 ask: Callable[[str], bool] | None, ledger: ExportLedger | None,
                 env: Mapping[str, str] | None) -> Carried | str:
    """*Invoices* as fetched, the clerk's corrections kept and marked; or, when the clerk
    keeps a sheet this empty fetch would have wiped, the sentence saying so."""
    from stac_xl.invoices.corrections import SheetBefore, carry, read_sheet
    from stac_xl.invoices.fetch_memory import read_memory, write_memory

    memory = read_memory(book)
    needed = memory.hashes or not table.rows  # the sheet is read only when something depends on it
    before = read_sheet(book.read_grid(layout.INVOICES), memory) if needed else SheetBefore()
    if not table.rows and before.invoice_ids and not replace:
        kept = _keep_unexported(before.invoice_ids, settings, date_range, ask=ask, ledger=ledger, env=env)
        if kept:
            return kept
    carried = carry(before, memory, table, order=settings.date_order)
    book.status(f"Writing {len(table.rows)} rows to the Invoices sheet…")
    book.write_table(layout.INVOICES, table)
    if carried.marks:
        book.mark_cells(layout.INVOICES, carried.marks)
    write_memory(book, carried.memory)
    return carried


def _keep_unexported(invoice_ids: set[str], settings: Settings, date_range: DateRange, *,
                     ask: Callable[[str], bool] | None, ledger: ExportLedger | None,
                     env: Mapping[str, str] | None) -> str | None:
    """Whether an empty fetch may empty the sheet: None if so; else the sentence for a sheet
    the clerk keeps. Refused outright without ``ask``.

    Refused rather than kept quietly: a scheduled ``stac-xl run`` would go on to export
    invoices this fetch no longer found (voided, or re-statused, since), and a sheet emptied
    instead would lose the clerk's pending work; only the clerk can say which is right."""
    from stac_xl.actions.ledger import ledger_file, open_ledger, scope_of

    opened = ledger if ledger is not None else open_ledger(ledger_file(settings.ledger, env))
    try:
        exported = opened.prior_exports(scope_of(settings), sorted(invoice_ids))
    finally:
        if ledger is None:
            opened.close()
    waiting = len(invoice_ids - set(exported))
    if not waiting:
        return None
    found = (f"ServiceTrade has no '{settings.invoice_status}' invoices created {date_range}, and the Invoices "
             f"sheet holds {plural(waiting, 'invoice')} not exported yet")
    if ask is None:
        raise WorkbookError(f"{found}; the sheet was left as it is: export them first, or fetch again with --replace "
                            "to empty it.")
    if ask(f"{found}. Empty the Invoices sheet anyway?"):
        return None
    return f"{found}; the sheet was kept as it is."


def _client(
    url: str, credentials: Password | Token, settings: Settings, *,
    session: HttpSession | None, clock: Clock | None, timeout: float | None,
) -> ServiceTradeClient:
    """The ServiceTrade client for one fetch: the book's concurrency and time limit."""
    from stac_xl.servicetrade.client import DEFAULT_TIMEOUT, ServiceTradeClient
    from stac_xl.servicetrade.clock import TimeLimit

    limit = TimeLimit(settings.fetch_time_limit * 60.0, FETCH_TIME_LIMIT.name)
    return ServiceTradeClient(url, credentials, session=session, concurrency=settings.concurrency, clock=clock,
                              time_limit=limit, timeout=timeout or DEFAULT_TIMEOUT)
