"""A record type's *Only if* condition: write the record only when a value is there.

The *Only if* cell on the Records list holds a Source, written as a rule's Source is
(``[tax total]``, ``Tax``, ``Customer PO``, ``{Job number}``). A record is written when that
value, read for the row the record would be made from, is present: not empty, not FALSE,
and, for a number (or text reading as one, such as ``0.00``), not zero. So a sales-tax row
with *Only if* ``[tax total]`` appears on taxed invoices only.

The condition runs in the build loop, before the record's function, so the generated and
the field-by-field ways of making a record (codegen.py) leave out exactly the same records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from stac_xl.book.values import ValueProblem, is_present
from stac_xl.mapping.sources import CompiledSource

if TYPE_CHECKING:
    from stac_xl.mapping.run_state import Condition, RunState


def only_if_condition(source: CompiledSource) -> Condition:
    """``(row, state) -> bool``: True when the record is to be written.

    A value that cannot be read (``[line amount]`` of a line whose Quantity is not a number)
    writes the record anyway and reports the problem on it: leaving a record out because of
    bad data would hide the data from the clerk."""
    getter = source.getter
    if source.constant is not None:
        written = is_present(source.constant)
        return lambda row, state: written

    def condition(row: Mapping[str, Any], state: RunState) -> bool:
        try:
            return is_present(getter(row, state))
        except ValueProblem as problem:
            state.report(None, None, f"Only if: {problem}")
            return True
    return condition
