"""The *Settings* sheet: a Setting | Value | Notes table, read into a typed model.

The sheet is the clerk's; unknown settings are kept (``Settings.other``) so a later version
or a profile can use them. "Extra column" may appear on several rows: each adds one JSON
path to the *Invoices* sheet.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field

from stac_xl.errors import ConfigError

SHEET = "Settings"
HEADER = ("Setting", "Value", "Notes")
DEFAULT_BASE_URL = "https://api.servicetrade.com/api"

# (setting, default value, note) — the rows of a new workbook's Settings sheet, in order.
SETTINGS_ROWS: list[tuple[str, str, str]] = [
    ("Base URL", DEFAULT_BASE_URL, "ServiceTrade API address. Leave as is unless told otherwise."),
    ("Time zone", "America/New_York", "Your company's time zone (IANA name); decides what 'today' means."),
    ("Invoice status", "ok", "Which invoices to fetch: ok, pending_accounting, processed… (comma list)."),
    ("Days to fetch", "1", "Fetch takes invoices created in the last N days, today included (1 = today only)."),
    ("Concurrency", "4", "How many pages ServiceTrade is asked for at once (1–8)."),
    ("Extra column", "", "A JSON path to add to Invoices, e.g. location.address.city. Repeat the row for more."),
    ("Target profile", "generic-csv", "Which accounting system the import file is for (stac-xl presets)."),
    ("File type", "delimited", "delimited, fixed-width, iif or xml. Set by Load preset."),
    ("File extension", "", "Empty = the file type's usual one (.csv, .txt, .iif, .xml)."),
    ("Output folder", "", "Where Export writes the import file. Empty = next to this workbook."),
    ("File name pattern", "{profile}-{date}-{time}.{ext}", "Fields: {profile} {date} {time} {ext} {batch}."),
    ("Encoding", "utf-8", "utf-8, utf-8-sig (with BOM) or cp1252 (Windows ANSI)."),
    ("Delimiter", ",", "For delimited files: , or ; or TAB or |"),
    ("Quoting", "minimal", "minimal, all, or none."),
    ("Line ending", "CRLF", "CRLF (Windows) or LF."),
    ("Balance check", "", "How each invoice must add up in the file, checked on Preview and Export, e.g. I.Amount = sum(D.Amount, D tax.Amount). Empty = no such check."),
    ("Zero invoices", "skip", "Invoices totalling $0.00: skip (listed as warnings) or export."),
    ("Credit memos", "export", "Invoices with a negative total: export or skip."),
]


class Settings(BaseModel):
    """Typed view of the Settings sheet; defaults match a new workbook."""

    base_url: str = DEFAULT_BASE_URL
    time_zone: str = "America/New_York"
    invoice_status: str = "ok"
    days_to_fetch: int = Field(default=1, ge=1, le=366)
    concurrency: int = Field(default=4, ge=1, le=8)
    extra_columns: list[str] = Field(default_factory=list)
    target_profile: str = "generic-csv"
    file_type: str = "delimited"
    file_extension: str = ""
    output_folder: str = ""
    file_name_pattern: str = "{profile}-{date}-{time}.{ext}"
    encoding: str = "utf-8"
    delimiter: str = ","
    quoting: str = "minimal"
    line_ending: str = "CRLF"
    zero_invoices: str = "skip"
    credit_memos: str = "export"
    other: dict[str, str] = Field(default_factory=dict)

    @property
    def tz(self) -> tzinfo:
        """The company's time zone; a wrong name is a ConfigError naming the setting."""
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(
                f"Settings: Time zone '{self.time_zone}' is not a known time zone; "
                "use a name like America/New_York or America/Chicago."
            ) from exc

    @property
    def statuses(self) -> list[str]:
        return [s.strip() for s in self.invoice_status.split(",") if s.strip()]


_FIELD_BY_SETTING = {
    "base url": "base_url",
    "time zone": "time_zone",
    "invoice status": "invoice_status",
    "concurrency": "concurrency",
    "days to fetch": "days_to_fetch",
    "target profile": "target_profile",
    "output folder": "output_folder",
    "file name pattern": "file_name_pattern",
    "encoding": "encoding",
    "delimiter": "delimiter",
    "quoting": "quoting",
    "line ending": "line_ending",
    "file type": "file_type",
    "file extension": "file_extension",
    "zero invoices": "zero_invoices",
    "credit memos": "credit_memos",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_settings(grid: list[list[Any]]) -> Settings:
    """Build :class:`Settings` from the sheet's rows (header in row 1).

    Empty values fall back to the defaults; a value of the wrong type is a ConfigError that
    names the row.
    """
    values: dict[str, Any] = {}
    extra: list[str] = []
    other: dict[str, str] = {}
    for row_number, row in enumerate(grid[1:], start=2):
        name = _text(row[0] if row else None)
        value = _text(row[1] if len(row) > 1 else None)
        if not name:
            continue
        key = name.lower()
        if key == "extra column":
            if value:
                extra.append(value)
        elif key in _FIELD_BY_SETTING:
            if value:
                values[_FIELD_BY_SETTING[key]] = value
        elif value:  # an empty setting is the same as an absent one
            other[name] = value
    for key, name, low, high in (("concurrency", "Concurrency", 1, 8), ("days_to_fetch", "Days to fetch", 1, 366)):
        if key in values:
            values[key] = _whole_number(values[key], name, low, high)
    return Settings(**values, extra_columns=extra, other=other)


def _whole_number(text: str, name: str, low: int, high: int) -> int:
    try:
        number = int(text)
    except ValueError:
        raise ConfigError(f"Settings: {name} must be a whole number from {low} to {high}, not '{text}'.") from None
    if not low <= number <= high:
        raise ConfigError(f"Settings: {name} must be a whole number from {low} to {high}, not {number}.")
    return number
