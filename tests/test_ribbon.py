"""The ribbon's handlers over the in-memory xlwings engine: the same pipeline as the CLI,
byte for byte, and every failure a message box with the CLI's sentence."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import xlwings as xw
from xl_memory_engine import MemoryEngine, new_book

from stac_xl.book.file import FileWorkbook
from stac_xl.book.live import LiveWorkbook
from stac_xl.cli import main
from stac_xl.excel import ribbon
from stac_xl.sandbox import Sandbox, SandboxData
from stac_xl.sandbox.clerk import fill_sandbox_lookups
from stac_xl.settings import SETTINGS_ROWS, Settings

WORKBOOK = Path(__file__).resolve().parents[1] / "workbook"


class ScriptedDialogs:
    """The clerk, scripted: answers in order (a list choice by its text, a sign-in as a
    (username, password) pair) and remembers every message."""

    def __init__(self, *answers: object) -> None:
        self.answers = list(answers)
        self.told: list[str] = []
        self.offered: list[list[str]] = []

    def tell(self, message: str) -> None:
        self.told.append(message)

    def choose(self, question: str, options: Sequence[str]) -> int | None:
        self.offered.append(list(options))
        answer = self.answers.pop(0)
        return None if answer is None else list(options).index(answer)

    def credentials(self, message: str, username: str = "") -> tuple[str, str] | None:
        answer = self.answers.pop(0)
        assert answer is None or isinstance(answer, tuple)
        return answer


def set_setting(book: xw.Book, name: str, value: str) -> None:
    """Type a value on the Settings sheet, as the clerk would."""
    row = 2 + [n for n, _, _ in SETTINGS_ROWS].index(name)
    book.sheets["Settings"].range((row, 2)).value = value


def clicked_stac_book(engine: MemoryEngine) -> xw.Book:
    """A blank book, then ServiceTrade ▸ New workbook: returns the new STAC book."""
    blank = new_book(engine, "Sheet1")
    ui = ScriptedDialogs()
    assert ribbon.run_action("new_workbook", blank, ui), ui.told
    return list(blank.app.books)[-1]


def test_every_button_in_the_ribbon_has_a_handler():
    ids = set(re.findall(r'<button id="([a-z_.0-9-]+)"', (WORKBOOK / "customUI.xml").read_text()))
    assert ids and ids <= set(ribbon.HANDLERS)


def test_load_preset_lists_every_shipped_preset_by_its_title():
    from stac_xl.presets import get_preset, preset_names

    ui = ET.fromstring((WORKBOOK / "customUI.xml").read_bytes())
    (menu,) = [el for el in ui.iter() if el.get("id") == "load_preset_menu"]
    items = [(b.get("id"), b.get("label")) for b in menu]
    assert items == [(f"load_preset.{n}", get_preset(n).title) for n in preset_names()]


def test_an_unknown_button_is_a_message_not_a_crash(engine):
    ui = ScriptedDialogs()
    assert ribbon.run_action("make_coffee", new_book(engine, "Sheet1"), ui) is False
    assert ui.told == ["This version of stac_xl has no 'make_coffee' action; run install.ps1 again to update the add-in."]


def test_new_workbook_lays_out_the_six_sheets(engine):
    book = clicked_stac_book(engine)
    assert [s.name for s in book.sheets] == ["Settings", "Mapping", "Lookups", "Invoices", "Export", "Log"]
    assert book.sheets["Settings"].range("A1").value == "Setting"


def test_fetch_preview_export_from_the_ribbon_equals_the_cli(engine, tmp_path, monkeypatch, memory_keyring):
    from stac_xl.servicetrade.credentials import store_credentials

    tz = Settings().tz
    data = SandboxData.generate(invoices=120, seed=9, today=datetime.now(tz).date())
    for name in ("STAC_USERNAME", "STAC_PASSWORD", "STAC_TOKEN", "STAC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "ribbon").mkdir()
    (tmp_path / "cli").mkdir()
    with Sandbox(data) as sandbox:
        url = sandbox.start(0)
        store_credentials("demo", "demo", base_url=url)  # Sign in for the host the workbooks name
        book = clicked_stac_book(engine)
        assert ribbon.run_action("load_preset.generic-xml", book, ScriptedDialogs())
        for name, value in (("Base URL", url), ("Days to fetch", "30"), ("Output folder", str(tmp_path / "ribbon"))):
            set_setting(book, name, value)
        for action in ("fetch", "preview", "export"):
            if action == "preview":  # the clerk adds their customer numbers and accounts
                fill_sandbox_lookups(LiveWorkbook(book))
            ui = ScriptedDialogs()
            assert ribbon.run_action(action, book, ui), ui.told

        # a second clerk's PC: the ribbon's export is in the first one's ledger
        monkeypatch.setenv("STAC_LEDGER", str(tmp_path / "cli-ledger.sqlite3"))
        cli_book = tmp_path / "cli.xlsx"
        assert main(["new", str(cli_book), "--preset", "generic-xml"]) == 0
        fb = FileWorkbook.open(cli_book)
        grid = fb.read_grid("Settings")
        for row in grid:
            row[1] = {"Base URL": url, "Days to fetch": "30", "Output folder": str(tmp_path / "cli")}.get(row[0], row[1])
        fb.write_grid("Settings", grid)
        fb.save()
        assert main(["fetch", str(cli_book)]) == 0
        fb = FileWorkbook.open(cli_book)
        fill_sandbox_lookups(fb)
        fb.save()
        assert main(["preview", str(cli_book)]) == 0
        assert main(["export", str(cli_book)]) == 0
    (from_ribbon,) = (tmp_path / "ribbon").iterdir()
    (from_cli,) = (tmp_path / "cli").iterdir()
    assert from_ribbon.read_bytes() == from_cli.read_bytes()
    assert from_ribbon.stat().st_size > 1000


def test_a_failure_is_one_message_box_with_the_cli_sentence(engine, monkeypatch, memory_keyring):
    for name in ("STAC_USERNAME", "STAC_PASSWORD", "STAC_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    ui = ScriptedDialogs()
    assert ribbon.run_action("fetch", clicked_stac_book(engine), ui) is False
    assert len(ui.told) == 1 and "stac-xl login" in ui.told[0]


def test_sign_in_keeps_the_password_in_the_credential_store_only(engine, memory_keyring):
    book = clicked_stac_book(engine)
    ui = ScriptedDialogs(("clerk@example.com", "s3cret!"))
    assert ribbon.run_action("sign_in", book, ui)
    assert "s3cret!" in memory_keyring.entries.values()
    assert all("s3cret!" not in str(v) for s in book.sheets for v in [s.used_range.value])
    assert "s3cret!" not in " ".join(ui.told)


def test_self_test_writes_back_to_excel(engine):
    book = new_book(engine, "Sheet1")
    assert ribbon.run_action("self_test", book, ScriptedDialogs())
    assert book.sheets[0].range("A1").value == "STAC ok"
