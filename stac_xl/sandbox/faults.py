"""Switchable faults for the sandbox: slow answers, 503s, 429s, lost sessions, broken JSON,
a lying page count, and answers that never come or stop after the headers.

Decisions are made in request-arrival order under one lock, from one seeded RNG that is
drawn the same number of times for every request, so a given seed and request order
always injects the same faults (as far as concurrent threads keep their order).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from enum import Enum
from typing import Any


@dataclass(frozen=True)
class FaultConfig:
    """Which faults to inject. All off by default: a well-behaved ServiceTrade.

    - ``latency_ms``: delay before every answer.
    - ``error_rate``: share of requests answered 503 with a ServiceTrade-shaped error body.
    - ``rate_limit_every``: every K-th request (counting all) gets 429 with ``Retry-After``.
    - ``retry_after_s``: the ``Retry-After`` value in seconds.
    - ``expire_session_every``: every K-th request outside ``/auth`` drops the caller's
      session and answers 401; logging in again works.
    - ``malformed_rate``: share answered 200 with a truncated, unparseable JSON body.
    - ``items_in_list``: False makes ``GET /invoice`` omit ``items``; clients must then
      ``GET /invoice/{id}``.
    - ``claim_total_pages``: every invoice listing says it has this many pages, whatever
      the truth (0 = the truth); ``totalCount`` stays true.
    - ``never_answer``: requests outside ``/auth`` get no answer at all; the connection
      stays open, silent, until the sandbox stops.
    - ``silent_after_headers``: requests outside ``/auth`` get a status line and headers
      promising a body, then silence until the sandbox stops.
    - ``grow_between_pages``: K invoices at the front of the invoice listing are held back
      at first; each of the first K requests for a page after page 1 brings one back (an
      invoice re-statused into the filter), shifting every later record one place on.
    - ``shrink_between_pages``: each of the first K requests for a page after page 1 drops
      the first invoice still listed (re-statused out of the filter), shifting the rest back.
    - ``redirect_auth_to``: ``POST /auth`` answers ``307`` to this address (a client that
      follows it re-sends the username and password there); empty = no redirect.
    - ``seed``: seeds the fault RNG (independent of the data seed).
    """

    latency_ms: int = 0
    error_rate: float = 0.0
    rate_limit_every: int = 0
    retry_after_s: int = 1
    expire_session_every: int = 0
    malformed_rate: float = 0.0
    items_in_list: bool = True
    claim_total_pages: int = 0
    never_answer: bool = False
    silent_after_headers: bool = False
    redirect_auth_to: str = ""
    grow_between_pages: int = 0
    shrink_between_pages: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("latency_ms", "rate_limit_every", "retry_after_s", "expire_session_every", "claim_total_pages",
                     "grow_between_pages", "shrink_between_pages"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more, not {getattr(self, name)}")
        for name in ("error_rate", "malformed_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {getattr(self, name)}")

    @property
    def silent(self) -> bool:
        """Whether requests outside ``/auth`` are left without a (full) answer."""
        return self.never_answer or self.silent_after_headers


class Fault(str, Enum):
    """What to do to one request. The values are the sandbox's stats keys."""

    NONE = "none"
    UNAVAILABLE = "503"
    RATE_LIMITED = "429"
    SESSION_EXPIRED = "401-expired"
    MALFORMED = "malformed"


class FaultPlan:
    """Thread-safe, deterministic fault decisions for a sequence of requests."""

    def __init__(self, config: FaultConfig):
        self.config = config
        self._rng = random.Random(config.seed)
        self._lock = threading.Lock()
        self._requests = 0
        self._data_requests = 0  # outside /auth: the expire-session counter

    def next(self, *, is_auth: bool) -> Fault:
        """The fault for the next request; ``is_auth`` requests never lose their session.

        Priority when several trigger at once: 429, then 503, then 401, then malformed.
        """
        cfg = self.config
        with self._lock:
            self._requests += 1
            if not is_auth:
                self._data_requests += 1
            # Always draw both numbers so the sequence does not depend on which faults hit.
            error_draw, malformed_draw = self._rng.random(), self._rng.random()
            rate_limited = cfg.rate_limit_every > 0 and self._requests % cfg.rate_limit_every == 0
            expired = (
                not is_auth and cfg.expire_session_every > 0
                and self._data_requests % cfg.expire_session_every == 0
            )
        if rate_limited:
            return Fault.RATE_LIMITED
        if error_draw < cfg.error_rate:
            return Fault.UNAVAILABLE
        if expired:
            return Fault.SESSION_EXPIRED
        if malformed_draw < cfg.malformed_rate:
            return Fault.MALFORMED
        return Fault.NONE


class ListingShift:
    """The invoice listing growing or shrinking between page requests; thread-safe.

    ``held`` are the ids not yet brought back, ``dropped`` those taken out: what the listing
    lacks now. Tests read them to know what a correct client should have fetched."""

    def __init__(self, config: FaultConfig):
        self._lock = threading.Lock()
        self._to_grow = config.grow_between_pages
        self._to_shrink = config.shrink_between_pages
        self._primed = False
        self.held: set[int] = set()
        self.dropped: set[int] = set()

    def apply(self, found: list[dict[str, Any]], page: int) -> tuple[list[dict[str, Any]], str | None]:
        """The listing as this request sees it, and what changed just before (for the stats)."""
        changed = None
        with self._lock:
            if not self._primed:
                self._primed = True
                self.held = {inv["id"] for inv in found[: self._to_grow]}
            elif page >= 2 and self.held:
                self.held.remove(next(inv["id"] for inv in found if inv["id"] in self.held))
                changed = "listing-grew"
            if page >= 2 and self._to_shrink > 0:
                gone = next((inv["id"] for inv in found if inv["id"] not in self.dropped | self.held), None)
                if gone is not None:
                    self.dropped.add(gone)
                    self._to_shrink -= 1
                    changed = "listing-shrank"
            hidden = self.held | self.dropped
        return [inv for inv in found if inv["id"] not in hidden], changed
