"""A server that lies, stalls or keeps ending the session cannot stall a fetch or flood us.

Real sockets against the sandbox, a real workbook file. Back-off and the sandbox's latency
wait on a ``VirtualClock`` (the Fetch time limit is measured on it too); only the socket
time-outs of a server that never answers are real, and they are made short (0.2 s).
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from stac_xl.actions.fetch import fetch_invoices
from stac_xl.book import layout
from stac_xl.book.file import FileWorkbook
from stac_xl.cli import main
from stac_xl.errors import ConnectionFailed
from stac_xl.sandbox import FaultConfig, Sandbox, SandboxData
from stac_xl.servicetrade.clock import VirtualClock
from stac_xl.servicetrade.credentials import Password
from stac_xl.servicetrade.daterange import DateRange
from stac_xl.settings import CONCURRENCY, FETCH_TIME_LIMIT, Settings

TODAY = date(2026, 11, 25)
FIRST = TODAY - timedelta(days=29)
DEMO = Password("demo", "demo")


@pytest.fixture(scope="module")
def data() -> SandboxData:
    return SandboxData.generate(invoices=300, seed=5, today=TODAY)


@pytest.fixture
def creds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAC_USERNAME", "demo")
    monkeypatch.setenv("STAC_PASSWORD", "demo")
    monkeypatch.delenv("STAC_TOKEN", raising=False)
    monkeypatch.delenv("STAC_BASE_URL", raising=False)


def new_book(tmp_path: Path, name: str = "ar.xlsx", **settings: str) -> Path:
    """A new workbook with some Settings rows changed by name, as a clerk would type them."""
    path = tmp_path / name
    book = FileWorkbook.create(path)
    grid = book.read_grid(layout.SETTINGS)
    for setting, value in settings.items():
        row = next(i for i, r in enumerate(grid, start=1) if r and r[0] == setting)
        book.write_grid(layout.SETTINGS, [[value]], start_row=row, start_column=2)
    book.save()
    return path


def fetch_cli(book: Path, url: str, clock: VirtualClock) -> int:
    return main(["fetch", str(book), "--from", FIRST.isoformat(), "--to", TODAY.isoformat(), "--base-url", url],
                clock=clock)


def error_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("stac-xl:")]


def invoice_rows(book: Path) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Invoices").to_python()[1:]


def expected_rows(data: SandboxData) -> int:
    rng = DateRange(FIRST, TODAY, Settings().tz)
    return data.expected_row_count(created_after=rng.created_after, created_before=rng.created_before, statuses=["ok"])


def test_a_page_count_of_a_million_is_one_sentence_after_one_page(tmp_path, data, creds, capsys) -> None:
    book = new_book(tmp_path)
    before = book.read_bytes()
    with Sandbox(data, FaultConfig(claim_total_pages=10**6)) as sandbox:
        assert fetch_cli(book, sandbox.start(0), VirtualClock()) == 3
        stats = sandbox.stats
    (err,) = error_lines(capsys)
    assert err.startswith("stac-xl: ServiceTrade's listing of GET /invoice does not add up (1,000,000 pages for ")
    assert stats["GET /invoice"] == 1 and stats["total"] == 3  # sign in, page 1, sign out
    assert book.read_bytes() == before


def test_a_server_that_never_answers_ends_in_its_time_outs(tmp_path, data) -> None:
    path = new_book(tmp_path)
    before = path.read_bytes()
    clock = VirtualClock()
    with Sandbox(data, FaultConfig(never_answer=True)) as sandbox:
        url = sandbox.start(0)
        started = time.monotonic()
        with pytest.raises(ConnectionFailed) as caught:
            fetch_invoices(FileWorkbook.open(path), first=FIRST, last=TODAY, credentials=DEMO, base_url=url,
                           clock=clock, timeout=0.2)
        elapsed = time.monotonic() - started
        assert sandbox.stats["silent"] == 5 and sandbox.sessions_open == 0
    assert str(caught.value) == (
        f"Could not reach ServiceTrade at {url} (no answer within 0.2 s) for GET /invoice after 5 tries. "
        "Check the internet connection and the Base URL on the Settings sheet."
    )
    assert elapsed < 5, "five 0.2 s time-outs, the back-off on the virtual clock"
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0]
    assert path.read_bytes() == before


def test_headers_then_silence_says_the_answer_stopped(tmp_path, data) -> None:
    path = new_book(tmp_path)
    before = path.read_bytes()
    with Sandbox(data, FaultConfig(silent_after_headers=True)) as sandbox:
        url = sandbox.start(0)
        with pytest.raises(ConnectionFailed) as caught:
            fetch_invoices(FileWorkbook.open(path), first=FIRST, last=TODAY, credentials=DEMO, base_url=url,
                           clock=VirtualClock(), timeout=0.2)
    assert str(caught.value) == (
        f"Could not reach ServiceTrade at {url} (the answer started but then nothing came for 0.2 s) for "
        "GET /invoice after 5 tries. Check the internet connection and the Base URL on the Settings sheet."
    )
    assert path.read_bytes() == before


def test_a_slow_server_is_stopped_by_the_fetch_time_limit(tmp_path, data, creds, capsys) -> None:
    """Every answer takes 25 s on the virtual clock the limit is measured on: sign in (25 s),
    page 1 (50 s), the first detail (75 s) is past 1 minute, and nothing more is asked."""
    book = new_book(tmp_path, **{FETCH_TIME_LIMIT.name: "1", CONCURRENCY.name: "1"})
    before = book.read_bytes()
    clock = VirtualClock()
    with Sandbox(data, FaultConfig(latency_ms=25_000, items_in_list=False), sleep=clock.sleep) as sandbox:
        assert fetch_cli(book, sandbox.start(0), clock) == 3
        assert sandbox.sessions_open == 0
        assert sandbox.stats["GET /invoice/{id}"] == 1
    (err,) = error_lines(capsys)
    assert err.startswith(
        "stac-xl: ServiceTrade did not finish within 1 minute, the Fetch time limit (minutes) on the Settings "
        "sheet; stac_xl stopped at GET /invoice/"
    ), err
    assert clock.monotonic() == 4 * 25, "sign in, page 1, one detail, sign out"
    assert book.read_bytes() == before


@pytest.mark.parametrize("run", [1, 2, 3])
def test_sessions_expiring_every_25_requests_at_concurrency_4_give_the_right_rows(tmp_path, data, creds, run) -> None:
    """One invoice detail per request: hundreds of requests, a session lost every 25, four at once."""
    book = new_book(tmp_path, **{CONCURRENCY.name: "4"})
    faults = FaultConfig(expire_session_every=25, items_in_list=False, seed=run)
    with Sandbox(data, faults) as sandbox:
        assert fetch_cli(book, sandbox.start(0), VirtualClock()) == 0
        stats = sandbox.stats
        assert sandbox.sessions_open == 0
    assert stats["401-expired"] >= 5, stats
    # One re-login per lost session, however many requests were in flight when it was lost.
    assert stats["logins"] == 1 + stats["401-expired"]
    assert len(invoice_rows(book)) == expected_rows(data)
