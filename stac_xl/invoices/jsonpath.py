"""Dotted JSON paths as the clerk types them: ``location.address.city``, ``items.0.price``.

A path is split once into keys (``compile_path``) and then resolved many times
(``resolve``), because flatten resolves the same few paths on every invoice. A segment that
is all digits indexes a list; anything missing along the way resolves to ``None`` rather
than failing, since ServiceTrade omits empty fields and a clerk's extra column is a guess.
"""

from __future__ import annotations

import re
from typing import Any

Keys = tuple[str | int, ...]

LINE_PREFIX = "item."  # an extra path starting with this is resolved on each line
_INDEX = re.compile(r"-?[0-9]+")


def compile_path(path: str) -> Keys:
    """Split ``path`` into dict keys (str) and list indexes (int).

    ``"items.0.description"`` → ``("items", 0, "description")``. Blank segments (from a
    doubled or trailing dot) are dropped; a blank path compiles to ``()`` (the whole object).
    """
    keys: list[str | int] = []
    for part in path.strip().split("."):
        part = part.strip()
        if not part:
            continue
        keys.append(int(part) if _is_index(part) else part)
    return tuple(keys)


def _is_index(part: str) -> bool:
    # "-1" counts too, so a clerk can ask for the last line ("items.-1.description").
    return _INDEX.fullmatch(part) is not None


def resolve(obj: Any, keys: Keys) -> Any:
    """Follow ``keys`` into ``obj``; ``None`` as soon as a step is missing or the wrong type.

    An int key on a dict also tries its string form, since JSON object keys are strings
    (``externalIds.0`` should find ``{"0": …}``).
    """
    for key in keys:
        if isinstance(obj, dict):
            if key in obj:
                obj = obj[key]
            elif isinstance(key, int) and str(key) in obj:
                obj = obj[str(key)]
            else:
                return None
        elif isinstance(obj, list) and isinstance(key, int):
            if -len(obj) <= key < len(obj):
                obj = obj[key]
            else:
                return None
        else:
            return None
    return obj


def get_path(obj: Any, path: str) -> Any:
    """Resolve a dotted ``path`` on ``obj`` in one call (compile + resolve)."""
    return resolve(obj, compile_path(path))


def is_line_path(path: str) -> bool:
    """True if ``path`` names a field of an invoice line (``item.…``) rather than the invoice."""
    return path.strip().startswith(LINE_PREFIX)


def line_keys(path: str) -> Keys:
    """Keys of an ``item.…`` path, relative to the line (the ``item`` prefix removed)."""
    return compile_path(path.strip()[len(LINE_PREFIX):])
