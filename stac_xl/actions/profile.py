"""The export profile a workbook describes: its Settings, the writer they choose, its Mapping
and Lookups sheets, and the checks every record list must pass before it is a file.

Preview and Export both start here, so they judge records by the same rules: the record
checks (required, lengths, encoding, the form of dates and numbers), the invoice checks on
*Invoices*, and the profile's *Balance check* setting (without one, the writer's own check,
e.g. every IIF transaction summing to zero, and the balance its Mapping implies:
:mod:`stac_xl.checks.derived_balance`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stac_xl.actions.profile_settings import InvoicePolicies, balance_check, invoice_policies, writer_for
from stac_xl.book import layout
from stac_xl.book.port import WorkbookPort
from stac_xl.checks.balance_check import BalanceCheck
from stac_xl.checks.derived_balance import check_derived_balance
from stac_xl.checks.recomputed_lines import Recompute, check_recomputed_lines
from stac_xl.checks.records import validate_records
from stac_xl.problems import Problem
from stac_xl.records import OutputRecord, RecordSpec
from stac_xl.settings import Settings, read_settings
from stac_xl.writers import Writer


@dataclass
class ExportProfile:
    """Everything the workbook says about how to write the import file, and the sheets it
    was read from (``settings_grid`` among them, so an action that also hashes the Settings
    rows reads the sheet once)."""

    settings: Settings
    writer: Writer
    mapping_grid: list[list[Any]]
    lookups_grid: list[list[Any]]
    policies: InvoicePolicies
    balance: BalanceCheck | None = None  # the Balance check setting, read
    settings_grid: list[list[Any]] = field(default_factory=list)


def load_profile(book: WorkbookPort) -> ExportProfile:
    """Read Settings (once), Mapping and Lookups; a bad setting is a ConfigError naming its row."""
    settings_grid = book.read_grid(layout.SETTINGS)
    settings = read_settings(settings_grid)
    return ExportProfile(
        settings=settings,
        writer=writer_for(settings),
        mapping_grid=book.read_grid(layout.MAPPING),
        lookups_grid=book.read_grid(layout.LOOKUPS),
        policies=invoice_policies(settings),
        balance=balance_check(settings),
        settings_grid=settings_grid,
    )


def check_records(profile: ExportProfile, specs: Sequence[RecordSpec], records: Sequence[OutputRecord],
                  rows: Sequence[Mapping[str, Any]] | None) -> list[Problem]:
    """Every problem with ``records`` for this profile's file: required fields, lengths,
    encodability, the form of dates, numbers and yes/no values (the records may hold hand
    edits), invoice balance and duplicates on *Invoices*, and the *Balance check* of each
    invoice in the file (without one, what the writer itself checks and the balance the
    Mapping implies), and each line the accounting system multiplies out again."""
    problems = validate_records(specs, records, encoding=profile.writer.options.encoding, rows=rows, check_forms=True)
    recompute = profile.settings.quantity_times_price
    if profile.balance is not None:
        problems += profile.balance.check(specs, records, rows)
    else:  # every file adds up: without a setting, as its Mapping says
        problems += profile.writer.check(specs, records)
        problems += check_derived_balance(specs, records, rows, products=recompute is Recompute.NO)
    return problems + check_recomputed_lines(specs, records, rows, recompute)
