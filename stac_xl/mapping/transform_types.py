"""What a transform is: a function ``(value, row) -> value``, the context it is compiled
in, and the catalogue entry that names it.

Apart from the catalogue (:mod:`stac_xl.mapping.transforms`) so the lookup transform can be
one of its entries without the two importing each other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from stac_xl.mapping.syntax import Step

Transform = Callable[[Any, Mapping[str, Any]], Any]


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
