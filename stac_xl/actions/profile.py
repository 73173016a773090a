"""The export job a workbook describes: its Settings, the writer they choose, its Mapping
and Lookups sheets, and the checks every record list must pass before it is a file.

Preview and Export both start here, so they judge records by the same rules: the record
checks (required, lengths, encoding, the form of dates and numbers), the invoice checks on
*Invoices*, and the profile's *Balance check* setting (for an IIF file without one, every
transaction summing to zero).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stac_xl.book import layout
from stac_xl.book.port import WorkbookPort
from stac_xl.records import OutputRecord, RecordSpec
from stac_xl.settings import Settings, read_settings

if TYPE_CHECKING:
    from stac_xl.checks.balance_check import BalanceCheck
    from stac_xl.problems import Policy


@dataclass
class Job:
    """Everything the workbook says about how to write the import file."""

    settings: Settings
    writer: Any  # a stac_xl.writers Writer
    mapping_grid: list[list[Any]]
    lookups_grid: list[list[Any]]
    policies: dict[str, Policy]
    balance: BalanceCheck | None = None  # the Balance check setting, read


def load_job(book: WorkbookPort) -> Job:
    """Read Settings, Mapping and Lookups; a bad setting is a ConfigError naming its row."""
    from stac_xl.actions.profile_settings import balance_check, invoice_policies, writer_for

    settings = read_settings(book.read_grid(layout.SETTINGS))
    return Job(
        settings=settings,
        writer=writer_for(settings),
        mapping_grid=book.read_grid(layout.MAPPING),
        lookups_grid=book.read_grid(layout.LOOKUPS),
        policies=dict(invoice_policies(settings)),
        balance=balance_check(settings),
    )


def check_records(job: Job, specs: Sequence[RecordSpec], records: Sequence[OutputRecord],
                  rows: Sequence[Mapping[str, Any]] | None) -> list[Any]:
    """Every problem with ``records`` for this job's file: required fields, lengths,
    encodability, the form of dates, numbers and yes/no values (the records may hold hand
    edits), invoice balance and duplicates on *Invoices*, and the *Balance check* of each
    invoice in the file (without one, for IIF, transactions summing to zero)."""
    from stac_xl.checks.invoices import check_sums_to_zero
    from stac_xl.checks.records import validate_records

    problems = validate_records(specs, records, encoding=job.writer.options.encoding, rows=rows, check_forms=True)
    if job.balance is not None:
        problems += job.balance.check(specs, records, rows)
    elif job.writer.key == "iif":
        problems += check_sums_to_zero(specs, records)
    return problems
