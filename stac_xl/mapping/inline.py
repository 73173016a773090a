"""Fast paths that compiled transforms and computed sources offer to generated code.

A transform is a function ``(value, row) -> value`` and a computed source a function
``(row, state) -> value``; calling one per field of 100,000 records is most of a build's
time. So a function may carry an :class:`Inline`: a few statements doing its common case
(a ``Decimal`` for ``number(2)``, a ``date`` already seen for ``date(MM/DD/YY)``) that
:mod:`stac_xl.mapping.codegen` pastes into a record's generated function, and that call
the function itself (``{call}``) for everything else, so every rare case and every
problem message stays the function's own.

Snippets are written here in the source code, never built from cell text: what the clerk
typed (a pattern, a lookup table) reaches generated code only as a bound object, through
a ``{name}`` placeholder that code generation renames. Placeholders: ``{v}`` the value's
variable, ``{call}`` the function itself, and each key of ``bound``. ``{v}_`` is free for scratch. Snippets
may also use ``row``, ``state``, ``get`` (``row.get``), ``Decimal``, ``ROUND_HALF_UP``,
``date`` and ``as_text``; no other braces.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Inline:
    """Statements that turn ``{v}`` into the function's result, as the function would."""

    code: str
    bound: Mapping[str, Any] = field(default_factory=dict)


def offer(function: F, code: str, **bound: Any) -> F:
    """Attach a fast path to ``function`` (returned, for ``return offer(run, …)``)."""
    function.inline = Inline(code, bound)  # type: ignore[attr-defined]
    return function


def inline_of(func: Callable[..., Any]) -> Inline | None:
    """The fast path ``func`` offers, if any."""
    return getattr(func, "inline", None)


# Shared snippets ------------------------------------------------------------------------------

TEXT_FAST = """\
if {v}.__class__ is str:
    if {v}:
        {v} = {func}({v})
else:
    {v} = {call}({v}, row)"""
"""A text transform: ``func(text)`` for non-empty text; the call for anything else."""

PLAIN_DECIMAL = ('{v}_ = str({v})', '{v} = format({v}, "f") if "E" in {v}_ else {v}_')
"""Lines making the Decimal ``{v}`` its plain text, as ``transforms.plain_decimal`` does."""

DECIMAL_FAST = """\
if {v}.__class__ is Decimal:
    {body}
else:
    {v} = {call}({v}, row)"""
"""Template for a numeric transform's Decimal case; ``{body}`` is filled in (indented by 4)."""


def decimal_fast(*body: str) -> str:
    """A numeric transform's snippet: ``body`` lines for a Decimal, the call for the rest."""
    return DECIMAL_FAST.replace("{body}", "\n    ".join(body))
