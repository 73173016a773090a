"""What a clerk types is read the way an Excel user means it, or refused: never guessed."""

from __future__ import annotations

import pickle
from datetime import date, datetime
from decimal import Decimal

import pytest

from stac_xl.book.entries import DateOrder, read_amount, read_date
from stac_xl.checks.hand_edits import normalise_hand_edits
from stac_xl.mapping.compile import MappedField
from stac_xl.mapping.forms import date_form, implied_form, number_form, yesno_form
from stac_xl.records import Grain, OutputRecord, RecordSpec


@pytest.mark.parametrize(("typed", "amount"), [
    ("1234.5", Decimal("1234.5")),
    ("1,234.50", Decimal("1234.50")),
    ("$1,234.50", Decimal("1234.50")),
    ("-$1,234.50", Decimal("-1234.50")),
    ("$-1,234.50", Decimal("-1234.50")),
    ("(744.60)", Decimal("-744.60")),
    ("($744.60)", Decimal("-744.60")),
    (" 12 ", Decimal("12")),
    (".5", Decimal(".5")),
    ("1,234,567", Decimal("1234567")),
    (-744.6, Decimal("-744.6")),
    (3, Decimal(3)),
    (Decimal("2.50"), Decimal("2.50")),
])
def test_amounts_as_clerks_write_them(typed: object, amount: Decimal) -> None:
    assert read_amount(typed) == amount


@pytest.mark.parametrize("typed", ["two", "1,23", "12,34.5", "1.2.3", "(-5)", "--5", "$", "", "1e5",
                                   float("nan"), True, None, "12$"])
def test_what_is_not_one_amount_is_refused(typed: object) -> None:
    assert read_amount(typed) is None


@pytest.mark.parametrize(("typed", "order", "day"), [
    (datetime(2026, 12, 1), DateOrder.MDY, date(2026, 12, 1)),
    (date(2026, 12, 1), DateOrder.DMY, date(2026, 12, 1)),
    ("2026-12-01", DateOrder.DMY, date(2026, 12, 1)),
    ("2026-12-01T00:00:00", DateOrder.MDY, date(2026, 12, 1)),
    ("2026-12-01 00:00:00", DateOrder.MDY, date(2026, 12, 1)),
    ("12/1/2026", DateOrder.MDY, date(2026, 12, 1)),
    ("1/12/2026", DateOrder.DMY, date(2026, 12, 1)),
    ("12-1-26", DateOrder.MDY, date(2026, 12, 1)),
    ("1.12.2026", DateOrder.DMY, date(2026, 12, 1)),
    ("2026/12/1", DateOrder.YMD, date(2026, 12, 1)),
])
def test_dates_as_clerks_write_them(typed: object, order: DateOrder, day: date) -> None:
    assert read_date(typed, order) == day


@pytest.mark.parametrize(("typed", "order"), [
    ("13/45/24", DateOrder.MDY), ("1/12/2026", DateOrder.YMD), ("Dec 1", DateOrder.MDY),
    (datetime(2026, 12, 1, 9, 30), DateOrder.MDY), ("2026-02-30", DateOrder.MDY), ("12/1/202", DateOrder.MDY),
    (45000.0, DateOrder.MDY),
])
def test_what_is_not_one_date_is_refused(typed: object, order: DateOrder) -> None:
    assert read_date(typed, order) is None


@pytest.mark.parametrize(("form", "typed", "written"), [
    (number_form(2), "$1,234.50", "1234.50"),
    (number_form(2), "(744.60)", "-744.60"),
    (number_form(2), "-744.6", "-744.60"),
    (number_form(2), "1234", "1234.00"),
    (number_form(0), "1,234", "1234"),
    (implied_form(2), "$12.34", "1234"),
    (implied_form(2), "(1.5)", "-150"),
    (yesno_form("Y", "N"), "yes", "Y"),
    (yesno_form("Y", "N"), "FALSE", "N"),
    (yesno_form("Y", "N"), "x", "Y"),
    (date_form("MM/DD/YY"), "2026-12-01T00:00:00", "12/01/26"),
    (date_form("MM/DD/YY"), "12/1/2026", "12/01/26"),
    (date_form("YYYY-MM-DD"), "12/1/26", "2026-12-01"),
])
def test_a_form_writes_a_clerk_entry_in_its_own_layout(form: object, typed: str, written: str) -> None:
    assert form.normalise(typed) == written  # type: ignore[attr-defined]
    assert form.fast(written)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("form", "typed"), [
    (number_form(2), "two"), (number_form(2), "1.234"), (number_form(0), "1.5"),
    (implied_form(2), "1.234"), (yesno_form("Y", "N"), "maybe"), (date_form("MM/DD/YY"), "13/45/24"),
])
def test_a_form_leaves_what_it_cannot_read_for_the_checks_to_refuse(form: object, typed: str) -> None:
    assert form.normalise(typed) is None  # type: ignore[attr-defined]
    assert form.problem(typed)  # type: ignore[attr-defined]


