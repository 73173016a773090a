"""One writer at a time per workbook, through the real ``stac-xl`` in child processes.

To be sure two commands really meet, the test takes the book's lock first, starts both
children, reads from each its one line saying it waits for the book (a blocking read, no
sleep), then lets go: each child runs in turn, none loses the other's work, and *Log* lists
every fetch in the order they ran. Also: every command that writes a book waits for the
lock (new, fetch, preview, export, load-preset, run, the demo's books), two ``new`` of one
name make one book, and a ribbon button refuses at once, saying who writes the file, while
holding the lock itself for what it changes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from test_ribbon import ScriptedDialogs
from xl_memory_engine import MemoryEngine, new_book

from stac_xl.book.file import FileWorkbook
from stac_xl.book.lock import lock_file_of, read_holder, workbook_lock
from stac_xl.cli import main
from stac_xl.excel.ribbon import run_action
from stac_xl.presets import get_preset, load_preset
from stac_xl.sandbox import Sandbox, SandboxData
from stac_xl.sandbox.clerk import fill_sandbox_lookups

TODAY = date(2026, 11, 25)
WEEK_AGO = TODAY - timedelta(days=6)
TWO_DAYS_AGO = TODAY - timedelta(days=2)
WAITING = "is in use by stac-xl test run by "


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    with Sandbox(SandboxData.generate(invoices=150, seed=5, today=TODAY)) as sandbox:
        yield sandbox.start(0)


@pytest.fixture(autouse=True)
def _sandbox_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sandbox's sign-in in the environment (for the address on the command line only),
    here and in every child, which also inherits the test's own ledger."""
    monkeypatch.setenv("STAC_USERNAME", "demo")
    monkeypatch.setenv("STAC_PASSWORD", "demo")
    monkeypatch.delenv("STAC_TOKEN", raising=False)
    monkeypatch.delenv("STAC_BASE_URL", raising=False)


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "stac_xl.cli", *args], env=dict(os.environ), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def fetch_args(book: Path, url: str, first: date) -> list[str]:
    return ["fetch", str(book), "--from", first.isoformat(), "--to", TODAY.isoformat(), "--base-url", url]


def run_while_held(book: Path, commands: Sequence[Sequence[str]]) -> list[tuple[int, str]]:
    """Start ``commands`` while this test holds ``book``'s lock; once each says it waits, let
    go. Returns (exit code, stderr) per command, in the order given."""
    with workbook_lock(book, command="stac-xl test"):
        children = [start(*command) for command in commands]
        for child in children:
            assert child.stderr is not None
            said = child.stderr.readline()
            assert WAITING in said and said.rstrip().endswith("waiting up to 30 seconds for it…"), said
    done = []
    for child in children:
        _out, err = child.communicate(timeout=120)
        done.append((child.returncode, err))
    return done


def sheet(book: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(book)).get_sheet_by_name(name).to_python()


def fetch_rows(book: Path) -> list[list]:
    """The Log rows of fetches: time, action, file, invoices, lines, …"""
    return [row for row in sheet(book, "Log")[1:] if row[1] == "fetch"]


def fetched_book(tmp_path: Path, url: str) -> Path:
    """A generic-csv workbook that fetched the last three days' invoices once, its Lookups filled."""
    book = tmp_path / "ar.xlsx"
    new = FileWorkbook.create(book)
    load_preset(new, "generic-csv")
    new.save()
    assert main(fetch_args(book, url, TWO_DAYS_AGO)) == 0
    assert len(sheet(book, "Invoices")) > 1
    fetched = FileWorkbook.open(book)
    fill_sandbox_lookups(fetched)  # the clerk's customer numbers, so an export can go through
    fetched.save()
    return book


def test_fetch_and_preview_started_together_both_land(tmp_path, sandbox_url):
    book = fetched_book(tmp_path, sandbox_url)
    done = run_while_held(book, [fetch_args(book, sandbox_url, WEEK_AGO), ["preview", str(book)]])
    assert [code for code, _err in done] == [0, 0], done
    first, second = fetch_rows(book)  # the fetch's Log row was not saved over by the preview
    invoice_rows = len(sheet(book, "Invoices")) - 1
    assert second[4] == invoice_rows > first[4]  # the week fetched is on Invoices
    assert first[0] <= second[0]
    export = sheet(book, "Export")
    assert len(export) > 1 and any(row[0] for row in export[1:])  # the preview's records are on Export


