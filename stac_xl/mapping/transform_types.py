"""What a transform is: a function ``(value, row) -> value``, the context it is compiled
in, and the catalogue entry that names it.

Apart from the catalogue (:mod:`stac_xl.mapping.transforms`) so the lookup transform can be
one of its entries without the two importing each other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from stac_xl.book.values import ValueProblem
from stac_xl.mapping.syntax import Step
from stac_xl.problems import Severity

Transform = Callable[[Any, Mapping[str, Any]], Any]
F = TypeVar("F", bound=Callable[..., Any])


def of_text_alone(transform: F) -> F:
    """Mark ``transform`` as depending on its text alone (returned): given the same text it
    makes the same text and tells the same thing, whatever the row (text_memo.py)."""
    transform.of_text_alone = True  # type: ignore[attr-defined]  # a plain attribute on a function
    return transform


def is_of_text_alone(transform: Callable[..., Any]) -> bool:
    return getattr(transform, "of_text_alone", False) is True


class ValueChanged(ValueProblem):
    """A transform made its value, but not the value it was given whole: ``truncate`` cut it,
    ``ansi`` spelled out or replaced characters the file cannot hold. ``value`` is what it
    made; the field keeps it, and the message is a warning on the field's cell, so nothing
    is cut or dropped without the clerk seeing it. With ``severity="error"`` the field
    keeps the value it was given and the message is an error (a name too long to match its
    record is shown whole, not cut). A ValueProblem, so the generated record code makes
    such a record field by field, where the problem is reported."""

    def __init__(self, message: str, value: Any, *, cause: str | None = None, subject: str | None = None,
                 severity: Severity = "warning"):
        super().__init__(message, cause=cause, subject=subject)
        self.value = value
        self.severity: Severity = severity


@dataclass(frozen=True)
class TransformContext:
    """What a transform may consult while compiling: lookup tables, the Invoices columns."""

    tables: Mapping[str, Any]  # lowered name -> stac_xl.mapping.lookup.LookupTable
    columns: frozenset[str]


@dataclass(frozen=True)
class TransformSpec:
    """A named transform: how it is written, and how its arguments become a function."""

    name: str
    usage: str
    make: Callable[[Step, TransformContext], Transform]
