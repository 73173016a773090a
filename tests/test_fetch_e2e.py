"""`stac-xl fetch` end to end: the sandbox over real sockets, a real workbook file, read back
with python-calamine (a reader that shares no code with ours).

Back-off and the sandbox's latency wait on a ``VirtualClock`` (recorded, not slept), so
these tests check the waits without sitting through them; one test marked ``slow`` keeps
the real clock.
"""

from __future__ import annotations

import shutil
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from stac_xl.book.file import FileWorkbook
from stac_xl.cli import main
from stac_xl.sandbox import FaultConfig, Sandbox, SandboxData
from stac_xl.servicetrade.clock import VirtualClock
from stac_xl.servicetrade.daterange import DateRange
from stac_xl.settings import Settings

TODAY = date(2026, 11, 25)
FIRST = TODAY - timedelta(days=29)
TZ = Settings().tz


@pytest.fixture(scope="module")
def data() -> SandboxData:
    return SandboxData.generate(invoices=5000, seed=11, today=TODAY)


@pytest.fixture
def creds(monkeypatch):
    monkeypatch.setenv("STAC_USERNAME", "demo")
    monkeypatch.setenv("STAC_PASSWORD", "demo")
    monkeypatch.delenv("STAC_TOKEN", raising=False)
    monkeypatch.delenv("STAC_BASE_URL", raising=False)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


def new_book(tmp_path: Path, name: str = "ar.xlsx") -> Path:
    path = tmp_path / name
    FileWorkbook.create(path).save()
    return path


def fetch(book: Path, url: str, clock: VirtualClock | None) -> int:
    """`stac-xl fetch` over the whole range; ``clock`` None is the computer's own clock."""
    argv = ["fetch", str(book), "--from", FIRST.isoformat(), "--to", TODAY.isoformat(), "--base-url", url]
    return main(argv, clock=clock)


def invoices_sheet(book: Path) -> list[list]:
    return CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Invoices").to_python()


def error_lines(capsys) -> list[str]:
    """The error lines on stderr (progress lines are there too, and are not errors)."""
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("stac-xl:")]


def expected_lines(data: SandboxData) -> list[tuple[str, str, float | str]]:
    """(invoice number, line id, line total) per expected row, straight from the sandbox JSON."""
    rng = DateRange(FIRST, TODAY, TZ)
    rows = []
    for inv in data.invoices_in_range(created_after=rng.created_after, created_before=rng.created_before, statuses=["ok"]):
        for item in inv["items"] or [None]:
            rows.append((inv["invoiceNumber"], "" if item is None else str(item["id"]), "" if item is None else item["totalPrice"]))
    return rows


def test_every_line_of_every_invoice_in_range_lands_on_invoices(tmp_path, data, creds, capsys, clock):
    book = new_book(tmp_path)
    with Sandbox(data) as sandbox:
        assert fetch(book, sandbox.start(0), clock) == 0
        assert sandbox.sessions_open == 0
    grid = invoices_sheet(book)
    header, rows = grid[0], grid[1:]
    rng = DateRange(FIRST, TODAY, TZ)
    assert len(rows) == data.expected_row_count(created_after=rng.created_after, created_before=rng.created_before, statuses=["ok"])
    at = {name: header.index(name) for name in ("Invoice number", "Line id", "Line total")}
    got = [(r[at["Invoice number"]], r[at["Line id"]], r[at["Line total"]]) for r in rows]
    assert sorted(got, key=str) == sorted(expected_lines(data), key=str)
    assert "Fetched" in capsys.readouterr().out


def test_a_stormy_server_gives_the_same_rows(tmp_path, data, creds, clock):
    calm_book, stormy_book = new_book(tmp_path, "calm.xlsx"), new_book(tmp_path, "stormy.xlsx")
    with Sandbox(data) as calm:
        assert fetch(calm_book, calm.start(0), clock) == 0
    assert clock.sleeps == []
    storm = FaultConfig(error_rate=0.2, rate_limit_every=10, expire_session_every=50, latency_ms=200, seed=5)
    latency: list[float] = []
    with Sandbox(data, storm, sleep=latency.append) as stormy:
        assert fetch(stormy_book, stormy.start(0), clock) == 0
        stats = stormy.stats
        assert stormy.sessions_open == 0
    assert stats.get("503", 0) + stats.get("429", 0) > 0, stats  # the storm really happened
    assert latency == [0.2] * stats["total"]  # every answer was slow
    assert len(clock.sleeps) == stats.get("503", 0) + stats.get("429", 0)  # one back-off per refusal
    assert invoices_sheet(stormy_book) == invoices_sheet(calm_book)


