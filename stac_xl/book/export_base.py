"""The hidden *Export base*: what Preview made, against which the clerk's *Export* is read.

Hand corrections survive the next Preview: Preview also writes what it computed to the
hidden *Export base* sheet, and the next Preview compares the two. A cell that differs
from its base is the clerk's correction; it is carried onto the record with the same key
(record type, invoice id, line id, occurrence) and marked as edited. A correction whose
computed value has changed since keeps, in the base, the value it was made against (and,
in the base's Issues cell, which sheet changed it: :class:`BaseNotes`), so it is told again
on every Preview until the clerk takes the new value. The base also remembers the cells
Preview could not make, which Export refuses while the clerk leaves them as they are
(:func:`unmade_cells`).

Export checks the sheet's rows against the base's, by *Record no*: a row the clerk deleted
or added (:func:`missing_records`), copied (:func:`~stac_xl.book.export_sheet.read_export_sheet`)
or filled with another record's cells is refused, naming its row.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from stac_xl.book.export_sheet import FIRST_RECORD_ROW, RECORD_NO, SheetRecords, row_cell
from stac_xl.problems import Problem
from stac_xl.records import OutputRecord, RecordSpec

RecordKey = tuple[str, str, str, int]  # record type, invoice id, line id, n-th such record


@dataclass(frozen=True)
class Correction:
    """A value the clerk typed over a computed one."""

    key: RecordKey
    position: int  # 0-based field position
    computed: str  # what Preview had computed when the clerk edited
    value: str     # what the clerk typed


def missing_records(sheet: SheetRecords, base: SheetRecords) -> list[Problem]:
    """The rows that are not the records Preview made: a row deleted (it would be missing
    from the file), one added by hand with a *Record no* of its own, or one whose record type
    or hidden keys are another record's (cells pasted over it). Where a deleted row was, its
    neighbour names the place."""
    on_sheet = dict(zip(sheet.numbers, zip(sheet.records, sheet.rows)))
    previewed = set(base.numbers)
    problems = [Problem("error", f"this row's hidden {RECORD_NO} ({number}) is not one Preview made: the row was added "
                        "by hand, and the file would hold it; delete it or click Preview again.", cell=row_cell(row))
                for number, row in zip(sheet.numbers, sheet.rows) if number not in previewed]
    last_row = FIRST_RECORD_ROW - 1
    for number, made in zip(base.numbers, base.records):
        found = on_sheet.get(number)
        if found is None:
            problems.append(Problem(
                "error", f"the {made.record} record {_of(made)} is missing: its row was deleted from the Export "
                "sheet, so the file would leave it out; click Preview to bring it back.",
                invoice_id=made.invoice_id, cell=row_cell(last_row + 1)))
            continue
        record, row = found
        last_row = row
        if (record.record, record.invoice_id, record.line_id) != (made.record, made.invoice_id, made.line_id):
            problems.append(Problem(
                "error", f"this row holds a {record.record} record {_of(record)}, but Preview made the {made.record} "
                f"record {_of(made)} here (hidden {RECORD_NO} {number}); click Preview to put the rows right.",
                invoice_id=made.invoice_id, cell=row_cell(row)))
    return problems


def _of(record: OutputRecord) -> str:
    line = f", line {record.line_id}" if record.line_id else ""
    return f"(invoice id {record.invoice_id}{line})" if record.invoice_id else "(of the whole file)"


def record_keys(records: Iterable[OutputRecord]) -> list[RecordKey]:
    """A stable key per record; ``n`` tells apart records sharing type, invoice and line."""
    seen: dict[tuple[str, str, str], int] = defaultdict(int)
    keys = []
    for r in records:
        base = (r.record, r.invoice_id or "", r.line_id or "")
        keys.append((*base, seen[base]))
        seen[base] += 1
    return keys


def find_corrections(sheet: Sequence[OutputRecord], base: Sequence[OutputRecord]) -> list[Correction]:
    """Cells on the Export sheet that differ from what Preview computed (the base)."""
    base_by_key = dict(zip(record_keys(base), base))
    corrections = []
    for key, rec in zip(record_keys(sheet), sheet):
        original = base_by_key.get(key)
        if original is None:
            continue
        for pos, value in enumerate(rec.values):
            computed = original.values[pos] if pos < len(original.values) else ""
            if value != computed:
                corrections.append(Correction(key, pos, computed, value))
    return corrections


@dataclass(frozen=True)
class Applied:
    """A correction put onto a freshly built record: where, and what Preview computes now."""

    index: int      # the record's position in file order
    position: int   # the field's
    correction: Correction
    now: str        # what Preview computes there now

    @property
    def changed(self) -> bool:
        """True when the computed value is no longer the one the clerk corrected."""
        return self.now != self.correction.computed


def apply_corrections(records: Sequence[OutputRecord], corrections: Sequence[Correction]) -> list[Applied]:
    """Put the clerk's corrections onto freshly built records, in place.

    Returns each correction applied, so the caller can mark those cells and tell the ones
    whose computed value has changed since (:attr:`Applied.changed`). A correction whose
    record no longer exists is dropped; so is one that now equals the computed value (the
    clerk typed the new value, or ServiceTrade now agrees with them).
    """
    by_key: dict[RecordKey, list[Correction]] = defaultdict(list)
    for c in corrections:
        by_key[c.key].append(c)
    applied = []
    for index, (key, rec) in enumerate(zip(record_keys(records), records)):
        for c in by_key.get(key, ()):
            if c.position >= len(rec.values) or rec.values[c.position] == c.value:
                continue
            applied.append(Applied(index, c.position, c, rec.values[c.position]))
            rec.values[c.position] = c.value
    return applied


@dataclass
class BaseNotes:
    """What the hidden base remembers of a record's cells besides their values (kept in its
    Issues cell, which no clerk reads): the sheet that changed a corrected cell's value
    (``changed``: position → "Lookups"), and the cells Preview could not make (``unmade``:
    position → the problem's message, cause and subject), so that Export refuses such a
    cell the clerk left as it was, with Preview's own sentence."""

    changed: dict[int, str] = field(default_factory=dict)
    unmade: dict[int, tuple[str, str | None, str | None]] = field(default_factory=dict)

    def text(self) -> str:
        """The notes as the base's Issues cell holds them (empty when there are none)."""
        if not self.changed and not self.unmade:
            return ""
        return json.dumps({"changed": self.changed, "unmade": self.unmade}, ensure_ascii=False,
                          separators=(",", ":"))

    @classmethod
    def read(cls, text: str) -> BaseNotes:
        """Notes from :meth:`text`; anything else (an older base, a hand edit) is none."""
        try:
            data = json.loads(text) if text.startswith("{") else {}
            changed = {int(k): str(v) for k, v in data.get("changed", {}).items()}
            unmade = {int(k): (str(v[0]), v[1], v[2]) for k, v in data.get("unmade", {}).items()}
        except (ValueError, TypeError, AttributeError, IndexError, KeyError):
            return cls()
        return cls(changed, unmade)


def unmade_cells(sheet: SheetRecords, base: SheetRecords, specs: Sequence[RecordSpec],
                 numbers: Mapping[str, str]) -> list[Problem]:
    """The cells Preview could not make (a key missing from a lookup) that the clerk left as
    Preview wrote them: the file would hold an empty or wrong value there. Told with
    Preview's own sentence, on the cell."""
    names = {s.name: s.field_names for s in specs}
    made = dict(zip(base.numbers, zip(base.records, base.issues)))
    problems = []
    for index, (number, record) in enumerate(zip(sheet.numbers, sheet.records)):
        found = made.get(number)
        if found is None or not found[1]:
            continue
        original, notes = found[0], BaseNotes.read(found[1])
        for position, (message, cause, subject) in notes.unmade.items():
            now = record.values[position] if position < len(record.values) else ""
            then = original.values[position] if position < len(original.values) else ""
            if now == then:
                fields = names.get(record.record, [])
                problems.append(Problem("error", message, numbers.get(record.invoice_id or ""), record.invoice_id,
                                        index, position, record.record,
                                        fields[position] if position < len(fields) else None,
                                        cause=cause, subject=subject))
    return problems
