"""A listing that shifts while it is paged gives every invoice in range exactly once.

The sandbox's listing gains (or loses) an invoice near its top between page requests, as
when an invoice is re-statused into (or out of) the filter while a fetch pages through it.
A naive pager then reads one invoice twice (growing) or skips one (shrinking); the client
notices the changed totalCount and reads the shifted pages again.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from python_calamine import CalamineWorkbook

from stac_xl.book.file import FileWorkbook
from stac_xl.cli import main
from stac_xl.sandbox import FaultConfig, Sandbox, SandboxData
from stac_xl.servicetrade.client import ServiceTradeClient
from stac_xl.servicetrade.clock import VirtualClock
from stac_xl.servicetrade.credentials import Password
from stac_xl.servicetrade.daterange import DateRange
from stac_xl.settings import Settings

TODAY = date(2026, 11, 25)
FIRST = TODAY - timedelta(days=29)
EVERY_STATUS = ["ok", "pending_accounting", "processed", "sent", "paid", "failed", "void", "internal_review", "draft"]


@pytest.fixture(scope="module")
def data() -> SandboxData:
    return SandboxData.generate(invoices=6500, seed=12, today=TODAY)  # four pages of 2000


def naive_ids(base: str) -> list[int]:
    """Page 1..totalPages once each, trusting the first totalPages: what a plain pager gets."""
    s = requests.Session()
    assert s.post(f"{base}/auth", json={"username": "demo", "password": "demo"}, timeout=10).status_code == 200
    ids: list[int] = []
    pages, page = 1, 1
    while page <= pages:
        body = s.get(f"{base}/invoice", params={"status": ",".join(EVERY_STATUS), "limit": 2000, "page": page},
                     timeout=10).json()["data"]
        pages = pages if page > 1 else body["totalPages"]
        ids += [inv["id"] for inv in body["invoices"]]
        page += 1
    return ids


def fetched_ids(base: str) -> list[Any]:
    with ServiceTradeClient(base, Password("demo", "demo"), clock=VirtualClock()) as client:
        return [inv["id"] for inv in client.list_invoices(statuses=EVERY_STATUS)]


@pytest.mark.parametrize("switch", ["grow_between_pages", "shrink_between_pages"])
def test_the_sandbox_switch_really_shifts_the_listing_under_a_naive_pager(data, switch) -> None:
    with Sandbox(data, FaultConfig(**{switch: 3})) as sandbox:
        ids = naive_ids(sandbox.start(0))
        listed_now = {inv["id"] for inv in data.invoices} - sandbox.api.shift.held - sandbox.api.shift.dropped
    if switch == "grow_between_pages":
        assert [i for i, n in Counter(ids).items() if n > 1], "a record came twice"
    else:
        assert listed_now - set(ids), "a record still listed was skipped"


def test_a_listing_that_grows_while_paged_gives_every_invoice_once(data) -> None:
    with Sandbox(data, FaultConfig(grow_between_pages=3)) as sandbox:
        ids = fetched_ids(sandbox.start(0))
        stats, held = sandbox.stats, sandbox.api.shift.held
    assert stats["listing-grew"] == 3 and held == set()
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(inv["id"] for inv in data.invoices)  # all of them, each once
    assert stats["GET /invoice"] > 4, "the shifted pages were read again"


def test_a_listing_that_shrinks_while_paged_skips_no_invoice(data) -> None:
    with Sandbox(data, FaultConfig(shrink_between_pages=3)) as sandbox:
        ids = fetched_ids(sandbox.start(0))
        stats, dropped = sandbox.stats, set(sandbox.api.shift.dropped)
    assert stats["listing-shrank"] == 3 and len(dropped) == 3
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(inv["id"] for inv in data.invoices if inv["id"] not in dropped)


def test_fetch_puts_each_invoices_lines_on_the_sheet_once_when_the_listing_grows(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("STAC_USERNAME", "demo")
    monkeypatch.setenv("STAC_PASSWORD", "demo")
    monkeypatch.delenv("STAC_TOKEN", raising=False)
    monkeypatch.delenv("STAC_BASE_URL", raising=False)
    small = SandboxData.generate(invoices=5000, seed=11, today=TODAY)  # two pages of 'ok' invoices
    book = tmp_path / "ar.xlsx"
    FileWorkbook.create(book).save()
    with Sandbox(small, FaultConfig(grow_between_pages=1)) as sandbox:
        argv = ["fetch", str(book), "--from", FIRST.isoformat(), "--to", TODAY.isoformat(), "--base-url", sandbox.start(0)]
        assert main(argv, clock=VirtualClock()) == 0
        assert sandbox.stats["listing-grew"] == 1
    rng = DateRange(FIRST, TODAY, Settings().tz)
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Invoices").to_python()[1:]
    assert len(rows) == small.expected_row_count(
        created_after=rng.created_after, created_before=rng.created_before, statuses=["ok"]
    )
