"""Message boxes and questions in Excel, for the ribbon handlers.

``tell`` is xlwings' ``App.alert`` (a message box owned by Excel's window). ``ask`` and
``choose`` use Excel's own ``Application.InputBox`` through COM, so the box belongs to
Excel too. Excel has no masked input box: ``credentials`` opens the Windows credential
prompt in front of Excel (see :mod:`stac_xl.excel.credential_prompt`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, Protocol

from stac_xl.excel.credential_prompt import prompt_for

CHOICE_TRIES = 3


class ClerkDialogs(Protocol):
    """The few ways a ribbon handler talks to the clerk (tests pass scripted ones)."""

    def tell(self, message: str) -> None: ...
    def ask(self, question: str, default: str = "") -> str | None: ...
    def choose(self, question: str, options: Sequence[str]) -> int | None: ...
    def credentials(self, message: str, username: str = "") -> tuple[str, str] | None: ...


class ExcelDialogs:
    """:class:`ClerkDialogs` for live Excel.

    ``platform`` (``sys.platform`` by default) picks the sign-in prompt, so a test can show
    which one a Windows PC gets.
    """

    def __init__(self, app: Any, title: str, *, platform: str = sys.platform) -> None:
        self._app = app
        self._title = title
        self._platform = platform

    def tell(self, message: str) -> None:
        """An OK message box (Excel's own)."""
        self._app.alert(message, title=self._title)

    def ask(self, question: str, default: str = "") -> str | None:
        """One line of text, or None if the clerk cancels."""
        answer = self._app.api.InputBox(question, self._title, default, Type=2)  # Type 2 = text
        return None if answer is False else str(answer)

    def choose(self, question: str, options: Sequence[str]) -> int | None:
        """The index of one of ``options``, picked by its number (or typed out); None if
        the clerk cancels. A wrong answer asks again, a few times."""
        listing = "\n".join(f"{number}. {option}" for number, option in enumerate(options, start=1))
        prompt = f"{question}\n\n{listing}\n\nType its number:"
        for _ in range(CHOICE_TRIES):
            answer = self.ask(prompt, "1")
            if answer is None:
                return None
            index = pick(answer, options)
            if index is not None:
                return index
            prompt = f"Type a number from 1 to {len(options)}.\n\n{listing}"
        return None

    def credentials(self, message: str, username: str = "") -> tuple[str, str] | None:
        """A username and password from the sign-in prompt in front of Excel; None if cancelled."""
        prompt = prompt_for(self._platform)
        return prompt(hwnd=self._app.hwnd, caption=self._title, message=message, username=username)


def pick(answer: str, options: Sequence[str]) -> int | None:
    """Which option an answer names: its number, or its text in any case."""
    text = answer.strip()
    if text.isdigit() and 1 <= int(text) <= len(options):
        return int(text) - 1
    lowered = [option.lower() for option in options]
    return lowered.index(text.lower()) if text.lower() in lowered else None
