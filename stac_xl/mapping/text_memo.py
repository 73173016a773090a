"""A rule's chain of text transforms, made once per distinct text.

``strip_newlines | ansi | truncate(35)`` on a Description runs three functions per line,
and at 100,000 lines most descriptions repeat (the same service, the same part). The chain
depends on the text alone, so its result is remembered by the text it was given: the
text it made, or, when a step had something to tell (a cut, a character spelled out), the
text and what it told, which the generated record function reports on the field as the
field function would (codegen.py). A step with a problem and no value (none of the text
transforms has one) is not remembered: the record is then made field by field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stac_xl.book.values import as_text
from stac_xl.mapping.transform_types import Transform, ValueChanged

_NO_ROW: Mapping[str, Any] = {}
REMEMBERED = 50_000  # distinct texts per rule; past that, new texts are made each time


class TextMemo:
    """``made[text]``: the chain's text for ``text``, or ``(text, ValueChanged)`` when a
    step told something on the way; :meth:`remember` makes and keeps one."""

    def __init__(self, chain: Transform):
        self.chain = chain
        self.made: dict[str, str | tuple[str, ValueChanged]] = {}

    def remember(self, text: str) -> str | tuple[str, ValueChanged]:
        found: str | tuple[str, ValueChanged]
        try:
            found = as_text(self.chain(text, _NO_ROW))
        except ValueChanged as change:
            found = (as_text(change.value), change)
        if len(self.made) < REMEMBERED:
            self.made[text] = found
        return found
