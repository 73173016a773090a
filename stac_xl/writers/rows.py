"""The Settings rows a writer reads, each declared once, by the writers that read it.

A writer class lists its rows in ``settings``: the name on the *Settings* sheet, the note
Load preset writes beside it, the writer option the row sets, and how the row's text
becomes that option's value. The Settings table (:mod:`stac_xl.settings`) reads every
registered writer's rows by these names, and the profile builds the chosen writer from
them, so a new writer's rows need no edit outside ``writers/``.

The rows here are the ones more than one file kind reads (or that a new workbook shows for
its default file type); a row only one writer reads is declared in that writer's module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def as_typed(text: str) -> str:
    """The row's text as the option's value; the options model reads the clerk's words."""
    return text


@dataclass(frozen=True)
class WriterSetting:
    """One Settings row a writer reads.

    ``default`` is the text used when the row is missing or empty. ``optional`` rows set
    their option only when the clerk fills them in, so the writer keeps its own default.
    ``hint`` says what the row accepts in the clerk's words, where the options model's
    own message would show escapes (``'\\r\\n'``)."""

    name: str
    option: str
    note: str
    default: str = ""
    parse: Callable[[str], object] = as_typed
    hint: str | None = None
    optional: bool = False

    def option_value(self, text: str) -> object | None:
        """What the writer option gets for the row's text (None: leave the option unset)."""
        text = text or self.default
        if self.optional and not text:
            return None
        return self.parse(text)


ENCODING = WriterSetting(
    "Encoding", "encoding", "utf-8, utf-8-sig (with BOM) or cp1252 (Windows ANSI).", default="utf-8",
    hint="use utf-8, utf-8-sig (with BOM) or cp1252",
)
LINE_ENDING = WriterSetting(
    "Line ending", "newline", "CRLF (Windows) or LF.", default="CRLF", hint="use CRLF or LF",
)
#: What File extension may choose, for the file kinds that read it: a data file's extension,
#: never a program's or a script's (a workbook is anyone's to edit).
EXTENSION_CHOICES = (".csv", ".txt", ".cei", ".prn", ".dat")
FILE_EXTENSION = WriterSetting(
    "File extension", "extension", "Empty = the file type's usual one (.csv, .txt, .iif, .xml).", optional=True,
    hint="use " + ", ".join(EXTENSION_CHOICES[:-1]) + " or " + EXTENSION_CHOICES[-1],
)
