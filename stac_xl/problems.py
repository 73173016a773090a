"""A problem found in records or invoices, and what is done with a list of them.

Each :class:`Problem` says where it is (record index and field index, so the *Export* sheet
can mark the cell; the invoice number, so the clerk can find it in ServiceTrade) and what
is wrong, in a sentence. ``error`` blocks an export; ``warning`` is shown and allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from stac_xl.records import CENT, OutputRecord

Severity = Literal["error", "warning"]
Policy = Literal["export", "skip"]


@dataclass(frozen=True)
class Problem:
    """One problem; ``str(problem)`` is the line a clerk reads."""

    severity: Severity
    message: str
    invoice_number: str | None = None
    invoice_id: str | None = None
    record_index: int | None = None   # position in the record list (Export row - 2)
    field_index: int | None = None    # position in the record's values
    record: str | None = None         # record type: TRNS, I, …
    field: str | None = None          # field name: AMOUNT, Customer, …

    def __str__(self) -> str:
        where = []
        if self.invoice_number:
            where.append(f"Invoice {self.invoice_number}")
        elif self.record_index is not None:
            where.append(f"Record {self.record_index + 1}")
        label = " ".join(part for part in (self.record, self.field) if part)
        if label:
            where.append(label)
        return f"{', '.join(where)}: {self.message}" if where else self.message


def money_text(amount: Decimal) -> str:
    """An amount as a problem sentence shows it: to the cent, no thousands separator."""
    return format(amount.quantize(CENT), "f")


def has_errors(problems: Sequence[Problem]) -> bool:
    """True if any problem blocks the export."""
    return any(p.severity == "error" for p in problems)


def attach_issues(records: Sequence[OutputRecord], problems: Sequence[Problem]) -> None:
    """Copy each record's problems into its ``issues`` (the *Issues* column on *Export*)."""
    for problem in problems:
        if problem.record_index is not None and 0 <= problem.record_index < len(records):
            prefix = f"{problem.field}: " if problem.field else ""
            records[problem.record_index].issues.append(prefix + problem.message)
