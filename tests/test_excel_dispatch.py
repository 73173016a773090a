"""Every ribbon action through ``dispatch()``, as the add-in's VBA calls it: the clicked book
comes from ``xw.Book.caller()`` (``set_mock_caller``), over the strict in-memory engine,
with Excel's own dialogs (``ExcelDialogs``: message boxes and InputBoxes the engine
scripts) except where a test hands ``dispatch`` scripted ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
import xlwings as xw
from memory_keyring import MemoryKeyring
from test_ribbon import ScriptedDialogs, set_setting
from xl_memory_engine import ComError, MemoryEngine, new_book, put_on_onedrive

from stac_xl.book.layout import SHEET_ORDER
from stac_xl.book.live import LiveWorkbook
from stac_xl.excel import ribbon
from stac_xl.excel.ribbon import HELP_TEXT, TITLE, dispatch
from stac_xl.presets import get_preset, preset_names
from stac_xl.sandbox import Sandbox, SandboxData
from stac_xl.sandbox.clerk import fill_sandbox_lookups
from stac_xl.settings import Settings

Click = Callable[[xw.Book], None]


@pytest.fixture()
def click(engine: MemoryEngine) -> Iterator[Click]:
    """Make a book the one the clerk clicks a button in (xlwings' mock caller)."""
    yield lambda book: book.set_mock_caller()
    if "_mock_caller" in vars(xw.Book):
        del xw.Book._mock_caller


@pytest.fixture()
def support_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "support" / "support.log"
    monkeypatch.setenv("STAC_SUPPORT_LOG", str(path))
    return path


def last_alert(engine: MemoryEngine) -> str:
    message, title = engine.alerts[-1]
    assert title == TITLE
    return message


def stac_book(engine: MemoryEngine, click: Click) -> xw.Book:
    """Excel's empty Book1, then New workbook: laid out in that same book."""
    book = new_book(engine, "Sheet1")
    click(book)
    dispatch("new_workbook")
    return book


def test_new_workbook_lays_out_the_empty_clicked_book(engine: MemoryEngine, click: Click) -> None:
    book = stac_book(engine, click)
    assert [s.name for s in book.sheets] == list(SHEET_ORDER)
    assert len(book.app.books) == 1  # the blank book the add-in opened was used, not another
    assert book.sheets.active.name == "Settings"
    assert "A new STAC workbook is ready" in last_alert(engine)
    settings = book.sheets["Settings"].impl
    assert settings.style_at("bold", 1, 1) is True and settings.widths[1] == 22
    dispatch("new_workbook")  # clicked in a STAC workbook: a second book, this one untouched
    assert len(book.app.books) == 2 and book.sheets["Settings"].range("A1").value == "Setting"


def test_the_clerks_day_through_dispatch(engine: MemoryEngine, click: Click, tmp_path: Path,
                                         memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("STAC_USERNAME", "STAC_PASSWORD", "STAC_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    data = SandboxData.generate(invoices=40, seed=4, today=datetime.now(Settings().tz).date())
    with Sandbox(data) as sandbox:
        book = stac_book(engine, click)
        engine.typed.append(str(preset_names().index("generic-csv") + 1))  # Load preset's list: a number
        dispatch("load_preset")
        assert last_alert(engine) == f"Loaded the {get_preset('generic-csv').title} preset. Replace the sample rows on Lookups with your own."
        for name, value in (("Base URL", sandbox.start(0)), ("Days to fetch", "30"), ("Output folder", str(tmp_path))):
            set_setting(book, name, value)
        dispatch("sign_in", ScriptedDialogs(("demo", "demo")))  # the credential prompt, scripted
        assert [k for k, v in memory_keyring.entries.items() if v == "demo"] and all(
            service.startswith("stac_xl") for service, _ in memory_keyring.entries)
        dispatch("fetch")
        assert last_alert(engine).startswith("Fetched ")
        fill_sandbox_lookups(LiveWorkbook(book))
        dispatch("preview")
        assert last_alert(engine).startswith("Preview: ")
        dispatch("export")
        assert "SHA-256" in last_alert(engine)
    (written,) = tmp_path.glob("*.csv")
    assert written.stat().st_size > 500
    dispatch("help")
    assert last_alert(engine) == HELP_TEXT
    dispatch("self_test")
    assert book.sheets.active.range("A1").value == "STAC ok"
    assert book.app.status_bar is False  # every action handed the status bar back


@pytest.mark.parametrize("name", preset_names())
def test_each_load_preset_menu_item_loads_its_preset(engine: MemoryEngine, click: Click, name: str) -> None:
    book = stac_book(engine, click)
    dispatch(f"load_preset.{name}")
    assert last_alert(engine).startswith(f"Loaded the {get_preset(name).title} preset.")
    rows = {row[0]: row[1] for row in LiveWorkbook(book).read_grid("Settings")[1:] if row}
    assert rows["Target profile"] == name
    mapping = book.sheets["Mapping"].impl
    assert mapping.style_at("bold", 1, 1) is True  # the Records title styled again after the rewrite


def test_every_handler_is_dispatched_in_these_tests() -> None:
    dispatched = {"new_workbook", "load_preset", "sign_in", "fetch", "preview", "export", "help", "self_test"}
    dispatched |= {"confirm_import", "undo_export"}  # in test_excel_ledger_buttons.py
    dispatched |= {f"load_preset.{name}" for name in preset_names()}
    assert set(ribbon.HANDLERS) == dispatched


def test_a_cancelled_choice_or_sign_in_does_nothing(engine: MemoryEngine, click: Click,
                                                    memory_keyring: MemoryKeyring) -> None:
    book = stac_book(engine, click)
    alerts = len(engine.alerts)
    dispatch("load_preset")  # nothing typed: the InputBox's Cancel
    dispatch("sign_in", ScriptedDialogs(None))
    assert len(engine.alerts) == alerts and memory_keyring.entries == {}
    assert LiveWorkbook(book).read_grid("Mapping")[0] == ["Records"]


def test_export_from_onedrive_without_an_output_folder_is_one_sentence(engine: MemoryEngine, click: Click) -> None:
    book = stac_book(engine, click)
    put_on_onedrive(book)
    dispatch("export")
    assert last_alert(engine) == ("This workbook is on OneDrive or SharePoint, so Export cannot write next to it: "
                                  "set Output folder on Settings to a folder on this PC.")


def test_excel_refusing_a_step_is_one_sentence_and_a_traceback_for_support(
        engine: MemoryEngine, click: Click, support_log: Path) -> None:
    book = stac_book(engine, click)
    engine.refuse_next("sheet.clear", xw.XlwingsError("The object invoked has disconnected from its clients."))
    dispatch("load_preset.generic-csv")
    assert last_alert(engine) == (f"Excel refused a step of Load preset; the details are in {support_log} "
                                  "for whoever supports stac_xl.")
    assert "XlwingsError: The object invoked has disconnected" in support_log.read_text()
    assert book.app.status_bar is False and book.app.screen_updating is True


def test_an_unexpected_error_is_logged_without_secrets(engine: MemoryEngine, click: Click, support_log: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAC_PASSWORD", "hunter2-secret")
    stac_book(engine, click)
    engine.refuse_next("sheet.clear", ComError("Select method failed for hunter2-secret"))
    dispatch("load_preset.generic-csv")
    message = last_alert(engine)
    assert message.startswith("Load preset stopped on a problem stac_xl did not expect; the details are in ")
    assert "ComError" not in message and message.count(".") >= 1
    logged = support_log.read_text()
    assert "ComError: Select method failed for ***" in logged and "hunter2-secret" not in logged


def test_an_unwritable_support_log_still_gives_one_sentence(engine: MemoryEngine, click: Click, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("STAC_SUPPORT_LOG", str(tmp_path / "a-file" / "support.log"))
    stac_book(engine, click)
    engine.refuse_next("sheet.clear", ComError("refused"))
    dispatch("preview")
    assert last_alert(engine) == ("Preview stopped on a problem stac_xl did not expect; try again, and if it "
                                  "happens again run install.ps1 to repair stac_xl.")


def test_dispatch_without_a_clicked_book_exits_with_one_sentence(engine: MemoryEngine, support_log: Path) -> None:
    assert "_mock_caller" not in vars(xw.Book)
    with pytest.raises(SystemExit) as exited:
        dispatch("preview")
    assert str(exited.value).startswith("Preview stopped on a problem stac_xl did not expect; the details are in ")
    assert ", in caller\n" in support_log.read_text()  # xlwings' Book.caller found no clicked book
