"""Hand edits on *Export*, written in their field's form before anything checks them.

A clerk types ``$1,234.50`` into an amount, pastes a real date cell into a ``date(MM/DD/YY)``
field, or writes ``yes`` where the file wants ``Y``. Each such value has one reading, so it is
rewritten in the form the field's rule gives it (``1234.50``, ``12/01/26``, ``Y``) and the
rewrite is reported, so Preview can show the normalised value on the sheet. A value with no
single reading is left as typed: the record checks then refuse it, naming the cell, the value
and the form wanted.

Only values that are not already in their form are looked at again: the mapping's own values
have their form by construction, so this costs one C-level test per formed value.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass

from stac_xl.book.entries import DateOrder
from stac_xl.mapping.forms import ValueForm
from stac_xl.records import OutputRecord, RecordSpec


@dataclass(frozen=True)
class Normalised:
    """One value rewritten in its field's form."""

    record_index: int
    field_index: int
    typed: str
    written: str


def _forms(spec: RecordSpec) -> list[tuple[int, ValueForm]]:
    return [(i, form) for i, f in enumerate(spec.fields) if (form := getattr(f, "form", None)) is not None]


def normalise_hand_edits(specs: Sequence[RecordSpec], records: Sequence[OutputRecord], *,
                         order: DateOrder = DateOrder.MDY,
                         cells: Collection[tuple[int, int]] | None = None) -> list[Normalised]:
    """Rewrite, in place, every value a clerk typed in another way than its field's form but
    with one reading; return what was rewritten. ``cells`` (record index, field position):
    only these, the corrections Preview knows of (default: every value, as on Export)."""
    forms = {spec.name: _forms(spec) for spec in specs}
    done: list[Normalised] = []
    for index, record in _records(records, cells):
        values = record.values
        for position, form in forms.get(record.record, ()):
            if position >= len(values) or (cells is not None and (index, position) not in cells):
                continue
            typed = values[position]
            if not typed or form.fast(typed):
                continue
            written = form.normalise(typed, order)
            if written is not None and written != typed:
                values[position] = written
                done.append(Normalised(index, position, typed, written))
    return done


def _records(records: Sequence[OutputRecord],
             cells: Collection[tuple[int, int]] | None) -> Iterator[tuple[int, OutputRecord]]:
    if cells is None:
        yield from enumerate(records)
        return
    for index in sorted({i for i, _ in cells if 0 <= i < len(records)}):
        yield index, records[index]
