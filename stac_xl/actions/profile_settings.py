"""The bridge between the *Settings* sheet and an import-file writer.

``writer_for(settings)`` builds the registered writer the File type names, giving it every
Settings row it declares (its ``settings``: Encoding, Line ending, and e.g. Delimiter or
Pad character) as the option that row sets. A value the writer refuses, or a combination
that cannot work, is a :class:`ConfigError` naming the Settings row, because the clerk
fixes it there, not in writer option names. ``invoice_policies(settings)`` gives the two
policies the mapping's build reads (Zero invoices, Credit memos), and
``balance_check(settings)`` the profile's *Balance check* (stac_xl.checks.balance_check).

Rows that only other file types read are ignored: a clerk who loads a fixed-width preset
and then a CSV one keeps a harmless "Right-aligned fields" row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from stac_xl.checks.balance_check import EXAMPLE as BALANCE_EXAMPLE
from stac_xl.checks.balance_check import BalanceCheck, BalanceSyntax, parse_balance_check
from stac_xl.errors import ConfigError
from stac_xl.problems import Policy
from stac_xl.settings import BALANCE_CHECK, FILE_TYPE, Settings, as_settings
from stac_xl.writers import Writer, get_writer, writer_keys, writers_reading
from stac_xl.writers.options import InvalidOptions
from stac_xl.writers.rows import FILE_EXTENSION, WriterSetting


class InvoicePolicies(TypedDict):
    """The build's keyword arguments for which invoices go into the file."""

    zero_invoices: Policy
    credit_memos: Policy


def _writer_class(settings: Settings) -> type[Writer]:
    try:
        return get_writer(settings.file_type)
    except ConfigError:
        raise ConfigError(f"Settings: {FILE_TYPE.name} '{settings.file_type}' is not known; "
                          f"use one of {', '.join(writer_keys())}.") from None


def _dotted(extension: str) -> str:
    extension = extension.strip()
    return extension if not extension or extension.startswith(".") else "." + extension


def _options(writer: type[Writer], settings: Settings) -> list[tuple[WriterSetting, object]]:
    """(row, option value) for every row the writer reads that sets its option."""
    found = []
    for row in writer.settings:
        value = row.option_value(settings.text_of(row))
        if value is not None:
            found.append((row, value))
    return found


def _check_each(writer: type[Writer], rows: list[tuple[WriterSetting, object]]) -> None:
    """Validate one option at a time, so the message names the one Settings row at fault."""
    for row, value in rows:
        try:
            writer.options_model.model_validate({row.option: value})
        except InvalidOptions as exc:
            reason = row.hint or exc.errors[0].msg
            reason = reason[0].lower() + reason[1:]
            raise ConfigError(f"Settings: {row.name} '{value}' cannot be used for {writer.key} files: {reason}.") from None


def _check_combination(built: Writer, settings: Settings) -> None:
    """What each option allows alone but the options together do not."""
    problem = built.settings_problem()
    if problem:
        raise ConfigError(f"Settings: {problem}")
    if any(row is FILE_EXTENSION for row in built.settings):
        return
    text = settings.text_of(FILE_EXTENSION)
    wanted = _dotted(text)
    if wanted and wanted.lower() != built.extension.lower():
        takers = " or ".join(writers_reading(FILE_EXTENSION))
        raise ConfigError(f"Settings: {FILE_EXTENSION.name} '{text}' can only be chosen for {takers} "
                          f"files; {built.key} files are written as {built.extension}. "
                          f"Empty the {FILE_EXTENSION.name} value.")


def writer_for(settings: Settings | Mapping[str, Any]) -> Writer:
    """The writer the Settings ask for, built with their options; ConfigError if they cannot work."""
    typed = as_settings(settings)
    writer = _writer_class(typed)
    rows = _options(writer, typed)
    _check_each(writer, rows)
    built = writer({row.option: value for row, value in rows})
    _check_combination(built, typed)
    return built


def invoice_policies(settings: Settings | Mapping[str, Any]) -> InvoicePolicies:
    """Zero invoices and Credit memos as the build's keyword arguments:
    ``mapping.build(rows, batch=…, **invoice_policies(settings))``."""
    typed = as_settings(settings)
    return InvoicePolicies(zero_invoices=typed.zero_invoices, credit_memos=typed.credit_memos)


def balance_check(settings: Settings | Mapping[str, Any]) -> BalanceCheck | None:
    """The *Balance check* setting, read (None when empty or absent); a setting that cannot
    be read is a ConfigError naming it."""
    text = as_settings(settings).balance_check
    try:
        return parse_balance_check(text)
    except BalanceSyntax as exc:
        raise ConfigError(f"Settings: {BALANCE_CHECK.name} '{text}' cannot be read: {exc}; "
                          f"write it like {BALANCE_EXAMPLE}.") from None
