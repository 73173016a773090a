"""The *Settings* sheet: one table of settings, and the sheet's rows read into :class:`Settings`.

Each setting is declared once, below, as a :class:`Setting`: its name on the sheet, the
text a new workbook holds, the note beside it, which action reads it, and how its text
becomes a value (a ConfigError naming the row if it cannot). The rows a writer reads
(Encoding, Delimiter, Pad character…) are declared by the writers that read them
(:mod:`stac_xl.writers.rows`) and found through the writer registry. From these come the
typed :class:`Settings` model, the rows of a new workbook (:data:`SETTINGS_ROWS`, in
:data:`NEW_WORKBOOK` order), the notes Load preset writes (:func:`setting_note`) and the
lookup by name (:func:`setting_named`).

The sheet is the clerk's; unknown settings are kept (``Settings.other``) so a later version
or a profile can use them. "Extra column" may appear on several rows: each adds one JSON
path to the *Invoices* sheet. Each action reads the sheet once, into one :class:`Settings`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any, Generic, TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from stac_xl.book.entries import DateOrder
from stac_xl.book.values import yes_or_no
from stac_xl.checks.balance_check import SETTING as BALANCE_CHECK_NAME
from stac_xl.checks.recomputed_lines import SETTING as RECOMPUTE_NAME
from stac_xl.checks.recomputed_lines import Recompute
from stac_xl.errors import ConfigError
from stac_xl.problems import Policy
from stac_xl.servicetrade.credentials import SERVICETRADE_BASE_URL
from stac_xl.writers import setting_rows, writers_reading
from stac_xl.writers.delimited import DELIMITER, QUOTING
from stac_xl.writers.import_file import OUTPUT_FOLDER_ROW, PATTERN_FIELDS, PATTERN_ROW, PROFILE_ROW
from stac_xl.writers.rows import ENCODING, FILE_EXTENSION, LINE_ENDING, WriterSetting

SHEET = "Settings"
HEADER = ("Setting", "Value", "Notes")
DEFAULT_BASE_URL = SERVICETRADE_BASE_URL

# Who reads a setting, in the words of the ribbon's buttons.
FETCH = "Fetch"
PREVIEW = "Preview"
EXPORT = "Export"
PREVIEW_AND_EXPORT = "Preview and Export"
CONFIRM = "Confirm import"
LEDGER_USERS = "Preview, Export, Confirm import and Undo export"

T = TypeVar("T")
_DECLARED = "setting"  # the dataclass field metadata key holding a field's Setting


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One setting an action reads. ``parse(name, text)`` turns the row's text (``default``
    when the row is missing or empty) into the value; ``repeated`` rows collect every
    non-empty value into a list instead."""

    name: str
    default: str
    note: str
    read_by: str
    parse: Callable[[str, str], T]
    repeated: bool = False

    def read(self, text: str) -> T:
        """The value of this setting for the row's text."""
        return self.parse(self.name, text or self.default)

    def field(self) -> T:
        """A :class:`Settings` field holding this setting (typed as its value, as
        ``dataclasses.field`` is)."""
        return dataclasses.field(default=self.read(""), metadata={_DECLARED: self})

    def field_each(self) -> list[T]:
        """A :class:`Settings` field holding every value of a repeated setting."""
        return cast(list[T], dataclasses.field(default_factory=list, metadata={_DECLARED: self}))


def _as_text(name: str, text: str) -> str:
    return text


