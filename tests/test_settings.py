"""The Settings sheet read into a typed model: defaults, extra columns, clear errors."""

import pytest

from stac_xl.errors import ConfigError
from stac_xl.problems import Policy
from stac_xl.settings import (
    HEADER,
    NEW_WORKBOOK,
    SETTINGS_ROWS,
    Settings,
    read_by,
    read_settings,
    setting_named,
    setting_note,
)
from stac_xl.writers import setting_rows
from stac_xl.writers.delimited import DELIMITER
from stac_xl.writers.fixed_width import PAD_CHARACTER


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
        _ = s.tz
    assert "Time zone 'Eastern' is not a known time zone" in str(err.value)


# --- one table: every row declared once, and everything about it read from there ----------------

def test_each_row_of_a_new_sheet_is_found_by_its_name_as_the_one_declaration_it_came_from():
    assert [setting_named(name.upper()) for name, _, _ in SETTINGS_ROWS] == list(NEW_WORKBOOK)
    declared = {id(d): d for d in (*NEW_WORKBOOK, *setting_rows())}.values()
    names = [d.name.lower() for d in declared]
    assert len(names) == len(set(names)), "a Settings row name is declared twice"
    assert setting_named("Branch") is None


def test_notes_and_readers_come_from_the_declarations():
    assert all(setting_note(name) == note for name, _, note in SETTINGS_ROWS)
    assert setting_note("pad character") == PAD_CHARACTER.note and setting_note("Branch") is None
    assert read_by("Concurrency") == "Fetch"
    assert read_by("Encoding") == "the delimited, fixed-width, iif, xml writers"
    assert read_by("Right-aligned fields") == "the fixed-width writer"


def test_policies_are_their_enum_as_soon_as_the_sheet_is_read():
    s = read_settings(sheet(("Zero invoices", "Export", ""), ("Credit memos", " SKIP ", "")))
    assert (s.zero_invoices, s.credit_memos) == (Policy.EXPORT, Policy.SKIP)
    assert Settings().zero_invoices is Policy.SKIP and Settings().credit_memos is Policy.EXPORT
    with pytest.raises(ConfigError) as err:
        read_settings(sheet(("Zero invoices", "maybe", "")))
    assert str(err.value) == "Settings: Zero invoices must be export or skip, not 'maybe'."


def test_a_writers_rows_are_read_by_their_declared_names_and_not_kept_as_unknown():
    s = read_settings(sheet(("pad character", "zero", ""), ("Delimiter", "", ""), ("Branch", "East", "")))
    assert s.text_of(PAD_CHARACTER) == "zero"
    assert s.text_of(DELIMITER) == DELIMITER.default  # empty: the default, as for every setting
    assert s.other == {"Branch": "East"}


def test_the_balance_check_is_a_setting_of_its_own():
    s = read_settings(sheet(("Balance check", "I.Amount = sum(D.Amount)", "")))
    assert s.balance_check == "I.Amount = sum(D.Amount)" and s.other == {}