@pytest.mark.slow
def test_real_latency_and_back_off_really_take_their_time(tmp_path, creds):
    """The one test on the computer's clock: latency and back-off are real waits, rows still right."""
    small = SandboxData.generate(invoices=300, seed=4, today=TODAY)
    calm_book, slow_book = new_book(tmp_path, "calm.xlsx"), new_book(tmp_path, "slow.xlsx")
    with Sandbox(small) as calm:
        assert fetch(calm_book, calm.start(0), VirtualClock()) == 0
    with Sandbox(small, FaultConfig(latency_ms=150, error_rate=0.3, seed=2)) as slow:
        started = time.monotonic()
        assert fetch(slow_book, slow.start(0), None) == 0
        elapsed = time.monotonic() - started
        stats = slow.stats
    assert stats.get("503", 0) >= 1, stats
    # One page: every request waits for the one before, so latency and back-off add up.
    assert elapsed >= 0.15 * stats["total"] + 0.5
    assert invoices_sheet(slow_book) == invoices_sheet(calm_book)


def test_lines_only_in_the_detail_are_fetched_one_by_one(tmp_path, creds, clock):
    small = SandboxData.generate(invoices=200, seed=4, today=TODAY)
    book = new_book(tmp_path)
    with Sandbox(small, FaultConfig(items_in_list=False)) as sandbox:
        assert fetch(book, sandbox.start(0), clock) == 0
        assert sandbox.stats.get("GET /invoice/{id}", 0) > 0
    assert len(invoices_sheet(book)) - 1 == len(expected_lines(small))


def test_when_every_request_fails_the_previous_invoices_sheet_is_untouched(tmp_path, data, creds, capsys, clock):
    book = new_book(tmp_path)
    with Sandbox(data) as sandbox:
        assert fetch(book, sandbox.start(0), clock) == 0
    before = book.read_bytes()
    capsys.readouterr()
    with Sandbox(data, FaultConfig(error_rate=1.0)) as broken:
        assert fetch(book, broken.start(0), clock) == 3
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0]
    assert error_lines(capsys) == [
        "stac-xl: ServiceTrade kept answering with server errors (HTTP 503) to POST /auth after 5 tries. "
        "Try again later. (ServiceTrade request id: sbx-00000005)"
    ]
    assert book.read_bytes() == before


@pytest.mark.parametrize(
    "faults, password, code, start",
    [
        (FaultConfig(), "wrong", 3, "stac-xl: ServiceTrade refused the username or password"),
        (FaultConfig(malformed_rate=1.0), "demo", 3, "stac-xl: ServiceTrade answered POST /auth with something stac_xl cannot read"),
    ],
    ids=["wrong-password", "malformed-json"],
)
def test_bad_answers_give_one_sentence_and_leave_the_book_alone(tmp_path, creds, capsys, monkeypatch, clock, faults, password, code, start):
    monkeypatch.setenv("STAC_PASSWORD", password)
    small = SandboxData.generate(invoices=20, seed=1, today=TODAY)
    book = new_book(tmp_path)
    before = book.read_bytes()
    with Sandbox(small, faults) as sandbox:
        assert fetch(book, sandbox.start(0), clock) == code
    (err,) = error_lines(capsys)
    assert err.startswith(start), err
    assert "wrong" not in err and "demo" not in err
    assert book.read_bytes() == before


def test_an_unreachable_server_is_one_clear_sentence(tmp_path, creds, capsys, clock):
    book = new_book(tmp_path)
    with Sandbox(SandboxData.generate(invoices=1, seed=1, today=TODAY)) as sandbox:
        url = sandbox.start(0)
    assert fetch(book, url, clock) == 3
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0]
    (err,) = error_lines(capsys)
    assert err.startswith(f"stac-xl: Could not reach ServiceTrade at {url}")


def test_a_date_range_the_wrong_way_round_is_refused_before_any_request(tmp_path, creds, capsys):
    book = new_book(tmp_path)
    assert main(["fetch", str(book), "--from", "2026-11-25", "--to", "2026-11-01", "--base-url", "http://127.0.0.1:9/api"]) == 2
    assert capsys.readouterr().err == (
        "stac-xl: The date range runs backwards: --from 2026-11-25 is after --to 2026-11-01. Swap the two dates.\n"
    )


def test_a_file_that_is_not_a_stac_workbook_is_refused(tmp_path, creds, capsys):
    not_book = tmp_path / "notes.xlsx"
    not_book.write_text("just text")
    assert main(["fetch", str(not_book), "--base-url", "http://127.0.0.1:9/api"]) == 4
    assert capsys.readouterr().err.startswith("stac-xl: ")


def test_a_workbook_open_in_excel_is_refused(tmp_path, creds, capsys):
    book = new_book(tmp_path)
    shutil.copy(book, tmp_path / f"~${book.name}")
    assert main(["fetch", str(book), "--base-url", "http://127.0.0.1:9/api"]) == 4
    assert "is open in Excel" in capsys.readouterr().err
