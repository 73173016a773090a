"""What the writer itself refuses, told on the Export cell it is about.

A writer refuses what it cannot lay out faithfully (a TAB inside an IIF field, a delimiter
in a file written without quoting, a control character in XML) with a
:class:`~stac_xl.errors.WriteProblem` naming "Record 6, field MEMO". The clerk sees rows
and cells, not record numbers, so the problem is told again on its cell
(:func:`problem_of`); Preview writes the records once into nothing to find it before
Export does (:func:`check_writable`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import BinaryIO, cast

from stac_xl.errors import WriteProblem
from stac_xl.problems import Problem
from stac_xl.records import OutputRecord, RecordSpec
from stac_xl.writers.base import Writer


def problem_of(refused: WriteProblem, specs: Sequence[RecordSpec], records: Sequence[OutputRecord],
               numbers: Mapping[str, str]) -> Problem:
    """The writer's refusal as a problem on its record's field (its message without "Record N")."""
    message, index = str(refused), refused.record_index
    spec = next((s for s in specs if s.name == refused.record), None)
    position = spec.field_names.index(refused.field) if spec and refused.field in spec.field_names else None
    number = None
    if index is not None:
        prefix = f"Record {index + 1} ({refused.record}), " + (f"field {refused.field}: " if refused.field else "")
        message = message.removeprefix(prefix)  # the cell says where; "Record 6" is not on the sheet
        if index < len(records):
            number = numbers.get(records[index].invoice_id or "")
    return Problem("error", message, number, records[index].invoice_id if index is not None and index < len(records)
                   else None, index, position, refused.record, refused.field)


class _Nowhere:
    """A binary stream that keeps nothing: the trial write's bytes are not needed."""

    def write(self, data: bytes) -> int:
        return len(data)


def check_writable(writer: Writer, specs: Sequence[RecordSpec], records: Sequence[OutputRecord],
                   numbers: Mapping[str, str]) -> list[Problem]:
    """The first thing ``writer`` would refuse in ``records``, as a problem on its cell (none: it writes them)."""
    try:
        writer.write(specs, records, cast(BinaryIO, _Nowhere()))
    except WriteProblem as refused:
        return [problem_of(refused, specs, records, numbers)]
    return []