def test_two_fetches_started_together_both_land_in_order(tmp_path, sandbox_url):
    book = fetched_book(tmp_path, sandbox_url)
    week, four_days = fetch_args(book, sandbox_url, WEEK_AGO), fetch_args(book, sandbox_url, TODAY - timedelta(days=3))
    done = run_while_held(book, [week, four_days])
    assert [code for code, _err in done] == [0, 0], done
    rows = fetch_rows(book)
    assert len(rows) == 3 and [r[0] for r in rows] == sorted(r[0] for r in rows)
    assert {rows[1][4], rows[2][4]} != {rows[1][4]}  # two different fetches, both recorded
    assert rows[-1][4] == len(sheet(book, "Invoices")) - 1  # Invoices holds the one that ran last


@pytest.mark.parametrize("command", ["new --force", "fetch", "preview", "export", "load-preset", "run"])
def test_every_command_that_writes_a_book_waits_for_its_lock(tmp_path, sandbox_url, command):
    book = fetched_book(tmp_path, sandbox_url)
    out = tmp_path / "out"
    out.mkdir()
    if command == "export":
        assert main(["preview", str(book)]) == 0
    argv = {
        "new --force": ["new", str(book), "--force"],
        "fetch": fetch_args(book, sandbox_url, WEEK_AGO),
        "preview": ["preview", str(book)],
        "export": ["export", str(book), "--out", str(out)],
        "load-preset": ["load-preset", str(book), "xero-csv"],
        "run": ["run", str(book), "--from", TWO_DAYS_AGO.isoformat(), "--to", TODAY.isoformat(),  # Lookups' customers
                "--base-url", sandbox_url, "--out", str(out)],
    }[command]
    ((code, err),) = run_while_held(book, [argv])
    assert code == 0, err  # it ran, once the lock was free
    assert len(list(out.iterdir())) == (1 if command in ("export", "run") else 0)
    assert not lock_file_of(book).exists()


def test_two_new_workbooks_of_one_name_make_one(tmp_path):
    book = tmp_path / "ar.xlsx"
    with workbook_lock(book, command="stac-xl test", creating=True):
        children = [start("new", str(book), "--preset", preset) for preset in ("xero-csv", "sage50-csv")]
        for child in children:
            assert child.stderr is not None and WAITING in child.stderr.readline()
        assert not book.exists()
    results = [(child.wait(timeout=120), child.communicate()[1]) for child in children]
    assert sorted(code for code, _err in results) == [0, 4], results
    refused = next(err for code, err in results if code == 4)
    assert refused.strip() == f"stac-xl: {book} already exists; choose another name, or add --force to replace it."


def test_a_demo_book_in_use_is_waited_for(tmp_path):
    out = tmp_path / "demo"
    out.mkdir()
    with workbook_lock(out / "computerease.xlsx", command="stac-xl test", creating=True):
        child = start("demo", "--out", str(out), "--invoices", "20")
        assert child.stdout is not None
        lines = iter(child.stdout.readline, "")
        said = next(line for line in lines if WAITING in line)
        assert "computerease.xlsx" in said and not (out / "computerease.xlsx").exists()
    rest, _err = child.communicate(timeout=300)
    assert child.returncode == 0 and "computerease" in rest
    assert FileWorkbook.open(out / "computerease.xlsx").read_grid("Invoices")[1:]


class HolderAtChoice(ScriptedDialogs):
    """The clerk at Load preset's list: notes who holds the book at that moment."""

    def __init__(self, book: Path, *answers: object) -> None:
        super().__init__(*answers)
        self.book, self.holders = book, []

    def choose(self, question: str, options: Sequence[str]) -> int | None:
        holder = read_holder(self.book)
        self.holders.append(holder.command if holder else None)
        return super().choose(question, options)


def test_a_ribbon_button_refuses_at_once_while_a_command_writes_the_file_and_holds_the_lock_itself(
        tmp_path, engine: MemoryEngine):
    path = tmp_path / "ar.xlsx"
    FileWorkbook.create(path)
    book = new_book(engine, "Sheet1")
    ui = HolderAtChoice(path, get_preset("xero-csv").title)
    assert run_action("new_workbook", book, ui) is True  # lays out the blank book, as in Excel
    book.impl._name = str(path)  # now saved: Excel names a saved book by its full path
    with workbook_lock(path, command="stac-xl test"):
        assert run_action("preview", book, ui) is False
        assert run_action("help", book, ui) is True  # a button that changes nothing needs no lock
    said = ui.told[1]
    assert said.startswith("ar.xlsx is busy: stac-xl test run by ")
    assert said.endswith("is using it. Close this workbook without saving, wait for that to finish, then open it "
                         "again, so its work is not saved over.")
    assert run_action("load_preset", book, ui), ui.told
    assert ui.holders == ["the Load preset button in Excel"]
    assert not lock_file_of(path).exists()
