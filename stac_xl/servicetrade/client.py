"""The ServiceTrade client: the only code that speaks HTTP to ServiceTrade.

    with ServiceTradeClient(settings.base_url, resolve_credentials()) as st:
        invoices = st.list_invoices(statuses=["ok"], created_after=start)

Session login (``POST /auth`` → cookie ``PHPSESSID``, ``DELETE /auth`` on exit) or a bearer
token; paging with ``limit=2000`` and concurrent pages, the page count checked against the
record count and a ceiling; a timeout on every call and an optional time limit for the whole
client; retries with exponential back-off on network errors, 5xx and malformed bodies (a total
budget too); ``Retry-After`` on 429; one re-login on 401 for all requests in flight. Every
failure leaves as one of ``stac_xl.errors`` (sentences in ``stac_xl.servicetrade.failures``).
Tests inject a ``requests.Session`` with a handler transport, and a clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter

from stac_xl import __version__
from stac_xl.errors import BadResponse
from stac_xl.servicetrade.address import check_base_url as check_base_url  # callers import it from here too
from stac_xl.servicetrade.clock import Clock, SystemClock, TimeLimit
from stac_xl.servicetrade.credentials import Password, Token
from stac_xl.servicetrade.paging import PAGE_LIMIT, page_of, read_listing
from stac_xl.servicetrade.request import Exchange
from stac_xl.servicetrade.retry import RetryPolicy

log = logging.getLogger("stac_xl.servicetrade.client")

# The HTTP session a caller may hand in (tests mount a transport on it); named here so the
# parts above the client need not import the HTTP library themselves.
HttpSession = requests.Session

DEFAULT_RETRY = RetryPolicy()
DEFAULT_TIMEOUT = 30.0  # seconds per request

T = TypeVar("T")
R = TypeVar("R")


def _default_session(concurrency: int) -> requests.Session:
    session = requests.Session()
    # One pooled connection per worker thread, so concurrent pages do not queue for sockets.
    adapter = HTTPAdapter(pool_connections=2, pool_maxsize=max(10, concurrency))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = f"stac_xl/{__version__}"
    return session


class ServiceTradeClient:
    """A ServiceTrade API session; use it as a context manager so the session is closed."""

    def __init__(
        self,
        base_url: str,
        credentials: Password | Token,
        *,
        session: requests.Session | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        concurrency: int = 4,
        clock: Clock | None = None,
        time_limit: TimeLimit | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if timeout <= 0:
            raise ValueError("timeout must be positive: every call needs one")
        if session is not None and session.verify is False:
            raise ValueError("TLS verification must stay on: pass a session with verify enabled")
        self.base_url = check_base_url(base_url)
        self._credentials = credentials
        self._owns_session = session is None
        self._session = session if session is not None else _default_session(concurrency)
        self._concurrency = concurrency
        self._exchange = Exchange(
            self._session, self.base_url, credentials, timeout=timeout, retry=retry,
            clock=clock or SystemClock(), time_limit=time_limit, in_flight=concurrency,
        )

    @property
    def request_count(self) -> int:
        """How many HTTP requests this client has sent (login and logout included)."""
        return self._exchange.request_count

    # -- session ---------------------------------------------------------------------------

    def __enter__(self) -> ServiceTradeClient:
        try:
            self.login()
        except BaseException:
            # __exit__ will not run, so release our own connections here.
            if self._owns_session:
                self._session.close()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.close()
        except Exception:
            if exc is None:
                raise
            # The error that ended the block is the one the clerk must see.
            log.warning("Closing the ServiceTrade session failed after another error", exc_info=True)

    def login(self) -> None:
        """Start a session with the username and password (a no-op for a bearer token).

        Optional: the first request logs in by itself; ``with`` calls this up front so a wrong
        password is reported before any work starts.
        """
        self._exchange.login()

    def close(self) -> None:
        """Send ``DELETE /auth`` if a session is open, then release the connections.

        Never raises for ServiceTrade's sake: a failed logout only leaves a server-side session
        that expires anyway, and it must not hide the error that ended the ``with`` block.
        """
        try:
            self._exchange.logout()
        finally:
            if self._owns_session:
                self._session.close()

    # -- reading ---------------------------------------------------------------------------

    def list_invoices(
        self,
        *,
        statuses: Sequence[str] = ("ok",),
        created_after: int | None = None,
        created_before: int | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Every invoice matching the filters, with items, in ServiceTrade's order.

        Invoices listed without an ``items`` key are completed with ``GET /invoice/{id}``.
        ``progress`` is called on the calling thread only (Excel's status bar is not thread-safe).
        """
        params: dict[str, str | int] = {}
        if statuses:
            params["status"] = ",".join(statuses)
        if created_after is not None:
            params["createdAfter"] = created_after
        if created_before is not None:
            params["createdBefore"] = created_before
        invoices = self._list("/invoice", "invoices", params, progress)
        missing = [i for i, invoice in enumerate(invoices) if "items" not in invoice]
        if missing:
            report = _throttled(progress, "Fetched details of {n} of {total} invoices", len(missing))
            details = self._map_ordered(lambda i: self.get_invoice(invoices[i]["id"]), missing, report)
            for index, detail in zip(missing, details):
                invoices[index] = detail
        return invoices

    def get_invoice(self, invoice_id: int | str) -> dict[str, Any]:
        """One invoice with its items (``GET /invoice/{id}``)."""
        data: dict[str, Any] = self._exchange.call("GET", f"/invoice/{_id(invoice_id)}", expect=_record)
        return data

    def set_invoice_status(self, invoice_id: int | str, status: str) -> dict[str, Any]:
        """Change an invoice's status, e.g. to ``processed``; returns the updated invoice."""
        data: dict[str, Any] = self._exchange.call(
            "PUT", f"/invoice/{_id(invoice_id)}", body={"status": status}, expect=_record
        )
        return data

    def list_companies(self, *, progress: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
        """Every company (``GET /company``), paged."""
        return self._list("/company", "companies", {}, progress)

    def list_locations(self, *, progress: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
        """Every location (``GET /location``), paged."""
        return self._list("/location", "locations", {}, progress)

    # -- paging ----------------------------------------------------------------------------

    def _list(
        self, path: str, key: str, params: dict[str, str | int], progress: Callable[[str], None] | None
    ) -> list[dict[str, Any]]:
        """All pages of a list endpoint: page 1 first, then pages 2..N concurrently, then any
        page read from a listing that has moved since (see ``paging``); each record once, in order."""
        expect = page_of(key)

        def fetch(page: int) -> dict[str, Any]:
            data: dict[str, Any] = self._exchange.call(
                "GET", path, params={**params, "limit": PAGE_LIMIT, "page": page}, expect=expect
            )
            return data

        reports: dict[int, Callable[[int], None]] = {}

        def report(n: int, total: int) -> None:
            if total not in reports:
                reports[total] = _throttled(progress, f"Fetched page {{n}} of {{total}} ({key})", total)
            reports[total](n)

        return read_listing(path, key, fetch, self._map_ordered, progress, report)

    def _map_ordered(
        self, fn: Callable[[T], R], items: Sequence[T], on_each: Callable[[int], None]
    ) -> list[R]:
        """``[fn(x) for x in items]`` with up to ``concurrency`` requests at once, results in input order."""
        if not items:
            return []
        # Twice the threads, but at most `concurrency` requests in flight (see Exchange): a
        # thread parsing its page does not hold back the next request.
        workers = min(2 * self._concurrency, len(items))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="stac-xl") as pool:
            futures = [pool.submit(fn, item) for item in items]
            results: list[R] = []
            try:
                for future in futures:
                    results.append(future.result())
                    on_each(len(results))
            except BaseException:
                # Stop queued requests; the first failure (in page order) is the one reported.
                for future in futures:
                    future.cancel()
                raise
        return results


def _id(value: int | str) -> int:
    """An id safe to put in a path; ServiceTrade ids are whole numbers, kept exact (a float
    from a listing is refused, never rounded into another invoice's id)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise BadResponse(f"ServiceTrade listed an invoice whose id {value!r} is not a whole number.")
    if isinstance(value, str) and not value.strip().isdigit():
        raise BadResponse(f"ServiceTrade listed an invoice whose id {value[:40]!r} is not a whole number.")
    return int(value)


def _record(data: Any) -> str | None:
    """What is wrong with a single-record ``data``, or None if it looks right."""
    if not isinstance(data, dict):
        return "no data object"
    return None if "id" in data else "no id in data"


def _throttled(progress: Callable[[str], None] | None, template: str, total: int) -> Callable[[int], None]:
    """Report about 20 steps of ``total`` (plus the last), not thousands of status-bar writes."""
    step = max(1, total // 20)

    def report(n: int) -> None:
        if progress is not None and (n % step == 0 or n == total):
            progress(template.format(n=n, total=total))

    return report
