"""The bridge between the *Settings* sheet and an import-file writer.

``writer_for(settings)`` reads File type, File extension, Encoding, Line ending, Delimiter,
Quoting (and, for fixed-width files, Right-aligned fields and Pad character) and builds the
registered writer with those options. A value the writer refuses, or a combination that
cannot work, is a :class:`ConfigError` naming the Settings row, because the clerk fixes it
there, not in writer option names. ``invoice_policies(settings)`` does the same for the
two rows the mapping's build reads (Zero invoices, Credit memos), and
``balance_check(settings)`` for the profile's *Balance check* (stac_xl.checks.balance_check).

Settings that only one file type uses are ignored for the others: a clerk who loads a
fixed-width preset and then a CSV one keeps a harmless "Right-aligned fields" row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from stac_xl.checks.balance_check import EXAMPLE as BALANCE_EXAMPLE
from stac_xl.checks.balance_check import SETTING as BALANCE_SETTING
from stac_xl.checks.balance_check import BalanceCheck, BalanceSyntax, parse_balance_check
from stac_xl.errors import ConfigError
from stac_xl.problems import Policy
from stac_xl.settings import HEADER, Settings, read_settings
from stac_xl.writers import Writer, get_writer, writer_keys
from stac_xl.writers.delimited import DelimitedOptions

# Settings rows a writer needs beyond SETTINGS_ROWS, with the note Load preset writes beside them.
WRITER_SETTING_NOTES: dict[str, str] = {
    "Right-aligned fields": "Fixed-width files only: fields padded on the left, e.g. H.Total, D.Amount "
                            "(Record.Field, or just Field). The rest are left-aligned.",
    "Pad character": "Fixed-width files only: what pads right-aligned fields: 0 (zero) or space.",
}
# Settings rows a profile sets beyond SETTINGS_ROWS and the writer's, with their notes.
PROFILE_SETTING_NOTES: dict[str, str] = {
    BALANCE_SETTING: "How each invoice must add up in the file, checked on Preview and Export, e.g. "
                     "I.Amount = sum(D.Amount, D tax.Amount). Empty = no such check.",
}
_PAD_WORDS = {"": " ", "space": " ", "blank": " ", "0": "0", "zero": "0"}
_POLICIES: tuple[Policy, ...] = ("export", "skip")
# The clerk's words for what a row accepts, where pydantic's would show escapes (\r\n).
_HINTS = {
    "Line ending": "use CRLF or LF",
    "Pad character": "use 0 or space",
    "Encoding": "use utf-8, utf-8-sig (with BOM) or cp1252",
}


def as_settings(settings: Settings | Mapping[str, Any]) -> Settings:
    """A :class:`Settings`, from itself or from ``{"Setting name": value}`` (a preset's
    settings, a test), read the way the sheet is read so defaults and spelling match."""
    if isinstance(settings, Settings):
        return settings
    return read_settings([list(HEADER), *([name, value] for name, value in settings.items())])


def _other(settings: Settings, name: str) -> str:
    """A setting outside the typed model (kept in ``Settings.other``), matched ignoring case."""
    wanted = name.lower()
    return next((str(v).strip() for k, v in settings.other.items() if k.lower() == wanted), "")


def _file_kind(settings: Settings) -> str:
    try:
        return get_writer(settings.file_type).key
    except ConfigError:
        raise ConfigError(f"Settings: File type '{settings.file_type}' is not known; "
                          f"use one of {', '.join(writer_keys())}.") from None


def _dotted(extension: str) -> str:
    extension = extension.strip()
    return extension if not extension or extension.startswith(".") else "." + extension


def _options(kind: str, settings: Settings) -> list[tuple[str, str, Any]]:
    """(Settings row, writer option, value) for every option this file kind takes."""
    rows: list[tuple[str, str, Any]] = [
        ("Encoding", "encoding", settings.encoding),
        ("Line ending", "newline", settings.line_ending),
    ]
    if kind == "delimited":
        rows += [("Delimiter", "delimiter", settings.delimiter), ("Quoting", "quoting", settings.quoting)]
        if settings.file_extension.strip():
            rows.append(("File extension", "extension", settings.file_extension))
    elif kind == "fixed-width":
        rows.append(("Right-aligned fields", "right_align", _other(settings, "Right-aligned fields")))
        pad = _other(settings, "Pad character")
        rows.append(("Pad character", "pad_char", _PAD_WORDS.get(pad.lower(), pad)))
    return rows


def _check_each(kind: str, writer: type[Writer], rows: list[tuple[str, str, Any]]) -> None:
    """Validate one option at a time, so the message names the one Settings row at fault."""
    for row, option, value in rows:
        try:
            writer.options_model.model_validate({option: value})
        except ValidationError as exc:
            reason = _HINTS.get(row) or exc.errors()[0]["msg"]
            reason = reason[0].lower() + reason[1:]
            raise ConfigError(f"Settings: {row} '{value}' cannot be used for {kind} files: {reason}.") from None


def _check_combination(kind: str, built: Writer, settings: Settings) -> None:
    """What each option allows alone but the two together do not."""
    options = built.options
    if isinstance(options, DelimitedOptions):
        if options.delimiter == options.quote_char:
            raise ConfigError("Settings: Delimiter cannot be the quote character \"; use , or ; or TAB or |.")
        return
    wanted = _dotted(settings.file_extension)
    if wanted and wanted.lower() != built.extension.lower():
        raise ConfigError(f"Settings: File extension '{settings.file_extension}' can only be chosen for "
                          f"delimited files; {kind} files are written as {built.extension}. "
                          "Empty the File extension value.")


def writer_for(settings: Settings | Mapping[str, Any]) -> Writer:
    """The writer the Settings ask for, built with their options; ConfigError if they cannot work."""
    typed = as_settings(settings)
    kind = _file_kind(typed)
    writer = get_writer(kind)
    rows = _options(kind, typed)
    _check_each(kind, writer, rows)
    built = writer({option: value for _, option, value in rows})
    _check_combination(kind, built, typed)
    return built


def invoice_policies(settings: Settings | Mapping[str, Any]) -> dict[str, Policy]:
    """Zero invoices and Credit memos as the build's keyword arguments:
    ``mapping.build(rows, batch=…, **invoice_policies(settings))``."""
    typed = as_settings(settings)
    found: dict[str, Policy] = {}
    for row, key, value in (("Zero invoices", "zero_invoices", typed.zero_invoices),
                            ("Credit memos", "credit_memos", typed.credit_memos)):
        word = value.strip().lower()
        if word not in _POLICIES:
            raise ConfigError(f"Settings: {row} must be export or skip, not '{value}'.")
        found[key] = word  # type: ignore[assignment]
    return found


def balance_check(settings: Settings | Mapping[str, Any]) -> BalanceCheck | None:
    """The *Balance check* setting, read (None when empty or absent); a setting that cannot
    be read is a ConfigError naming it."""
    typed = as_settings(settings)
    text = _other(typed, BALANCE_SETTING)
    try:
        return parse_balance_check(text)
    except BalanceSyntax as exc:
        raise ConfigError(f"Settings: {BALANCE_SETTING} '{text}' cannot be read: {exc}; "
                          f"write it like {BALANCE_EXAMPLE}.") from None
