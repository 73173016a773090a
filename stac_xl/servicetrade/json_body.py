"""Reading a ServiceTrade body as JSON, with every integer exact.

orjson is fast (a 2000-invoice page is ~3 MB, and parsing it is most of a fetch's CPU) but
it reads an integer beyond 64 bits as a float, silently rounding it: an id of 2**64 + 1
would come back as 18446744073709551616.0. A body that holds a run of 19 or more digits
anywhere (an id that might not fit, or just a long number in a text) is read with the
standard library instead, whose integers are exact at any size.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

# 19 digits can exceed 2**63 - 1; 20 can exceed 2**64 - 1. Checking for 19 keeps a margin
# for orjson's signed/unsigned handling without looking at the sign.
_LONG_DIGITS = re.compile(rb"\d{19}")


def parse_json(body: bytes) -> Any:
    """The JSON value of ``body``; ``ValueError`` if it is not JSON."""
    if _LONG_DIGITS.search(body) is None:
        return orjson.loads(body)  # orjson.JSONDecodeError is a ValueError
    try:
        return json.loads(body)
    except (UnicodeDecodeError, RecursionError) as exc:
        raise ValueError(str(exc)) from exc
