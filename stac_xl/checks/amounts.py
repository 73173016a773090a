"""Where the amounts are in a file's records, and reading them back from *Export*.

The Mapping says which field carries which amount (:mod:`stac_xl.mapping.field_types`);
the checks that add invoices up (:mod:`stac_xl.checks.derived_balance`) and compare a
line's quantity × unit price with its amount (:mod:`stac_xl.checks.recomputed_lines`) read
those fields here, as the clerk left them, in ServiceTrade's sign and decimals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from stac_xl.mapping.field_types import AmountField, AmountRole, NotAnAmount, amount_value
from stac_xl.problems import NOT_AN_AMOUNT, Problem
from stac_xl.records import Grain, OutputRecord, RecordSpec


@dataclass(frozen=True)
class FieldAt:
    """One amount field of one record type: where it is and how to read it."""

    UNREADABLE: ClassVar[object] = object()

    record: str
    position: int
    name: str
    grain: Grain
    amount: AmountField
    form: Any = None

    def read(self, record: OutputRecord) -> Decimal | object | None:
        """The amount in this field of ``record`` (None: empty; UNREADABLE: not a number)."""
        raw = record.values[self.position] if self.position < len(record.values) else ""
        try:
            return amount_value(raw, self.amount)
        except NotAnAmount:
            return FieldAt.UNREADABLE

    def problem(self, index: int, record: OutputRecord, number: str | None, message: str, *,
                severity: Any = "error", cause: str | None = None) -> Problem:
        """A problem on this field's cell of ``record`` (at ``index`` in the file)."""
        return Problem(severity, message, number, record.invoice_id, index, self.position, self.record, self.name,
                       cause=cause)

    def unreadable(self, index: int, record: OutputRecord, number: str | None) -> Problem:
        """The amount cannot be read: said once, unless its form check says it already."""
        raw = record.values[self.position] if self.position < len(record.values) else ""
        return self.problem(index, record, number, f"'{raw}' is not an amount.", cause=NOT_AN_AMOUNT)


class AmountCells:
    """Every amount field of a Mapping's record types, by record type and role."""

    def __init__(self, fields: Sequence[FieldAt]):
        self.fields = list(fields)
        self._asked: dict[tuple[str, AmountRole, Grain | None], list[FieldAt]] = {}
        self._by_record: dict[str, list[FieldAt]] = {}
        for at in self.fields:
            self._by_record.setdefault(at.record, []).append(at)
        #: line record type → (its quantity field, its unit price field), where it has both
        self.products: dict[str, tuple[FieldAt, FieldAt]] = {}
        for name, found in self._by_record.items():
            quantity = [f for f in found if f.amount.role is AmountRole.QUANTITY and f.grain is Grain.LINE]
            price = [f for f in found if f.amount.role is AmountRole.UNIT_PRICE and f.grain is Grain.LINE]
            if quantity and price:
                self.products[name] = (quantity[0], price[0])

    def of(self, record: str, role: AmountRole, grain: Grain | None = None) -> list[FieldAt]:
        """The fields of record type ``record`` carrying ``role`` (on records of ``grain``);
        worked out once per question, as the checks ask it for every record."""
        key = (record, role, grain)
        found = self._asked.get(key)
        if found is None:
            found = self._asked[key] = [f for f in self._by_record.get(record, ())
                                        if f.amount.role is role and (grain is None or f.grain is grain)]
        return found

    def all_of(self, role: AmountRole, grain: Grain | None = None) -> list[FieldAt]:
        """Every field carrying ``role`` (on records of ``grain``)."""
        return [f for f in self.fields if f.amount.role is role and (grain is None or f.grain is grain)]

    def line_cell(self, record: str) -> FieldAt | None:
        """The cell a line record's amount is seen in: its line amount, else its unit price."""
        found = self.of(record, AmountRole.LINE, Grain.LINE)
        if found:
            return found[0]
        pair = self.products.get(record)
        return pair[1] if pair else None

    def first_line_cell(self, records: Sequence[OutputRecord], first: int) -> tuple[FieldAt | None, int]:
        """(field, record index) of an invoice's first line amount, from its first record on."""
        invoice_id = records[first].invoice_id
        for index in range(first, len(records)):
            if records[index].invoice_id != invoice_id:
                break
            at = self.line_cell(records[index].record)
            if at is not None:
                return at, index
        return None, first


def amount_cells(specs: Sequence[RecordSpec]) -> AmountCells:
    """The amount fields the Mapping gives its record types."""
    fields = []
    for spec in specs:
        for position, spec_field in enumerate(spec.fields):
            amount = getattr(spec_field, "amount", None)
            if amount is not None:
                fields.append(FieldAt(spec.name, position, spec_field.name, spec.grain, amount,
                                      getattr(spec_field, "form", None)))
    return AmountCells(fields)
