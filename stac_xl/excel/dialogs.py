"""Message boxes and questions in Excel, for the ribbon handlers.

``tell`` is xlwings' ``App.alert`` (an Excel message box). ``ask`` is Excel's own
``Application.InputBox`` through COM, so the box belongs to Excel's window. A password must
not be shown as it is typed, and Excel has no masked input box, so ``ask_secret`` uses a
small Tk dialog from Python's standard library (python.org's Windows Python ships Tk).
"""

from __future__ import annotations

from typing import Any


class ExcelDialogs:
    """:class:`stac_xl.excel.ribbon.ClerkDialogs` for live Excel."""

    def __init__(self, app: Any, title: str) -> None:
        self._app = app
        self._title = title

    def tell(self, message: str) -> None:
        """An OK message box (Excel's own)."""
        self._app.alert(message, title=self._title)

    def ask(self, question: str, default: str = "") -> str | None:
        """One line of text, or None if the clerk cancels."""
        answer = self._app.api.InputBox(question, self._title, default, Type=2)  # Type 2 = text
        return None if answer is False else str(answer)

    def ask_secret(self, question: str) -> str | None:
        """A password, typed as dots; None if cancelled."""
        import tkinter
        from tkinter import simpledialog

        root = tkinter.Tk()
        root.withdraw()
        root.attributes("-topmost", True)  # above Excel, which is waiting for us
        try:
            return simpledialog.askstring(self._title, question, show="\u2022", parent=root)
        finally:
            root.destroy()
