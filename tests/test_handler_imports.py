"""Each ribbon click starts a fresh Python, so what a button's handler imports is paid on every
click. Each handler runs here in a fresh subprocess, through ``dispatch`` as the add-in's VBA
calls it, over the in-memory xlwings engine in the state the clerk's day had reached before
that click (the engine pickled after a real New workbook, Load preset, Fetch against the
sandbox, Preview and Export in this process, with the export ledger as it was then). The
child reports what the click told the clerk and every module it imported: the click must
have worked, and its path must not have imported the heavy libraries it does not need (pydantic
and requests are Fetch's, openpyxl and python-calamine the file adapter's; pandas and numpy
nobody's, though xlwings imports them whenever they are installed). Not a timing: a list."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import xlwings as xw
from test_ribbon import set_setting
from xl_memory_engine import MemoryEngine, new_book

from stac_xl.book.live import LiveWorkbook
from stac_xl.excel import ribbon
from stac_xl.excel.ribbon import dispatch
from stac_xl.presets import preset_names
from stac_xl.sandbox import Sandbox, SandboxData
from stac_xl.sandbox.clerk import fill_sandbox_lookups
from stac_xl.settings import Settings

TESTS = Path(__file__).resolve().parent
WORKBOOK_FILES = {"openpyxl", "python_calamine"}  # the file adapter's readers and writers
NEVER = {"pandas", "numpy"}  # xlwings imports them if they are there; install.ps1 keeps them out
SERVICETRADE = {"pydantic", "requests"}  # the models and the HTTP client: only Fetch talks to ServiceTrade

# The child: load the engine as the click found it, click, report. Only xlwings and the test
# engine are imported before the click; the keyring backend only for Sign in, which uses it.
CHILD = """
import json, pickle, sys
import xlwings
import xl_memory_engine  # noqa: F401  (the engine's classes, for unpickling)

state, action, answers = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
with open(state, "rb") as handle:
    engine, pid, name = pickle.load(handle)
xlwings.engines.add(xlwings.main.Engine(impl=engine))
xlwings.engines.active = xlwings.engines[engine.name]
xlwings.Book(impl=engine.apps[pid].books(name)).set_mock_caller()
engine.typed.extend(answers["typed"])
dialogs = None
if answers["credentials"]:
    import keyring
    from memory_keyring import MemoryKeyring
    keyring.set_keyring(MemoryKeyring())

    class SignInDialogs:
        told = engine.alerts
        def tell(self, message): self.told.append((message, "ServiceTrade"))
        def ask(self, question, default=""): return None
        def choose(self, question, options): return None
        def credentials(self, message, username=""): return tuple(answers["credentials"])
    dialogs = SignInDialogs()
before = len(engine.alerts)
from stac_xl.excel.ribbon import dispatch
dispatch(action, dialogs)
print(json.dumps({"told": [m for m, _ in engine.alerts[before:]], "modules": sorted(sys.modules)}))
"""


@dataclass(frozen=True)
class Click:
    """One button: the state it is clicked in, the clerk's answers, what it must tell, and
    the heavy modules its path must leave alone."""

    action: str
    state: str
    told: str
    refused: frozenset[str]
    typed: tuple[str, ...] = ()
    credentials: tuple[str, str] | None = None


LIGHT = WORKBOOK_FILES | NEVER | SERVICETRADE
CLICKS = [
    Click("new_workbook", "blank", "A new STAC workbook is ready", frozenset(LIGHT)),
    Click("load_preset", "new", "Loaded the ", frozenset(LIGHT), typed=(str(preset_names().index("generic-csv") + 1),)),
    Click("load_preset.quickbooks-iif", "new", "Loaded the ", frozenset(LIGHT)),
    # Sign in checks the address it stores the password for, without talking to ServiceTrade
    Click("sign_in", "ready", "Signed in as demo", frozenset(LIGHT), credentials=("demo", "demo")),
    Click("fetch", "ready", "Fetched ", frozenset(WORKBOOK_FILES | NEVER)),
    Click("preview", "fetched", "Preview: ", frozenset(LIGHT)),
    Click("export", "previewed", "Export", frozenset(LIGHT)),
    # with Mark processed off (the default) Confirm import only updates the ledger and Log
    Click("confirm_import", "exported", "Batch 1 confirmed as imported", frozenset(LIGHT), typed=("1",)),
    Click("undo_export", "exported", "Batch 1 is void", frozenset(LIGHT), typed=("1",)),
]


@dataclass
class Day:
    """Where the snapshots are, and the environment a child clicks in."""

    folder: Path
    env: dict[str, str]

    def state(self, name: str) -> Path:
        return self.folder / name


def _snapshot(day_folder: Path, name: str, engine: MemoryEngine, book: xw.Book, ledger: Path) -> None:
    """The engine (with the book to click in) and the export ledger, as they are now."""
    folder = day_folder / name
    folder.mkdir()
    with open(folder / "engine.pickle", "wb") as handle:
        pickle.dump((engine, book.app.pid, book.name), handle)
    for part in ledger.parent.glob(ledger.name + "*"):  # the database and its WAL files
        shutil.copy2(part, folder / part.name)


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Day]:
    """The clerk's day over the memory engine, snapshotted before each kind of click."""
    folder = tmp_path_factory.mktemp("day")
    ledger = folder / "ledger" / "ledger.sqlite3"
    ledger.parent.mkdir()
    data = SandboxData.generate(invoices=12, seed=5, today=datetime.now(Settings().tz).date())
    previous = xw.engines.active
    with Sandbox(data) as sandbox, pytest.MonkeyPatch.context() as patch:
        url = sandbox.start(0)
        env = {"STAC_LEDGER": str(ledger), "STAC_BASE_URL": url, "STAC_USERNAME": "demo", "STAC_PASSWORD": "demo"}
        for key, value in env.items():
            patch.setenv(key, value)
        patch.delenv("STAC_TOKEN", raising=False)
        import xl_memory_engine

        engine = xl_memory_engine.install()
        try:
            book = new_book(engine, "Sheet1")
            book.set_mock_caller()
            _snapshot(folder, "blank", engine, book, ledger)
            dispatch("new_workbook")
            _snapshot(folder, "new", engine, book, ledger)
            dispatch("load_preset.generic-csv")
            for name, value in (("Base URL", url), ("Days to fetch", "30"), ("Output folder", str(folder))):
                set_setting(book, name, value)
            _snapshot(folder, "ready", engine, book, ledger)
            dispatch("fetch")
            fill_sandbox_lookups(LiveWorkbook(book))
            _snapshot(folder, "fetched", engine, book, ledger)
            dispatch("preview")
            _snapshot(folder, "previewed", engine, book, ledger)
            mine = folder / "parent-export"  # the children's Export writes into the folder above
            mine.mkdir()
            set_setting(book, "Output folder", str(mine))
            dispatch("export")
            assert "SHA-256" in engine.alerts[-1][0], engine.alerts[-1]
            _snapshot(folder, "exported", engine, book, ledger)
            yield Day(folder, {**env, "STAC_SUPPORT_LOG": str(folder / "support.log")})
        finally:
            del xw.Book._mock_caller
            xw.engines.active = previous


