"""The in-memory xlwings engine is as strict as COM: what Excel would refuse or quietly
change fails here, so a test over it cannot pass on something that breaks in Excel."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from xl_memory_engine import ComError, MemoryEngine, new_book


@pytest.mark.parametrize(("value", "why"), [
    (Decimal("12.30"), "Decimal"),
    (float("nan"), "nan"),
    (float("-inf"), "-inf"),
    (datetime(2024, 3, 1, 9, 0, tzinfo=UTC), "time-zone-aware"),
    ("x" * 32_768, "32,768 characters"),
    (2**53 + 1, "cannot hold exactly"),
    (-(2**60), "cannot hold exactly"),
])
def test_a_value_com_refuses_fails_the_whole_write(engine: MemoryEngine, value: object, why: str) -> None:
    sheet = new_book(engine, "Data").sheets["Data"]
    with pytest.raises(ComError, match=why):
        sheet.range("A1").value = [["kept?", value]]
    assert sheet.impl.value_at(1, 1) is None  # COM converts the array before Excel sees any of it
    with pytest.raises(ComError, match=why):
        sheet.range("B2").raw_value = value


@pytest.mark.parametrize(("value", "stored"), [
    ("x" * 32_767, "x" * 32_767),
    ("'" + "x" * 32_767, "x" * 32_767),  # the apostrophe is Excel's prefix, not cell text
    (2**53, float(2**53)),
    (-(2**53), float(-(2**53))),
    (1.5, 1.5),
    (True, True),
    (None, None),
    (date(2024, 1, 31), datetime(2024, 1, 31)),
    (datetime(2024, 1, 31, 8), datetime(2024, 1, 31, 8)),
])
def test_what_com_takes_goes_in(engine: MemoryEngine, value: object, stored: object) -> None:
    sheet = new_book(engine, "Data").sheets["Data"]
    sheet.range("A1").value = [[value]]
    assert sheet.impl.value_at(1, 1) == stored


def test_an_address_of_several_areas_formats_each_and_stops_at_255_characters(engine: MemoryEngine) -> None:
    sheet = new_book(engine, "Data").sheets["Data"]
    sheet.range("B2:B4,D7,F:F").color = "#FFC7CE"
    assert engine.calls["color.set"] == 1
    assert [sheet.impl.style_at("color", r, c) for r, c in ((3, 2), (7, 4), (900_000, 6), (5, 2))] == [
        "#FFC7CE", "#FFC7CE", "#FFC7CE", None]
    assert sheet.range("B2:B4,D7").address == "$B$2:$B$4,$D$7"
    too_long = ",".join(f"A{row}" for row in range(1, 70))
    assert len(too_long) > 255
    with pytest.raises(ComError, match="255"):
        sheet.range(too_long)


def test_formatted_cells_count_into_the_used_range_but_whole_columns_do_not(engine: MemoryEngine) -> None:
    sheet = new_book(engine, "Data").sheets["Data"]
    sheet.range("A1").value = [["a", "b"], ["c", "d"]]
    sheet.range("C:C").number_format = "@"
    sheet.range("1:1").color = "#D9E1F2"
    assert sheet.used_range.address == "$A$1:$B$2"
    sheet.range((2, 1), (5_000, 1)).number_format = "@"  # rows 2 to 5,000: cell formats
    assert sheet.used_range.address == "$A$1:$B$5000"
    sheet.clear()
    assert sheet.used_range.address == "$A$1"


def test_a_hidden_sheet_cannot_be_activated_and_the_last_visible_one_cannot_hide(engine: MemoryEngine) -> None:
    book = new_book(engine, "Export", "Log", "Export base")
    book.sheets["Export base"].visible = False  # it was the active one: a neighbour takes over
    assert book.sheets.active.name == "Log"
    with pytest.raises(ComError, match="hidden"):
        book.sheets["Export base"].activate()
    book.sheets["Export"].visible = False
    with pytest.raises(ComError, match="only visible sheet"):
        book.sheets["Log"].visible = False
    assert book.sheets["Log"].visible is True


def test_the_clerks_side_is_scripted(engine: MemoryEngine) -> None:
    app = new_book(engine, "Data").app
    engine.typed.append("quickbooks")
    assert app.api.InputBox("Which one?", "ServiceTrade", "", Type=2) == "quickbooks"
    assert app.api.InputBox("Again?", "ServiceTrade", "", Type=2) is False  # nothing more typed: Cancel
    app.alert("Done.", title="ServiceTrade")
    assert engine.alerts == [("Done.", "ServiceTrade")]
    assert isinstance(app.hwnd, int)
