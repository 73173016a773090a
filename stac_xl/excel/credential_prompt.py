"""The Sign in box: Windows' own credential prompt, owned by Excel's window.

Excel waits, frozen, while the ribbon's Python runs. A window of that background
``python.exe`` (a Tk box) may open behind Excel where the clerk never sees it; the Windows
credential prompt (``CredUIPromptForCredentials``) given Excel's window as its parent opens
in front of Excel, as Excel's own dialogs do. pywin32 comes with xlwings on Windows and
is imported only when the prompt opens. Off Windows (a Mac, a developer's Linux) a small
Tk box, kept on top, is the fallback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class CredentialsPrompt(Protocol):
    """Ask for a username and password; None if the clerk cancels."""

    def __call__(self, *, hwnd: int | None, caption: str, message: str, username: str) -> tuple[str, str] | None: ...


TARGET = "ServiceTrade"  # what the prompt says the sign-in is for
# wincred.h. GENERIC: a ServiceTrade login, not a Windows account, so Windows neither
# checks nor completes it; DO_NOT_PERSIST: no "remember" box, stac_xl stores it itself
# (keyring, in the same Credential Manager); ALWAYS_SHOW_UI: never answer from a cache.
CREDUI_FLAGS_DO_NOT_PERSIST = 0x2
CREDUI_FLAGS_EXCLUDE_CERTIFICATES = 0x8
CREDUI_FLAGS_ALWAYS_SHOW_UI = 0x80
CREDUI_FLAGS_GENERIC_CREDENTIALS = 0x40000
FLAGS = (CREDUI_FLAGS_GENERIC_CREDENTIALS | CREDUI_FLAGS_ALWAYS_SHOW_UI
         | CREDUI_FLAGS_DO_NOT_PERSIST | CREDUI_FLAGS_EXCLUDE_CERTIFICATES)
ERROR_CANCELLED = 1223  # what the prompt raises when the clerk clicks Cancel


def credui_arguments(*, hwnd: int | None, caption: str, message: str, username: str) -> dict[str, Any]:
    """``win32cred.CredUIPromptForCredentials``' arguments, by name, in its order."""
    return {
        "TargetName": TARGET,
        "AuthError": 0,
        "UserName": username or None,
        "Password": None,
        "Save": False,
        "Flags": FLAGS,
        "UiInfo": {"Parent": hwnd, "CaptionText": caption, "MessageText": message},
    }


def windows_prompt(*, hwnd: int | None, caption: str, message: str, username: str) -> tuple[str, str] | None:
    """The Windows credential prompt in front of the window ``hwnd`` (Excel's)."""
    import pywintypes  # type: ignore[import-untyped]  # Windows only
    import win32cred  # type: ignore[import-untyped]

    arguments = credui_arguments(hwnd=hwnd, caption=caption, message=message, username=username)
    try:
        entered, password, _saved = win32cred.CredUIPromptForCredentials(*arguments.values())
    except pywintypes.error as exc:
        if exc.winerror == ERROR_CANCELLED:
            return None
        raise
    return _both(entered, password)


def tk_prompt(*, hwnd: int | None, caption: str, message: str, username: str) -> tuple[str, str] | None:
    """Two small Tk boxes kept above other windows: where there is no Windows prompt."""
    import tkinter
    from tkinter import simpledialog

    root = tkinter.Tk()
    root.withdraw()
    root.attributes("-topmost", True)
    try:
        entered = simpledialog.askstring(caption, f"{message}\n\nUsername:", initialvalue=username, parent=root)
        if not entered:
            return None
        password = simpledialog.askstring(caption, f"Password for {entered}:", show="\u2022", parent=root)
        return _both(entered, password)
    finally:
        root.destroy()


def _both(username: str | None, password: str | None) -> tuple[str, str] | None:
    """Both filled in, or None (an empty box counts as cancelling)."""
    username = (username or "").strip()
    return (username, password) if username and password else None


def prompt_for(platform: str) -> CredentialsPrompt:
    """The prompt for ``platform`` (a ``sys.platform`` value): Windows' own, else Tk."""
    chosen: Callable[..., tuple[str, str] | None] = windows_prompt if platform == "win32" else tk_prompt
    return chosen