def _whole_number(low: int, high: int) -> Callable[[str, str], int]:
    def parse(name: str, text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise ConfigError(f"Settings: {name} must be a whole number from {low} to {high}, not '{text}'.") from None
        if not low <= number <= high:
            raise ConfigError(f"Settings: {name} must be a whole number from {low} to {high}, not {number}.")
        return number
    return parse


def _yes_no(name: str, text: str) -> bool:
    value = yes_or_no(text)
    if value is None:
        raise ConfigError(f"Settings: {name} must be yes or no, not '{text}'.")
    return value


def _policy(name: str, text: str) -> Policy:
    try:
        return Policy(text.strip().lower())
    except ValueError:
        raise ConfigError(f"Settings: {name} must be {' or '.join(Policy)}, not '{text}'.") from None


def _date_order(name: str, text: str) -> DateOrder:
    try:
        return DateOrder(text.strip().upper())
    except ValueError:
        raise ConfigError(f"Settings: {name} must be {', '.join(DateOrder)}, not '{text}'.") from None


def _recompute(name: str, text: str) -> Recompute:
    try:
        return Recompute(" ".join(text.lower().split()))
    except ValueError:
        raise ConfigError(f"Settings: {name} must be {', '.join(Recompute)}, not '{text}'.") from None


BASE_URL = Setting("Base URL", DEFAULT_BASE_URL, "ServiceTrade API address. Leave as is unless told otherwise.",
                   FETCH, _as_text)
TIME_ZONE = Setting("Time zone", "America/New_York",
                    "Your company's time zone (IANA name); decides what 'today' means.", FETCH, _as_text)
INVOICE_STATUS = Setting("Invoice status", "ok",
                         "Which invoices to fetch: ok, pending_accounting, processed… (comma list).", FETCH, _as_text)
DAYS_TO_FETCH = Setting("Days to fetch", "1",
                        "Fetch takes invoices created in the last N days, today included (1 = today only).",
                        FETCH, _whole_number(1, 366))
CONCURRENCY = Setting("Concurrency", "4", "How many pages ServiceTrade is asked for at once (1–8).",
                      FETCH, _whole_number(1, 8))
FETCH_TIME_LIMIT = Setting("Fetch time limit (minutes)", "5",
                           "Fetch gives up after this many minutes, however slowly ServiceTrade answers (1–240).",
                           FETCH, _whole_number(1, 240))
EXTRA_COLUMN = Setting("Extra column", "",
                       "A JSON path to add to Invoices, e.g. location.address.city. Repeat the row for more.",
                       FETCH, _as_text, repeated=True)
TARGET_PROFILE = Setting(PROFILE_ROW, "generic-csv",
                         "Which accounting system the import file is for (stac-xl presets).", EXPORT, _as_text)
FILE_TYPE = Setting("File type", "delimited", "delimited, fixed-width, iif or xml. Set by Load preset.",
                    PREVIEW_AND_EXPORT, _as_text)
OUTPUT_FOLDER = Setting(OUTPUT_FOLDER_ROW, "", "Where Export writes the import file. Empty = next to this workbook; "
                        "a folder name alone = that folder inside this workbook's folder.", EXPORT, _as_text)
FILE_NAME_PATTERN = Setting(PATTERN_ROW, "{profile}-{date}-{time}.{ext}",
                            "Fields: " + " ".join("{" + f + "}" for f in PATTERN_FIELDS) + ".", EXPORT, _as_text)
BALANCE_CHECK = Setting(BALANCE_CHECK_NAME, "",
                        "How each invoice must add up in the file, checked on Preview and Export, e.g. "
                        "I.Amount = sum(D.Amount, D tax.Amount). Empty = no such check.", PREVIEW_AND_EXPORT, _as_text)
DATE_ORDER = Setting("Date order", DateOrder.MDY.value,
                     "How a date typed as text on Invoices or Export is read: MDY (12/1/2026 is December 1), "
                     "DMY (1 December) or YMD.", PREVIEW_AND_EXPORT, _date_order)
QUANTITY_TIMES_PRICE = Setting(RECOMPUTE_NAME, Recompute.NO.value,
                               "Does your accounting system work each line out as Quantity × Unit price? no; flag (a "
                               "line that would come to another amount is an error); quantity 1 (such a line is sent "
                               "as 1 × its amount).", PREVIEW_AND_EXPORT, _recompute)
ZERO_INVOICES = Setting("Zero invoices", "skip", "Invoices totalling $0.00: skip (listed as warnings) or export.",
                        PREVIEW, _policy)
CREDIT_MEMOS = Setting("Credit memos", "export", "Invoices with a negative total: export or skip.", PREVIEW, _policy)
ALLOW_REEXPORT = Setting("Allow re-export", "no",
                         "yes = Preview and Export include invoices already exported (the batch records it as a "
                         "re-export). Leave no: the export ledger keeps an invoice out of the books twice.",
                         PREVIEW_AND_EXPORT, _yes_no)
MARK_PROCESSED = Setting("Mark processed in ServiceTrade", "no",
                         "yes = Confirm import sets the batch's invoices to processed in ServiceTrade "
                         "(failed, with your comment, for an import that did not work).", CONFIRM, _yes_no)
LEDGER = Setting("Ledger", "",
                 "The export ledger file: what was exported, for good. Empty = in your user data folder "
                 "(the STAC_LEDGER environment variable overrides both).", LEDGER_USERS, _as_text)

#: A new workbook's Settings rows, in order: every setting, and the rows the default file
#: type (delimited) reads. Other writers' rows are added by Load preset or by the clerk.
NEW_WORKBOOK: tuple[Setting[Any] | WriterSetting, ...] = (
    BASE_URL, TIME_ZONE, INVOICE_STATUS, DAYS_TO_FETCH, CONCURRENCY, FETCH_TIME_LIMIT, EXTRA_COLUMN, TARGET_PROFILE, FILE_TYPE,
    FILE_EXTENSION, OUTPUT_FOLDER, FILE_NAME_PATTERN, ENCODING, DELIMITER, QUOTING, LINE_ENDING,
    BALANCE_CHECK, DATE_ORDER, QUANTITY_TIMES_PRICE, ZERO_INVOICES, CREDIT_MEMOS, ALLOW_REEXPORT, MARK_PROCESSED,
    LEDGER,
)
#: (setting, value, note) for each row of a new workbook's Settings sheet.
SETTINGS_ROWS: list[tuple[str, str, str]] = [(s.name, s.default, s.note) for s in NEW_WORKBOOK]


def _writer_defaults() -> dict[str, str]:
    return {row.name: row.default for row in setting_rows()}


@dataclass(frozen=True)
class Settings:
    """Typed view of the Settings sheet; defaults match a new workbook.

    ``writer_rows`` holds the text of every row a registered writer reads (its default when
    the sheet leaves it empty); the profile gives the chosen writer its own."""

    # Each default is a dataclasses.Field made by its Setting (RUF009 cannot tell).
    base_url: str = BASE_URL.field()
    time_zone: str = TIME_ZONE.field()
    invoice_status: str = INVOICE_STATUS.field()
    days_to_fetch: int = DAYS_TO_FETCH.field()
    concurrency: int = CONCURRENCY.field()
    fetch_time_limit: int = FETCH_TIME_LIMIT.field()
    extra_columns: list[str] = EXTRA_COLUMN.field_each()  # noqa: RUF009
    target_profile: str = TARGET_PROFILE.field()
    file_type: str = FILE_TYPE.field()
    output_folder: str = OUTPUT_FOLDER.field()
    file_name_pattern: str = FILE_NAME_PATTERN.field()
    balance_check: str = BALANCE_CHECK.field()
    date_order: DateOrder = DATE_ORDER.field()  # noqa: RUF009
    quantity_times_price: Recompute = QUANTITY_TIMES_PRICE.field()  # noqa: RUF009
    zero_invoices: Policy = ZERO_INVOICES.field()  # noqa: RUF009
    credit_memos: Policy = CREDIT_MEMOS.field()  # noqa: RUF009
    allow_reexport: bool = ALLOW_REEXPORT.field()
    mark_processed: bool = MARK_PROCESSED.field()
    ledger: str = LEDGER.field()
    writer_rows: dict[str, str] = field(default_factory=_writer_defaults)
    other: dict[str, str] = field(default_factory=dict)

    @property
    def tz(self) -> tzinfo:
        """The company's time zone; a wrong name is a ConfigError naming the setting."""
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(
                f"Settings: {TIME_ZONE.name} '{self.time_zone}' is not a known time zone; "
                "use a name like America/New_York or America/Chicago."
            ) from exc

    @property
    def statuses(self) -> list[str]:
        """The Invoice status values, one per comma-separated word."""
        return [s.strip() for s in self.invoice_status.split(",") if s.strip()]

    def text_of(self, row: WriterSetting) -> str:
        """The text of a writer's row (its default if the sheet leaves it empty)."""
        return self.writer_rows.get(row.name, row.default)


#: Settings attribute → the setting it holds, in field order.
_FIELDS: dict[str, Setting[Any]] = {
    f.name: f.metadata[_DECLARED] for f in dataclasses.fields(Settings) if _DECLARED in f.metadata
}


def setting_named(name: str) -> Setting[Any] | WriterSetting | None:
    """The setting or writer row the sheet calls ``name`` (case forgiven), or None."""
    return _declarations().get(name.strip().lower())


def setting_note(name: str) -> str | None:
    """The note beside the row called ``name`` on a new sheet, or None for a row we do not know."""
    declared = setting_named(name)
    return None if declared is None else declared.note


def read_by(name: str) -> str | None:
    """Which action (or, for a writer's row, which file types) reads the row called ``name``."""
    declared = setting_named(name)
    if isinstance(declared, WriterSetting):
        keys = writers_reading(declared)
        return f"the {', '.join(keys)} writer{'s' if len(keys) > 1 else ''}"
    return None if declared is None else declared.read_by


def _declarations() -> dict[str, Setting[Any] | WriterSetting]:
    """Every declared row by its lower-case name; a general setting wins over a writer's row."""
    found: dict[str, Setting[Any] | WriterSetting] = {row.name.lower(): row for row in setting_rows()}
    found.update((setting.name.lower(), setting) for setting in _FIELDS.values())
    return found


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_settings(grid: Sequence[Sequence[Any]]) -> Settings:
    """Build :class:`Settings` from the sheet's rows (header in row 1).

    Empty values fall back to the defaults; a value that cannot be read is a ConfigError
    that names the row. A repeated row's last value wins (Extra column: every value counts).
    """
    attributes = {setting.name.lower(): attr for attr, setting in _FIELDS.items()}
    writer = {row.name.lower(): row for row in setting_rows()}
    texts: dict[str, str] = {}
    each: dict[str, Any] = {attr: [] for attr, s in _FIELDS.items() if s.repeated}
    writer_rows, other = _writer_defaults(), {}
    for row in grid[1:]:
        name = _text(row[0] if row else None)
        value = _text(row[1] if len(row) > 1 else None)
        key = name.lower()
        if not name or not value:  # an empty setting is the same as an absent one
            continue
        if key in attributes:
            attr = attributes[key]
            if attr in each:
                each[attr].append(value)
            else:
                texts[attr] = value
        elif key in writer:
            writer_rows[writer[key].name] = value
        else:
            other[name] = value
    values: dict[str, Any] = {attr: _FIELDS[attr].read(text) for attr, text in texts.items()}
    return Settings(**values, **each, writer_rows=writer_rows, other=other)


def as_settings(settings: Settings | Mapping[str, Any]) -> Settings:
    """A :class:`Settings`, from itself or from ``{"Setting name": value}`` (a preset's
    settings, a test), read the way the sheet is read so defaults and spelling match."""
    if isinstance(settings, Settings):
        return settings
    return read_settings([list(HEADER), *([name, value] for name, value in settings.items())])
