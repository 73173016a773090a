"""The sandbox's mutable state: live sessions, request statistics, and the invoice store.

Each class guards itself with its own lock, because the HTTP server answers on many
threads at once.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable
from typing import Any

from stac_xl.sandbox.data import SandboxData

# The statuses PUT accepts; the bulk "Invoice Update" list plus draft and needs-review.
STATUSES = frozenset(
    {"ok", "pending_accounting", "processed", "sent", "paid", "failed", "void", "internal_review", "draft"}
)


def encode(value: Any) -> bytes:
    """Compact UTF-8 JSON, as a real API sends it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Sessions:
    """Session tokens handed out by ``POST /auth`` and not yet ended or expired."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: set[str] = set()

    def open(self) -> str:
        """Start a session; returns its token (the PHPSESSID cookie value)."""
        token = secrets.token_hex(16)
        with self._lock:
            self._live.add(token)
        return token

    def close(self, token: str) -> bool:
        """End a session (logout or expiry); False if it was not live."""
        with self._lock:
            if token in self._live:
                self._live.remove(token)
                return True
            return False

    def is_live(self, token: str) -> bool:
        """Whether ``token`` names a session that is still open."""
        with self._lock:
            return token in self._live

    def count(self) -> int:
        """How many sessions are open now."""
        with self._lock:
            return len(self._live)


class Stats:
    """Thread-safe request counters: ``total``, one per route, one per injected fault."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def bump(self, *keys: str) -> None:
        """Add one to each key."""
        with self._lock:
            self._counts.update(keys)

    def snapshot(self) -> dict[str, int]:
        """A copy of the counts; missing keys mean zero."""
        with self._lock:
            return dict(self._counts)


class InvoiceStore:
    """The invoices plus a cache of their JSON, so a 2000-invoice page is a byte join."""

    def __init__(self, data: SandboxData):
        self.data = data
        self._lock = threading.Lock()
        self._cache: dict[tuple[int, bool], bytes] = {}
        # The pages of one listing ask the same filter; without this every page request
        # re-scanned all invoices, which showed up as server time in bench/fetch.py.
        self._selections: dict[Hashable, list[dict[str, Any]]] = {}
        self.refused: dict[int, str] = {}  # invoice id → why PUT is refused (see refuse_changes)

    def rebase(self, base_url: str) -> None:
        """Rewrite every ``uri`` for the server's real address."""
        with self._lock:
            self.data.rebase(base_url)
            self._cache.clear()
            self._selections.clear()

    def select(self, keep: Callable[[dict[str, Any]], bool], *, key: Hashable = None) -> list[dict[str, Any]]:
        """Invoices (sorted by id) for which ``keep`` is true; remembered under ``key``."""
        with self._lock:
            if key is not None and key in self._selections:
                return self._selections[key]
            found = [inv for inv in self.data.invoices if keep(inv)]
            if key is not None:
                self._selections[key] = found
            return found

    def encoded(self, invoice: dict[str, Any], *, with_items: bool) -> bytes:
        """The invoice's JSON, with or without the ``items`` key."""
        key = (invoice["id"], with_items)
        with self._lock:
            cached = self._cache.get(key)
            if cached is None:
                shown = invoice if with_items else {k: v for k, v in invoice.items() if k != "items"}
                cached = self._cache[key] = encode(shown)
            return cached

    def get(self, invoice_id: int) -> dict[str, Any] | None:
        """One invoice by id, or None."""
        return self.data.by_id.get(invoice_id)

    def refuse_changes(self, invoice_ids: set[int], reason: str = "This invoice cannot change status now") -> None:
        """Make ``PUT /invoice/{id}`` fail (400, ``reason``) for these invoices: a switch for
        tests of what a write-back does when ServiceTrade refuses some invoices. An empty
        set lets every invoice change again."""
        with self._lock:
            self.refused = dict.fromkeys(invoice_ids, reason)

    def refusal(self, invoice_id: int) -> str | None:
        """Why a change to this invoice is refused by the switch above, or None."""
        with self._lock:
            return self.refused.get(invoice_id)

    def edit(self, invoice_id: int, changes: dict[str, Any], *, line_id: int | None = None) -> None:
        """Change fields of one invoice (or of its line ``line_id``) as someone editing it in
        ServiceTrade would: a switch for tests of what a later fetch makes of the change."""
        with self._lock:
            invoice = self.data.by_id[invoice_id]
            target = invoice if line_id is None else next(i for i in invoice["items"] if i["id"] == line_id)
            target.update(changes)
            invoice["updated"] = max(int(time.time()), invoice["created"])
            self._selections.clear()
            self._cache.pop((invoice_id, True), None)
            self._cache.pop((invoice_id, False), None)

    def update(self, invoice_id: int, changes: dict[str, str]) -> str | None:
        """Apply ``status``/``invoiceNumber`` changes; returns an error message or None.

        A void invoice cannot change status (ServiceTrade refuses it too).
        """
        with self._lock:
            invoice = self.data.by_id[invoice_id]
            new_status = changes.get("status", invoice["status"])
            if invoice["status"] == "void" and new_status != "void":
                return "A void invoice cannot change status"
            if all(invoice.get(k) == v for k, v in changes.items()):
                return None
            invoice.update(changes)
            self._selections.clear()
            invoice["updated"] = max(int(time.time()), invoice["created"])
            self._cache.pop((invoice_id, True), None)
            self._cache.pop((invoice_id, False), None)
            return None