def test_the_date_order_decides_a_day_month_text() -> None:
    form = date_form("YYYY-MM-DD")
    assert form.normalise("1/12/2026", DateOrder.MDY) == "2026-01-12"
    assert form.normalise("1/12/2026", DateOrder.DMY) == "2026-12-01"


def test_forms_survive_pickling_as_a_compiled_mapping_must() -> None:
    for form in (number_form(2), implied_form(2), yesno_form("Y", "N"), date_form("MM/DD/YY")):
        again = pickle.loads(pickle.dumps(form))
        assert again.fast("12/01/26") == form.fast("12/01/26")
        assert again.problem("zz") == form.problem("zz")


SPEC = RecordSpec("I", Grain.INVOICE, (
    MappedField("Number"),
    MappedField("Amount", form=number_form(2)),
    MappedField("Date", form=date_form("MM/DD/YY")),
))


def test_hand_edits_are_rewritten_in_place_and_reported() -> None:
    records = [OutputRecord("I", ["1001", "$1,234.50", "12/01/26"], "7"),
               OutputRecord("I", ["1002", "10.00", "2026-12-02T00:00:00"], "8"),
               OutputRecord("I", ["1003", "two", ""], "9")]
    done = normalise_hand_edits([SPEC], records)
    assert [r.values for r in records] == [["1001", "1234.50", "12/01/26"], ["1002", "10.00", "12/02/26"],
                                           ["1003", "two", ""]]
    assert [(n.record_index, n.field_index, n.typed, n.written) for n in done] == [
        (0, 1, "$1,234.50", "1234.50"), (1, 2, "2026-12-02T00:00:00", "12/02/26")]


@pytest.mark.parametrize(("header", "typed", "order", "read"), [
    ("Line total", "$1,234.50", DateOrder.MDY, Decimal("1234.50")),
    ("Line total", "(744.60)", DateOrder.MDY, Decimal("-744.60")),
    ("Line total", -744.6, DateOrder.MDY, Decimal("-744.6")),
    ("Quantity", "1,000", DateOrder.MDY, Decimal("1000")),
    ("Transaction date", "12/1/2026", DateOrder.MDY, date(2026, 12, 1)),
    ("Transaction date", "1/12/2026", DateOrder.DMY, date(2026, 12, 1)),
    ("Transaction date", datetime(2026, 12, 1), DateOrder.DMY, date(2026, 12, 1)),
])
def test_an_invoices_correction_is_read_as_the_clerk_means_it(header: str, typed: object, order: DateOrder,
                                                             read: object) -> None:
    from stac_xl.invoices.read_back import read_invoice_rows

    rows = read_invoice_rows([["Invoice id", header], ["7", typed]], order=order)
    assert rows == [{"Invoice id": "7", header: read}]


@pytest.mark.parametrize(("header", "typed", "message"), [
    ("Line total", "two", "Invoices!B2: 'two' is not a number."),
    ("Transaction date", "13/45/2026", "Invoices!B2: '13/45/2026' is not a date."),
])
def test_an_invoices_correction_without_one_reading_names_its_cell(header: str, typed: str, message: str) -> None:
    from stac_xl.errors import WorkbookError
    from stac_xl.invoices.read_back import read_invoice_rows

    with pytest.raises(WorkbookError) as caught:
        read_invoice_rows([["Invoice id", header], ["7", typed]])
    assert str(caught.value) == message
