"""Time as the client sees it: how long it has been, and how to wait.

Back-off, ``Retry-After`` and the fetch deadline all read or spend time through a
:class:`Clock`, so the ribbon and the CLI use the computer's clock while tests pass a
:class:`VirtualClock` and check the waits instead of sitting through them.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Protocol


class Clock(Protocol):
    """The two things the client needs from a clock."""

    def monotonic(self) -> float:
        """Seconds since an arbitrary start; only differences mean anything."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` before going on."""
        ...


class SystemClock:
    """The computer's clock: ``time.monotonic`` and ``time.sleep``."""

    def monotonic(self) -> float:
        """The system's monotonic clock."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Really wait."""
        time.sleep(seconds)


class VirtualClock:
    """A clock that moves only when someone sleeps on it, by the time slept; thread-safe.

    Every ``sleep`` is recorded in ``sleeps`` and returns at once. Sleeps on several threads
    add up rather than overlap, so virtual time runs at least as fast as real time would:
    a deadline checked against it is never later than against the computer's clock.
    """

    def __init__(self, start: float = 0.0, *, sleeps: list[float] | None = None) -> None:
        self._lock = threading.Lock()
        self._now = start
        self.sleeps: list[float] = [] if sleeps is None else sleeps  # a caller's list records too

    def monotonic(self) -> float:
        """The virtual time now."""
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        """Record the wait and move the time on by it, without waiting."""
        with self._lock:
            self.sleeps.append(seconds)
            self._now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass without a recorded sleep (work that takes time)."""
        with self._lock:
            self._now += max(0.0, seconds)


@dataclass(frozen=True)
class TimeLimit:
    """How long a whole job (a fetch) may take, and the setting the clerk changes it with."""

    seconds: float
    setting: str  # the setting's name, for the sentence when the limit runs out

    def __post_init__(self) -> None:
        if self.seconds <= 0:
            raise ValueError("a time limit must be positive")

    @property
    def spoken(self) -> str:
        """``5 minutes``, ``1 minute``, ``90 seconds``."""
        minutes = self.seconds / 60
        if minutes >= 1 and minutes == int(minutes):
            return f"{int(minutes)} minute{'s' if minutes != 1 else ''}"
        return f"{self.seconds:g} seconds"
