"""Excel's own dialogs (``ExcelDialogs``) over the in-memory engine, and the choice and
arguments of the Sign in prompt (pywin32 is not here: the Windows call itself is not run)."""

from __future__ import annotations

import sys

import pytest
from xl_memory_engine import MemoryEngine, new_book

from stac_xl.excel import credential_prompt
from stac_xl.excel.credential_prompt import credui_arguments, prompt_for, tk_prompt, windows_prompt
from stac_xl.excel.dialogs import ExcelDialogs

OPTIONS = ["ComputerEase", "QuickBooks Desktop (IIF)", "Xero"]


def dialogs(engine: MemoryEngine, *typed: str, platform: str = sys.platform) -> ExcelDialogs:
    engine.typed.extend(typed)
    return ExcelDialogs(new_book(engine, "Sheet1").app, "ServiceTrade", platform=platform)


def test_tell_is_an_excel_message_box(engine: MemoryEngine) -> None:
    dialogs(engine).tell("Fetched 3 invoices.")
    assert engine.alerts == [("Fetched 3 invoices.", "ServiceTrade")]


@pytest.mark.parametrize(("typed", "chosen", "asked"), [
    (["2"], 1, 1),
    ([" 3 "], 2, 1),
    (["quickbooks desktop (iif)"], 1, 1),
    (["9", "0", "1"], 0, 3),  # a wrong number is asked again
    (["9", "x", "y"], None, 3),  # three wrong answers: nothing chosen
    ([], None, 1),  # Cancel
])
def test_choose_takes_a_number_or_the_text(engine: MemoryEngine, typed: list[str], chosen: int | None,
                                          asked: int) -> None:
    assert dialogs(engine, *typed).choose("Which accounting system?", OPTIONS) == chosen
    assert engine.calls["app.InputBox"] == asked


def test_the_sign_in_prompt_is_windows_own_on_windows_and_tk_elsewhere() -> None:
    assert prompt_for("win32") is windows_prompt
    assert prompt_for("linux") is tk_prompt
    assert prompt_for("darwin") is tk_prompt


def test_the_windows_prompt_is_owned_by_excels_window_and_saves_nothing_itself() -> None:
    arguments = credui_arguments(hwnd=0x1A2B, caption="ServiceTrade", message="Sign in", username="clerk")
    # pywin32's documented positional order: TargetName, AuthError, UserName, Password, Save, Flags, UiInfo
    assert list(arguments) == ["TargetName", "AuthError", "UserName", "Password", "Save", "Flags", "UiInfo"]
    assert arguments["UiInfo"] == {"Parent": 0x1A2B, "CaptionText": "ServiceTrade", "MessageText": "Sign in"}
    assert arguments["UserName"] == "clerk" and arguments["Password"] is None and arguments["Save"] is False
    flags = arguments["Flags"]
    assert flags & credential_prompt.CREDUI_FLAGS_GENERIC_CREDENTIALS  # not a Windows account
    assert flags & credential_prompt.CREDUI_FLAGS_DO_NOT_PERSIST  # keyring stores it, once
    assert flags & credential_prompt.CREDUI_FLAGS_ALWAYS_SHOW_UI
    assert credui_arguments(hwnd=None, caption="c", message="m", username="")["UserName"] is None


def test_excel_dialogs_on_windows_take_the_windows_prompt_imported_only_then(engine: MemoryEngine) -> None:
    assert "win32cred" not in sys.modules  # importing the dialogs did not load pywin32
    ui = dialogs(engine, platform="win32")
    # pywin32 is not installed here: reaching its import proves the Windows path was taken
    with pytest.raises(ModuleNotFoundError, match="pywintypes"):
        ui.credentials("Sign in", "clerk")
