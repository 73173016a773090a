"""The clerk's whole-day date range becomes ServiceTrade's inclusive unix-second window."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from stac_xl.errors import ConfigError
from stac_xl.servicetrade.daterange import DateRange, parse_day

NY = ZoneInfo("America/New_York")


def utc(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def test_one_day_runs_from_local_midnight_to_the_last_second():
    rng = DateRange(date(2026, 11, 25), date(2026, 11, 25), NY)
    assert utc(rng.created_after) == datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
    assert utc(rng.created_before) == datetime(2026, 11, 26, 4, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    "day, hours",
    [(date(2026, 3, 8), 23), (date(2026, 11, 1), 25), (date(2026, 7, 4), 24)],
    ids=["spring-forward", "fall-back", "ordinary"],
)
def test_a_day_is_as_long_as_the_clock_says(day, hours):
    rng = DateRange(day, day, NY)
    assert rng.created_before - rng.created_after + 1 == hours * 3600


def test_range_the_wrong_way_round_says_how_to_fix_it():
    with pytest.raises(ConfigError) as err:
        DateRange(date(2026, 11, 25), date(2026, 11, 1), NY)
    assert str(err.value) == (
        "The date range runs backwards: --from 2026-11-25 is after --to 2026-11-01. Swap the two dates."
    )


@pytest.mark.parametrize("text", ["11/25/2026", "2026-13-01", "yesterday", ""])
def test_a_day_that_is_not_iso_is_refused(text):
    with pytest.raises(ConfigError) as err:
        parse_day(text, option="--from")
    assert str(err.value) == f"--from '{text}' is not a date; write it as YYYY-MM-DD, e.g. 2026-11-25."


def test_str_names_the_days():
    assert str(DateRange(date(2026, 11, 1), date(2026, 11, 25), NY)) == "2026-11-01 to 2026-11-25"
    assert str(DateRange(date(2026, 11, 25), date(2026, 11, 25), NY)) == "2026-11-25"
