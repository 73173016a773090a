"""The Settings sheet read into a typed model: defaults, extra columns, clear errors."""

import pytest

from stac_xl.errors import ConfigError
from stac_xl.settings import HEADER, SETTINGS_ROWS, Settings, read_settings


def sheet(*rows):
    return [list(HEADER), *[list(r) for r in rows]]


def test_a_new_workbooks_rows_read_back_as_the_defaults():
    grid = sheet(*SETTINGS_ROWS)
    assert read_settings(grid) == Settings()


def test_values_override_defaults_and_numbers_from_excel_are_read_as_text():
    s = read_settings(sheet(("Time zone", "America/Chicago", ""), ("Concurrency", 6.0, ""), ("Invoice status", "ok, pending_accounting", "")))
    assert s.time_zone == "America/Chicago"
    assert s.concurrency == 6
    assert s.statuses == ["ok", "pending_accounting"]


def test_each_extra_column_row_adds_one_path_and_unknown_settings_are_kept():
    s = read_settings(sheet(("Extra column", "location.address.city", ""), ("Extra column", "item.libItem.code", ""), ("Extra column", None, ""), ("Branch", "East", "")))
    assert s.extra_columns == ["location.address.city", "item.libItem.code"]
    assert s.other == {"Branch": "East"}


@pytest.mark.parametrize(
    "value, message",
    [
        ("four", "Settings: Concurrency must be a whole number from 1 to 8, not 'four'."),
        ("12", "Settings: Concurrency must be a whole number from 1 to 8, not 12."),
    ],
)
def test_a_bad_concurrency_names_the_setting(value, message):
    with pytest.raises(ConfigError) as err:
        read_settings(sheet(("Concurrency", value, "")))
    assert str(err.value) == message


def test_an_unknown_time_zone_says_what_to_write():
    s = read_settings(sheet(("Time zone", "Eastern", "")))
    with pytest.raises(ConfigError) as err:
        s.tz
    assert "Time zone 'Eastern' is not a known time zone" in str(err.value)
