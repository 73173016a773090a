"""Reading every page of a ServiceTrade listing once, even when the listing moves meanwhile.

Pages are asked for by number (``page``/``limit``), so when an invoice enters or leaves the
listing between two page requests everything after it shifts by one: the last record of a
page comes again at the top of the next (a duplicate), or the first record of a page slides
back onto one already read (a silent gap). Every page reports ``totalPages`` and, from the
sandbox and perhaps ServiceTrade, ``totalCount``; a page whose figures differ from those of
the page answered last was read from an older listing. Those pages are read again (and any
new page, and no page past the new end) until every page tells the same figures; then each
record id is kept once, in page order. A listing that never settles is one sentence.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from stac_xl.servicetrade.failures import listing_kept_changing, pages_do_not_add_up

log = logging.getLogger("stac_xl.servicetrade.client")

PAGE_LIMIT = 2000
# 1,000,000 invoices: beyond any day's (or year's) invoices, short of a server's lie of 10**6 pages
MAX_PAGES = 500
MAX_REREADS = 5  # rounds of re-reading before a listing that keeps moving is an error

# ``fetch(page)`` → the page's ``data``; ``map_pages(fetch, pages, on_each)`` → their data in order.
Fetch = Callable[[int], dict[str, Any]]
MapPages = Callable[[Callable[[int], "Page"], Sequence[int], Callable[[int], None]], list["Page"]]


@dataclass(frozen=True)
class Page:
    """One page as answered; ``seq`` orders answers by when they arrived."""

    number: int
    seq: int
    data: dict[str, Any]

    @property
    def shape(self) -> tuple[int, int | None]:
        """(totalPages, totalCount) as this page saw the listing."""
        count = self.data.get("totalCount")
        return self.data["totalPages"], count if isinstance(count, int) and not isinstance(count, bool) else None


def page_of(key: str) -> Callable[[Any], str | None]:
    """A check for one page of a list: ``data.<key>`` (a list of records) and ``data.totalPages``."""

    def check(data: Any) -> str | None:
        if not isinstance(data, dict):
            return "no data object"
        items, total = data.get(key), data.get("totalPages")
        if not isinstance(items, list):
            return f"no data.{key} list"
        if not isinstance(total, int) or isinstance(total, bool):
            return "no data.totalPages number"
        if not all(isinstance(item, dict) and "id" in item for item in items):
            return f"an entry of data.{key} has no id"
        return None

    return check


def read_listing(
    path: str, key: str, fetch: Fetch, map_pages: MapPages, progress: Callable[[str], None] | None,
    report: Callable[[int, int], None],
) -> list[dict[str, Any]]:
    """Every record of the listing, each id once: page 1, then the rest, then the re-reads."""
    answered = itertools.count(1)  # next() is atomic: pages arrive on several threads

    def read(number: int) -> Page:
        data = fetch(number)
        return Page(number, next(answered), data)

    first = read(1)
    page_size = len(first.data[key]) if first.data["totalPages"] > 1 else PAGE_LIMIT
    total = page_count(path, first.shape, page_size)
    report(1, total)
    pages = {1: first}
    pages.update((p.number, p) for p in map_pages(read, range(2, total + 1), lambda n: report(n + 1, total)))
    _settle(path, pages, page_size, read, map_pages, progress)
    return unique_by_id(item for number in sorted(pages) for item in pages[number].data[key])


def _settle(
    path: str, pages: dict[int, Page], page_size: int, read: Callable[[int], Page], map_pages: MapPages,
    progress: Callable[[str], None] | None,
) -> None:
    """Read again every page answered from an older listing, until all pages agree."""
    for _ in range(MAX_REREADS):
        latest = max(pages.values(), key=lambda p: p.seq).shape
        total = page_count(path, latest, page_size)
        for number in [n for n in pages if n > total]:
            del pages[number]  # the listing is shorter now
        again = [n for n in range(1, total + 1) if n not in pages or pages[n].shape != latest]
        if not again:
            return
        log.warning("GET %s changed while it was read (now %s pages, %s records); reading %d pages again",
                    path, latest[0], latest[1], len(again))
        if progress is not None:
            progress(f"The list changed while it was read; reading {len(again)} pages again…")
        pages.update((p.number, p) for p in map_pages(read, again, lambda n: None))
    raise listing_kept_changing(path, MAX_REREADS)


def page_count(path: str, shape: tuple[int, int | None], page_size: int) -> int:
    """How many pages to ask for, from ``totalPages``, checked against ``totalCount`` (when
    sent) at ``page_size`` a page and :data:`MAX_PAGES`; a count that does not add up is refused."""
    pages, count = shape
    if count is not None:
        expected = math.ceil(count / page_size) if page_size else (0 if count == 0 else -1)
        if max(1, pages) != max(1, expected):
            raise pages_do_not_add_up(path, pages, count, MAX_PAGES)
    if pages > MAX_PAGES or pages < 0:
        raise pages_do_not_add_up(path, pages, None, MAX_PAGES)
    return max(1, pages)


def unique_by_id(records: Any) -> list[dict[str, Any]]:
    """``records`` in order, each id kept once (its first time): no invoice twice on Invoices."""
    seen: set[object] = set()
    kept: list[dict[str, Any]] = []
    for record in records:
        ident = record["id"]
        key = ident if isinstance(ident, (int, str)) else repr(ident)
        if key not in seen:
            seen.add(key)
            kept.append(record)
    return kept
