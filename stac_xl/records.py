"""Output records: what the mapping produces and a writer lays out in the import file.

The mapping turns invoices into a list of :class:`OutputRecord` in file order; each record
names its :class:`RecordSpec`, whose ordered :class:`FieldSpec` list the writer follows.
Values are already-formatted strings (dates, signs, decimals are the mapping's job), so a
writer only decides layout: delimiters and quoting, fixed positions, IIF keywords, XML.

``CENT`` is the unit every amount in a record is rounded to (half-up unless a profile
says otherwise): one definition for the models, the mapping and the checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

CENT = Decimal("0.01")


class Grain(str, Enum):
    """When a record is written. The values are the words the clerk types on *Mapping*."""

    FILE_START = "file start"      # once, before everything
    INVOICE = "invoice"            # once per invoice
    LINE = "line"                  # once per invoice line
    INVOICE_END = "invoice end"    # once after each invoice's lines
    FILE_END = "file end"          # once, after everything


@dataclass(frozen=True)
class FieldSpec:
    """One output field. ``max_length`` is also the width of a fixed-width field."""

    name: str
    max_length: int | None = None


@dataclass(frozen=True)
class RecordSpec:
    """A record type: its name (``TRNS``, ``I``, ``Invoice``…), grain, fields in file order."""

    name: str
    grain: Grain
    fields: tuple[FieldSpec, ...]
    header: bool = False  # delimited files: write a row of field names before the first one

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


@dataclass
class OutputRecord:
    """One record in the import file: its type and one string value per field.

    ``invoice_id`` / ``line_id`` tie the record back to ServiceTrade (hidden key columns
    on the *Export* sheet); they are not written to the file.
    """

    record: str
    values: list[str]
    invoice_id: str | None = None
    line_id: str | None = None
    issues: list[str] = field(default_factory=list)

    def copy(self) -> OutputRecord:
        """A record of its own: the same texts in new lists (texts themselves never change)."""
        return OutputRecord(self.record, list(self.values), self.invoice_id, self.line_id, list(self.issues))
