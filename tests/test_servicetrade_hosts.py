"""A workbook is data, not a key: no password reaches a host the clerk did not sign in to.

Two sandboxes on this computer, on two ports, are two hosts. The one a hostile workbook
names accepts demo/demo too, so if a password reached it, it would show in its counters.
The credential store is the real ``keyring`` module with an in-memory backend, and the
environment is emptied of STAC_* variables for each test.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
from memory_keyring import MemoryKeyring
from python_calamine import CalamineWorkbook

from stac_xl.book import layout
from stac_xl.book.file import FileWorkbook
from stac_xl.cli import main
from stac_xl.sandbox import FaultConfig, Sandbox, SandboxData
from stac_xl.servicetrade.clock import VirtualClock
from stac_xl.servicetrade.credentials import ENV_BASE_URL, ENV_PASSWORD, ENV_TOKEN, ENV_USERNAME, store_credentials
from stac_xl.settings import BASE_URL

TODAY = date(2026, 11, 25)
FIRST = TODAY - timedelta(days=29)


@pytest.fixture
def signed_in_to_servicetrade(memory_keyring: MemoryKeyring) -> MemoryKeyring:
    """The clerk's own sign-in, saved for ServiceTrade's address."""
    store_credentials("demo", "demo")
    return memory_keyring


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (ENV_TOKEN, ENV_USERNAME, ENV_PASSWORD, ENV_BASE_URL):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture(scope="module")
def data() -> SandboxData:
    return SandboxData.generate(invoices=60, seed=2, today=TODAY)


def book_naming(tmp_path: Path, base_url: str) -> Path:
    """A workbook whose Base URL someone set to ``base_url``."""
    path = tmp_path / "from-a-colleague.xlsx"
    book = FileWorkbook.create(path)
    grid = book.read_grid(layout.SETTINGS)
    row = next(i for i, r in enumerate(grid, start=1) if r and r[0] == BASE_URL.name)
    book.write_grid(layout.SETTINGS, [[base_url]], start_row=row, start_column=2)
    book.save()
    return path


def fetch(book: Path, *options: str) -> int:
    return main(["fetch", str(book), "--from", FIRST.isoformat(), "--to", TODAY.isoformat(), *options],
                clock=VirtualClock())


def error_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("stac-xl:")]


def asks_for(url: str) -> str:
    host = url.removeprefix("http://").split("/")[0]
    return (f"stac-xl: This workbook asks to sign in to {host}, which is not ServiceTrade's address; sign in there "
            f"only if you trust it (command line: stac-xl login --base-url {url}; ribbon: Sign in).")


def test_the_stored_sign_in_never_reaches_the_host_a_workbook_names(
    tmp_path, data, clean_env, signed_in_to_servicetrade, capsys
) -> None:
    with Sandbox(data) as other:
        url = other.start(0)
        book = book_naming(tmp_path, url)
        before = book.read_bytes()
        assert fetch(book) == 2
        assert other.stats.get("total", 0) == 0, "not one request reached the other host"
    assert error_lines(capsys) == [asks_for(url)]
    assert book.read_bytes() == before


def test_the_environments_password_never_reaches_the_host_a_workbook_names(
    tmp_path, data, clean_env, memory_keyring, capsys
) -> None:
    clean_env.setenv(ENV_USERNAME, "demo")
    clean_env.setenv(ENV_PASSWORD, "demo")
    with Sandbox(data) as other:
        url = other.start(0)
        assert fetch(book_naming(tmp_path, url)) == 2
        assert other.stats.get("total", 0) == 0
    assert error_lines(capsys) == [asks_for(url)]


def test_the_environments_password_goes_where_the_environment_says_not_where_the_workbook_says(
    tmp_path, data, clean_env
) -> None:
    clean_env.setenv(ENV_USERNAME, "demo")
    clean_env.setenv(ENV_PASSWORD, "demo")
    with Sandbox(data) as trusted, Sandbox(data) as other:
        clean_env.setenv(ENV_BASE_URL, trusted.start(0))
        assert fetch(book_naming(tmp_path, other.start(0))) == 0
        assert trusted.stats["logins"] == 1
        assert other.stats.get("total", 0) == 0


def test_once_the_clerk_signs_in_for_that_host_its_own_sign_in_is_used(
    tmp_path, data, clean_env, signed_in_to_servicetrade
) -> None:
    with Sandbox(data, username="clerk", password="pw-for-that-host") as other:
        url = other.start(0)
        book = book_naming(tmp_path, url)
        store_credentials("clerk", "pw-for-that-host", base_url=url)  # what stac-xl login --base-url does
        assert fetch(book) == 0
        assert other.stats["logins"] == 1
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Invoices").to_python()[1:]
    assert rows, "the fetch went through"
    assert ("stac_xl", "demo") in signed_in_to_servicetrade.entries, "ServiceTrade's own sign-in is untouched"


def test_a_307_from_auth_to_another_host_is_not_followed_and_no_password_reaches_it(
    tmp_path, data, clean_env, capsys
) -> None:
    clean_env.setenv(ENV_USERNAME, "demo")
    clean_env.setenv(ENV_PASSWORD, "demo")
    with Sandbox(data) as other:
        elsewhere = other.start(0)
        with Sandbox(data, FaultConfig(redirect_auth_to=f"{elsewhere}/auth")) as trusted:
            url = trusted.start(0)
            book = book_naming(tmp_path, url)
            before = book.read_bytes()
            assert fetch(book, "--base-url", url) == 3
            assert trusted.stats["307"] == 1
            assert other.stats.get("total", 0) == 0, "the password did not follow the redirect"
            (err,) = error_lines(capsys)
            assert err == (
                "stac-xl: ServiceTrade answered POST /auth with a redirect (HTTP 307) to 127.0.0.1, which stac_xl "
                "does not follow so your sign-in goes nowhere else. Check the Base URL on the Settings sheet."
            )
            assert book.read_bytes() == before
            # What a client that follows redirects would have done: the password lands there.
            requests.post(f"{url}/auth", json={"username": "demo", "password": "demo"}, timeout=5)
            assert other.stats["logins"] == 1
