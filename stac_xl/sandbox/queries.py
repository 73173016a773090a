"""Reading the sandbox's request parameters and bodies; any mistake is a ``BadRequest`` (400).

Invoice filters follow ServiceTrade's documented ``GET /invoice`` parameters: comma lists
for ``status``/``type``/ids, and unix-second bounds that are inclusive ("on or after",
"on or before").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from stac_xl.sandbox.state import STATUSES

# (query parameter, invoice field, True for a lower bound)
BOUNDS: list[tuple[str, str, bool]] = [
    ("createdAfter", "created", True), ("createdBefore", "created", False),
    ("updatedAfter", "updated", True), ("updatedBefore", "updated", False),
    ("transactionDateAfter", "transactionDate", True), ("transactionDateBefore", "transactionDate", False),
]
# (query parameter, the reference object in the invoice)
ID_FILTERS: list[tuple[str, str]] = [("customerId", "customer"), ("locationId", "location"), ("jobId", "job")]
TYPES = frozenset({"invoice", "vendorbill", "external"})


class BadRequest(Exception):
    """The request is wrong; ``str(err)`` is the message for the 400 body."""


def _one(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values else None


def int_param(query: dict[str, list[str]], name: str) -> int | None:
    """An integer parameter, or None when absent."""
    raw = _one(query, name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {raw!r}") from None


def str_list(query: dict[str, list[str]], name: str) -> list[str] | None:
    """A comma-list parameter, or None when absent."""
    raw = _one(query, name)
    if raw is None:
        return None
    return [part.strip() for part in raw.split(",") if part.strip()]


def int_list(query: dict[str, list[str]], name: str) -> set[int] | None:
    """A comma list of ids, or None when absent."""
    parts = str_list(query, name)
    if parts is None:
        return None
    try:
        return {int(p) for p in parts}
    except ValueError:
        raise BadRequest(f"{name} must be a comma list of ids") from None


def paging(query: dict[str, list[str]], *, default: int, maximum: int) -> tuple[int, int]:
    """(page, limit); page is 1-based and ``limit`` above ``maximum`` is refused."""
    page = int_param(query, "page")
    limit = int_param(query, "limit")
    page = 1 if page is None else page
    limit = default if limit is None else limit
    if page < 1:
        raise BadRequest("page must be 1 or more")
    if not 1 <= limit <= maximum:
        raise BadRequest(f"limit must be between 1 and {maximum}")
    return page, limit


def json_object(body: bytes) -> dict[str, Any]:
    """The request body as a JSON object."""
    try:
        value = json.loads(body.decode("utf-8")) if body.strip() else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadRequest("The request body is not valid JSON") from None
    if not isinstance(value, dict):
        raise BadRequest("The request body must be a JSON object")
    return value


def invoice_filter(query: dict[str, list[str]]) -> Callable[[dict[str, Any]], bool]:
    """A predicate for the invoices that ``GET /invoice`` with these parameters returns."""
    statuses = str_list(query, "status") or None  # "status=" means no filter
    if statuses is not None:
        unknown = [s for s in statuses if s not in STATUSES]
        if unknown:
            raise BadRequest(f"Unknown status {unknown[0]!r}")
    types = str_list(query, "type") or None
    if types is not None and any(t not in TYPES for t in types):
        raise BadRequest(f"type must be one of {', '.join(sorted(TYPES))}")
    bounds = [(field, lower, int_param(query, name)) for name, field, lower in BOUNDS]
    bounds = [b for b in bounds if b[2] is not None]
    ids = [(ref, wanted) for name, ref in ID_FILTERS if (wanted := int_list(query, name)) is not None]

    def keep(inv: dict[str, Any]) -> bool:
        if statuses is not None and inv["status"] not in statuses:
            return False
        if types is not None and inv["type"] not in types:
            return False
        for field, lower, bound in bounds:
            if (inv[field] < bound) if lower else (inv[field] > bound):
                return False
        return all(inv[ref] is not None and inv[ref]["id"] in wanted for ref, wanted in ids)

    return keep
