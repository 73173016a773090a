"""The Fetch action: the day's invoices from ServiceTrade onto the *Invoices* sheet.

Same code for the ribbon and the CLI: it takes a workbook port, not a file. Everything is
fetched and flattened before the first cell is touched, so a network fault leaves the
previous *Invoices* sheet exactly as it was (the file adapter also saves atomically).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from stac_xl.book import layout
from stac_xl.book.log import append_log
from stac_xl.book.port import WorkbookPort
from stac_xl.servicetrade.credentials import ENV_BASE_URL, Origin, Password, Token, resolve_credentials
from stac_xl.servicetrade.daterange import DateRange
from stac_xl.settings import FETCH_TIME_LIMIT, Settings, read_settings

if TYPE_CHECKING:
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

    def summary(self) -> str:
        return (
            f"Fetched {self.invoices} invoices ({self.rows} rows) created {self.date_range} "
            f"from {self.base_url} in {self.requests} requests."
        )


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
) -> FetchResult:
    """Fetch invoices created ``first``..``last`` (company time zone) into *Invoices*.

    Without dates: the last *Days to fetch* days up to today, as the ribbon does. Without
    ``credentials``: the ones bound to the address used (see ``servicetrade.credentials``), so
    a workbook naming a host the clerk never signed in to gets no password. ``clock``
    is what the client waits on between retries and measures the *Fetch time limit* on (the
    computer's clock unless a test injects one); ``timeout`` is each request's socket time-out
    in seconds (the client's default unless given)."""
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
    book.status(f"Writing {len(table.rows)} rows to the Invoices sheet…")
    book.write_table(layout.INVOICES, table)
    result = FetchResult(date_range, len(invoices), len(table.rows), client.request_count, url)
    append_log(book, action="fetch", note=result.summary(), now=now, invoices=len(invoices), lines=len(table.rows))
    book.save()
    book.status(result.summary())
    return result


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
