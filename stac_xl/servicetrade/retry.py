"""How long the client waits before trying a ServiceTrade request again.

Pure arithmetic, no I/O: the client owns the loop and the clock it sleeps on, so tests inject
a ``VirtualClock`` and check the delays instead of measuring wall-clock time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class RetryPolicy:
    """Retry budget and back-off for one ServiceTrade request.

    ``attempts`` counts every try, the first included; ``budget`` is how many retries all the
    requests of one client may spend together, so a server failing now and then on every
    page of a long listing cannot keep a fetch going for ever. Between tries the client waits
    ``backoff * 2**(n-1)`` seconds after the n-th failed try, never more than ``max_backoff``.
    A 429's ``Retry-After`` replaces the back-off but is capped at ``max_retry_after`` so a
    misbehaving proxy cannot park a clerk's Excel for an hour.
    """

    attempts: int = 5
    backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 60.0
    budget: int = 100

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("RetryPolicy.attempts must be at least 1")
        if self.budget < 0:
            raise ValueError("RetryPolicy.budget must not be negative")
        if self.backoff < 0 or self.max_backoff < 0 or self.max_retry_after < 0:
            raise ValueError("RetryPolicy delays must not be negative")

    def delay_after(self, failed_try: int) -> float:
        """Seconds to wait after the ``failed_try``-th try (1-based) failed."""
        if failed_try < 1:
            raise ValueError("failed_try is 1-based")
        # Cap the exponent so a large attempts budget cannot overflow the float.
        return min(self.max_backoff, self.backoff * 2.0 ** min(failed_try - 1, 30))

    def delay_for_retry_after(self, header: str | None, failed_try: int, *, now: datetime | None = None) -> float:
        """Seconds to wait after a 429: the server's ``Retry-After`` (capped), else back-off."""
        seconds = parse_retry_after(header, now=now)
        if seconds is None:
            return self.delay_after(failed_try)
        return min(self.max_retry_after, seconds)


def parse_retry_after(header: str | None, *, now: datetime | None = None) -> float | None:
    """Read a ``Retry-After`` value (delta-seconds or an HTTP date); None if absent or unreadable."""
    if header is None or not header.strip():
        return None
    text = header.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())
