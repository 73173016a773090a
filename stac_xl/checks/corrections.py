"""What Preview tells about the clerk's corrections on *Export*.

A correction is kept across Previews (:mod:`stac_xl.book.export_sheet`); this module says
what a clerk must know about one:

- an error on a corrected cell is the correction's error, said so ("your correction
  '13/45/24' is not a date in the form MM/DD/YY."), and it wins over the correction's blue;
- a correction whose computed value has changed since is a warning naming where the new
  value came from (ServiceTrade, Lookups, Mapping or Settings), told on every Preview until
  the clerk types the new value (:func:`changed_since`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence

from stac_xl.book.export_base import Applied
from stac_xl.book.export_sheet import changed_parts
from stac_xl.problems import Problem
from stac_xl.records import OutputRecord, RecordSpec

CHANGED_CAUSE = "changed since your correction"
# the fingerprint's part names (book.layout's sheet names) as the clerk knows them
SHEET_WORDS = {"Invoices": "ServiceTrade (the Invoices sheet)", "Mapping": "Mapping", "Lookups": "Lookups",
               "Settings": "Settings"}


def origin_of_change(stamped: str | None, current: str) -> str:
    """Which sheets changed between the last Preview and this one, in the clerk's words
    ("ServiceTrade (the Invoices sheet) or Lookups"); empty when none did."""
    if not stamped:
        return ""
    changed = [SHEET_WORDS.get(name, name) for name in changed_parts(stamped, current)]
    return " or ".join(changed)


def changed_since(applied: Sequence[Applied], specs: Sequence[RecordSpec], records: Sequence[OutputRecord],
                  origins: Mapping[tuple[int, int], str], numbers: Mapping[str, str]) -> list[Problem]:
    """A warning on each corrected cell whose computed value changed since the correction;
    ``origins``: (record index, position) → what changed it."""
    fields = {s.name: s.field_names for s in specs}
    problems = []
    for a in applied:
        if not a.changed:
            continue
        record = records[a.index]
        names = fields.get(record.record, [])
        origin = origins.get((a.index, a.position)) or "the sheets Preview reads"
        problems.append(Problem(
            "warning", f"{origin} changed the value here to '{a.now}' (it was '{a.correction.computed}' when you "
            f"corrected it); your correction '{a.correction.value}' is kept: type '{a.now}' to take the new value.",
            numbers.get(record.invoice_id or ""), record.invoice_id, a.index, a.position, record.record,
            names[a.position] if a.position < len(names) else None, cause=CHANGED_CAUSE))
    return problems


def as_corrections(problems: Sequence[Problem], corrected: Collection[tuple[int, int]],
                   records: Sequence[OutputRecord]) -> list[Problem]:
    """The errors on corrected cells told as the correction's ("your correction '…' is not
    a date"); every other problem as it is."""
    told = []
    for p in problems:
        if p.severity == "error" and p.record_index is not None and (p.record_index, p.field_index) in corrected:
            value = records[p.record_index].values[p.field_index or 0]
            said = (f"your correction {p.message}" if p.message.startswith(f"'{value}'")
                    else f"your correction '{value}': {p.message}")
            p = dataclasses.replace(p, message=said)
        told.append(p)
    return told
