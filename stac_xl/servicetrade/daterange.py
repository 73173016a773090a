"""The clerk's date range ("from 2026-11-01 to 2026-11-25") as ServiceTrade timestamps.

ServiceTrade filters on unix seconds and treats both ends as inclusive ("on or after",
"on or before"), so a range of whole days in the company's time zone runs from the first
day's midnight to one second before the midnight after the last day. DST is handled by
zoneinfo: a day can be 23 or 25 hours long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from stac_xl.errors import ConfigError


@dataclass(frozen=True)
class DateRange:
    """Whole days ``first``..``last`` (inclusive) in a time zone."""

    first: date
    last: date
    tz: tzinfo

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ConfigError(
                f"The date range runs backwards: --from {self.first.isoformat()} is after "
                f"--to {self.last.isoformat()}. Swap the two dates."
            )

    @property
    def created_after(self) -> int:
        """Unix seconds of midnight at the start of ``first``."""
        return int(datetime.combine(self.first, time.min, self.tz).timestamp())

    @property
    def created_before(self) -> int:
        """Unix seconds of the last second of ``last`` (ServiceTrade's 'on or before')."""
        next_midnight = datetime.combine(self.last + timedelta(days=1), time.min, self.tz)
        return int(next_midnight.timestamp()) - 1

    def __str__(self) -> str:
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()} to {self.last.isoformat()}"


def parse_day(text: str, *, option: str) -> date:
    """A YYYY-MM-DD string as a date; anything else is a ConfigError naming the option."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"{option} '{text}' is not a date; write it as YYYY-MM-DD, e.g. 2026-11-25.") from None
