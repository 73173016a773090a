"""Confirm import and Undo export through ``dispatch()``, over the strict engine, after a real
Fetch, Preview and Export against the sandbox; the clerk's answers come through Excel's own
InputBox (the engine's ``typed``) except a typed reason, which scripted dialogs give."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import xlwings as xw
from memory_keyring import MemoryKeyring
from test_ribbon import ScriptedDialogs, set_setting
from xl_memory_engine import MemoryEngine, new_book

from stac_xl.actions.ledger import State
from stac_xl.actions.ledger.listing import list_batches
from stac_xl.book.live import LiveWorkbook
from stac_xl.excel.ribbon import TITLE, dispatch
from stac_xl.sandbox import Sandbox, SandboxData
from stac_xl.sandbox.clerk import fill_sandbox_lookups
from stac_xl.servicetrade.credentials import store_credentials
from stac_xl.settings import Settings


class AskingDialogs(ScriptedDialogs):
    """Scripted dialogs that also answer a typed question."""

    def ask(self, question: str, default: str = "") -> str | None:
        answer = self.answers.pop(0)
        assert answer is None or isinstance(answer, str)
        return answer


@pytest.fixture()
def exported(engine: MemoryEngine, tmp_path: Path, memory_keyring: MemoryKeyring,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[xw.Book, Sandbox]]:
    """A STAC workbook whose invoices were fetched, previewed and exported from the ribbon,
    with Mark processed in ServiceTrade on; the sandbox still running."""
    for name in ("STAC_USERNAME", "STAC_PASSWORD", "STAC_TOKEN", "STAC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    data = SandboxData.generate(invoices=30, seed=8, today=datetime.now(Settings().tz).date())
    with Sandbox(data) as sandbox:
        url = sandbox.start(0)
        store_credentials("demo", "demo", base_url=url)
        book = new_book(engine, "Sheet1")
        book.set_mock_caller()
        for action in ("new_workbook", "load_preset.generic-csv"):
            dispatch(action)
        settings = (("Base URL", url), ("Days to fetch", "30"), ("Output folder", str(tmp_path)),
                    ("Mark processed in ServiceTrade", "yes"))
        for name, value in settings:
            set_setting(book, name, value)
        dispatch("fetch")
        fill_sandbox_lookups(LiveWorkbook(book))
        for action in ("preview", "export"):
            dispatch(action)
        assert "SHA-256" in engine.alerts[-1][0]
        yield book, sandbox
    del xw.Book._mock_caller


def told(engine: MemoryEngine) -> str:
    message, title = engine.alerts[-1]
    assert title == TITLE
    return message


def states(book: xw.Book) -> list[State]:
    return [b.state for b in list_batches(LiveWorkbook(book)).batches]


Exported = tuple[xw.Book, Sandbox]


def test_confirm_import_marks_the_batch_and_sets_the_invoices_processed(engine: MemoryEngine,
                                                                         exported: Exported) -> None:
    book, _ = exported
    engine.typed.append("1")  # "Yes: the import worked"
    dispatch("confirm_import")
    assert told(engine).startswith("Batch 1 confirmed as imported. ServiceTrade: ")
    assert "invoices set to processed" in told(engine)
    assert states(book) == [State.CONFIRMED]
    assert "confirm" in [row[1] for row in LiveWorkbook(book).read_grid("Log")[1:]]


def test_a_failed_import_voids_the_batch_with_the_clerks_reason(engine: MemoryEngine, exported: Exported) -> None:
    book, _ = exported
    ui = AskingDialogs("No: the import did not work", "QuickBooks said: bad account")
    dispatch("confirm_import", ui)
    (message,) = ui.told
    assert message.startswith("Batch 1 voided: the import did not work.")
    assert states(book) == [State.VOIDED]
    assert "QuickBooks said: bad account" in " ".join(str(v) for row in LiveWorkbook(book).read_grid("Log") for v in row)


def test_undo_export_voids_the_chosen_batch_and_sets_its_file_aside(engine: MemoryEngine, exported: Exported,
                                                                    tmp_path: Path) -> None:
    book, _ = exported
    engine.typed.append("1")  # the most recent batch
    dispatch("undo_export")
    assert told(engine).startswith("Batch 1 is void: its ")
    assert states(book) == [State.VOIDED]
    assert [p.suffix for p in tmp_path.iterdir() if p.is_file()] == [".void"]
    dispatch("undo_export")  # nothing left to undo: one sentence
    assert told(engine) == "This workbook has no exported batch to undo."


def test_undoing_a_confirmed_batch_asks_first(engine: MemoryEngine, exported: Exported) -> None:
    book, _ = exported
    engine.typed.append("1")
    dispatch("confirm_import")
    engine.typed.extend(["1", "1"])  # that batch, then "No: keep the batch"
    alerts = len(engine.alerts)
    dispatch("undo_export")
    assert len(engine.alerts) == alerts and states(book) == [State.CONFIRMED]
    engine.typed.extend(["1", "2"])  # that batch, then "Yes: I have taken these invoices out …"
    dispatch("undo_export")
    assert "It had been confirmed as imported" in told(engine)
    assert states(book) == [State.VOIDED]


def test_a_cancelled_confirm_changes_nothing(engine: MemoryEngine, exported: Exported) -> None:
    book, _ = exported
    alerts = len(engine.alerts)
    dispatch("confirm_import")  # Cancel on the first question
    ui = AskingDialogs("No: the import did not work", "  ")  # no reason given
    dispatch("confirm_import", ui)
    assert ui.told == [] and len(engine.alerts) == alerts and states(book) == [State.EXPORTED]