def click_in_a_fresh_python(day: Day, click: Click, tmp_path: Path) -> dict[str, list[str]]:
    state = day.state(click.state)
    for part in state.glob("ledger.sqlite3*"):  # this child's own copy: clicks do not see each other's
        shutil.copy2(part, tmp_path / part.name)
    env = {**os.environ, **day.env, "STAC_LEDGER": str(tmp_path / "ledger.sqlite3"),
           "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    answers = json.dumps({"typed": list(click.typed), "credentials": click.credentials})
    done = subprocess.run([sys.executable, "-c", CHILD, str(state / "engine.pickle"), click.action, answers],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    result: dict[str, list[str]] = json.loads(done.stdout.splitlines()[-1])
    return result


@pytest.mark.parametrize("click", CLICKS, ids=[c.action for c in CLICKS])
def test_a_click_imports_only_what_its_button_needs(day: Day, click: Click, tmp_path: Path) -> None:
    result = click_in_a_fresh_python(day, click, tmp_path)
    assert result["told"] and result["told"][-1].startswith(click.told), result["told"]
    imported = {name.partition(".")[0] for name in result["modules"]}
    assert "stac_xl" in imported
    assert not imported & click.refused, f"{click.action} imported {sorted(imported & click.refused)}"


def test_every_button_is_clicked_here() -> None:
    buttons = {action.partition(".")[0] for action in ribbon.HANDLERS} - {"help", "self_test"}
    assert {c.action.partition(".")[0] for c in CLICKS} == buttons


def test_fetch_is_the_click_that_talks_to_servicetrade(day: Day, tmp_path: Path) -> None:
    """The check above sees imports: Fetch's own path does load the models and the client."""
    fetch = next(c for c in CLICKS if c.action == "fetch")
    imported = {name.partition(".")[0] for name in click_in_a_fresh_python(day, fetch, tmp_path)["modules"]}
    assert imported >= SERVICETRADE


# --- the add-in's environment: no pandas, no numpy --------------------------------------------

WINDOWS = {"platform_system": "Windows", "sys_platform": "win32", "os_name": "nt", "platform_machine": "AMD64"}


def requirement_closure(name: str, extras: set[str]) -> set[str]:
    """Every distribution ``pip install ".[addin]"`` brings in on Windows, from the installed
    packages' own metadata (a requirement not installed here, such as pywin32, is named but
    not followed: the Windows-only ones have no requirements of their own)."""
    from importlib.metadata import PackageNotFoundError, requires

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen: set[str] = set()
    todo = [(name, extras)]
    while todo:
        current, wanted = todo.pop()
        try:
            listed = requires(current) or []
        except PackageNotFoundError:
            continue
        for text in listed:
            req = Requirement(text)
            if req.marker is not None and not any(req.marker.evaluate({**WINDOWS, "extra": e}) for e in wanted | {""}):
                continue
            key = canonicalize_name(req.name)
            if key not in seen:
                seen.add(key)
                todo.append((req.name, set(req.extras)))
    return seen


def test_the_addin_install_pulls_in_neither_pandas_nor_numpy() -> None:
    pulled = requirement_closure("stac_xl", {"addin"})
    assert {"xlwings", "pyopenvba", "pywin32"} <= pulled  # the walk does reach the add-in's own needs
    assert not pulled & NEVER


def test_install_ps1_takes_pandas_and_numpy_out_of_an_environment_that_has_them() -> None:
    from test_install_scripts import INSTALL, functions, parse

    fns = functions(parse(INSTALL.read_bytes()))
    install = fns["Install-Package"].text.decode()
    assert install.index('"$Source[addin]"') < install.index("Remove-UnneededImports")
    remove = fns["Remove-UnneededImports"].text.decode()
    assert "('pandas', 'numpy')" in remove and "pip uninstall --yes" in remove
