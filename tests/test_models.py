"""The invoice models: tolerant reading, exact money, timestamps as company dates, errors."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from stac_xl.errors import BadResponse, ServiceTradeError
from stac_xl.servicetrade.models import Invoice, InvoiceItem, parse_invoices

NEW_YORK = ZoneInfo("America/New_York")

SAMPLE: dict[str, Any] = {
    "id": 700123, "uri": "http://127.0.0.1:1/api/invoice/700123",
    "invoiceNumber": "10041", "type": "invoice", "status": "ok", "name": "Invoice 10041",
    "transactionDate": 1710475200, "dueDate": 1713067200, "created": 1710500000, "updated": 1710500000,
    "customerPo": "PO-7781", "terms": {"id": 1, "name": "Net 30"},
    "customer": {"id": 1001, "uri": "u", "name": "Acme Property Mgmt"},
    "location": {"id": 2001, "uri": "u", "name": "Acme Tower",
                 "address": {"street": "100 Main St", "city": "Raleigh", "state": "NC", "postalCode": "27601"}},
    "job": {"id": 3001, "uri": "u", "number": "24-1001", "name": "Quarterly inspection"},
    "subtotal": 556.50, "taxAmount": 0.00, "totalPrice": 556.50,
    "items": [
        {"id": 900001, "description": "Quarterly fire sprinkler inspection", "quantity": 1, "price": 450.00,
         "totalPrice": 450.00, "taxable": False,
         "libItem": {"id": 501, "code": "INSPECTION", "name": "Sprinkler inspection"},
         "serviceLine": {"id": 11, "name": "Sprinkler", "abbr": "SPR"}},
        {"id": 900002, "description": "Labor", "quantity": 1.5, "price": 71.00, "taxable": True},
    ],
}


def one(**changes: Any) -> Invoice:
    """The sample invoice with top-level fields changed (None removes a key)."""
    data = copy.deepcopy(SAMPLE)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return parse_invoices([data])[0]


def test_sample_reads_into_typed_fields() -> None:
    inv = one()
    assert inv.id == "700123"
    assert inv.invoice_number == "10041"
    assert inv.customer is not None and inv.customer.id == "1001" and inv.customer.name == "Acme Property Mgmt"
    assert inv.location is not None and inv.location.address is not None
    assert inv.location.address.postal_code == "27601"
    assert inv.job is not None and inv.job.number == "24-1001"
    assert inv.terms is not None and inv.terms.name == "Net 30"
    assert inv.total_price == Decimal("556.5")
    assert inv.lines[0].lib_item is not None and inv.lines[0].lib_item.code == "INSPECTION"
    assert inv.lines[0].service_line is not None and inv.lines[0].service_line.abbr == "SPR"
    assert inv.lines[1].taxable is True and inv.lines[1].lib_item is None
    assert inv.label == "invoice 10041 (id 700123)"


def test_unknown_fields_are_kept_at_every_level() -> None:
    data = copy.deepcopy(SAMPLE)
    data["paid"] = False
    data["externalIds"] = {"qb": ["77"]}
    data["items"][0]["cost"] = 12.5
    data["customer"]["externalIds"] = {"x": "1"}
    inv = parse_invoices([data])[0]
    assert inv.model_extra == {"paid": False, "externalIds": {"qb": ["77"]}}
    assert inv.lines[0].model_extra == {"cost": 12.5}
    assert inv.customer is not None and inv.customer.model_extra == {"externalIds": {"x": "1"}}
    assert inv.raw is data  # the JSON as sent, for the clerk's extra paths


def test_only_the_id_is_required() -> None:
    inv = parse_invoices([{"id": 5}])[0]
    assert inv.id == "5"
    assert inv.items is None and inv.lines == []
    assert inv.job is None and inv.customer is None and inv.total_price is None
    assert inv.local_date("created", NEW_YORK) is None
    assert inv.label == "invoice id 5"


def test_null_job_and_empty_items_are_fine() -> None:
    inv = one(job=None, items=[])
    assert inv.job is None
    assert inv.items == [] and inv.lines == []


def test_items_key_missing_is_distinguished_from_empty_list() -> None:
    # The client re-fetches invoices whose list entry omitted the items key.
    assert one(items=None).items is None
    assert one(items=[]).items == []


def test_raw_of_a_model_built_in_python_is_its_camel_case_dump() -> None:
    inv = Invoice(id="9", invoice_number="A-1", items=[InvoiceItem(price=Decimal("2.50"))])
    assert inv.raw["invoiceNumber"] == "A-1"
    assert inv.raw["items"][0]["price"] == Decimal("2.50")
    assert inv.raw["items"][0]["totalPrice"] is None


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (0.1, Decimal("0.1")),
        (0.2, Decimal("0.2")),
        (556.5, Decimal("556.5")),
        (450.00, Decimal("450.0")),
        (450, Decimal("450")),
        (-125.75, Decimal("-125.75")),
        (1234567.89, Decimal("1234567.89")),
        (0.335, Decimal("0.335")),
        ("19.99", Decimal("19.99")),
        (" 7.10 ", Decimal("7.10")),
        ("-0.01", Decimal("-0.01")),
        ("", None),
        (None, None),
    ],
)
def test_money_is_exact_decimal(sent: Any, expected: Decimal | None) -> None:
    inv = parse_invoices([{"id": 1, "totalPrice": sent, "items": [{"price": sent, "quantity": sent}]}])[0]
    assert inv.total_price == expected
    assert inv.lines[0].price == expected and inv.lines[0].quantity == expected
    if expected is not None:
        assert isinstance(inv.total_price, Decimal)
        assert str(inv.total_price) == str(expected)


def test_point_one_plus_point_two_is_point_three() -> None:
    inv = parse_invoices([{"id": 1, "items": [{"totalPrice": 0.1}, {"totalPrice": 0.2}]}])[0]
    total = sum((line.total_price for line in inv.lines if line.total_price is not None), Decimal(0))
    assert 0.1 + 0.2 != 0.3  # the float trap the models avoid
    assert total == Decimal("0.3")


@pytest.mark.parametrize(
    ("quantity", "price", "total", "expected"),
    [
        (1, 450.0, 450.0, Decimal("450.0")),  # sent: used as is
        (2, 10, None, Decimal("20.00")),
        (3, 0.335, None, Decimal("1.01")),  # 1.005 rounds half-up, not to even
        (1.5, 71, None, Decimal("106.50")),
        (-1, 12.345, None, Decimal("-12.35")),  # credit: half away from zero
        (0.333, 3, None, Decimal("1.00")),
        (None, 5, None, None),
        (2, None, None, None),
    ],
)
def test_line_total(quantity: Any, price: Any, total: Any, expected: Decimal | None) -> None:
    item = InvoiceItem.model_validate({"quantity": quantity, "price": price, "totalPrice": total})
    assert item.line_total == expected
    if expected is not None:
        assert str(item.line_total) == str(expected)


@pytest.mark.parametrize(
    ("sent", "expected"),
    [(700123, "700123"), ("00123", "00123"), (42.0, "42"), ("A-7", "A-7")],
)
def test_ids_are_text(sent: Any, expected: str) -> None:
    inv = parse_invoices([{"id": sent, "customer": {"id": sent}, "items": [{"id": sent}]}])[0]
    assert inv.id == expected
    assert inv.customer is not None and inv.customer.id == expected
    assert inv.lines[0].id == expected


def test_numbers_sent_for_text_fields_become_text() -> None:
    inv = parse_invoices([{"id": 1, "invoiceNumber": 10041, "customerPo": 7781, "job": {"number": 2401}}])[0]
    assert inv.invoice_number == "10041" and inv.customer_po == "7781"
    assert inv.job is not None and inv.job.number == "2401"


def test_terms_sent_as_plain_text() -> None:
    terms = one(terms="Net 15").terms
    assert terms is not None and terms.name == "Net 15" and terms.id is None


@pytest.mark.parametrize("sent", [1710500000, 1710500000.0, "1710500000", "2024-03-15T10:53:20+00:00",
                                  "2024-03-15T10:53:20"])
def test_timestamps_become_aware_utc_datetimes(sent: Any) -> None:
    inv = one(created=sent)
    assert inv.created == datetime(2024, 3, 15, 10, 53, 20, tzinfo=UTC)
    assert inv.created is not None and inv.created.utcoffset() is not None


@pytest.mark.parametrize(
    ("utc", "zone", "expected"),
    [
        # 02:30 UTC is still the evening before in New York (EDT, UTC-4).
        (datetime(2024, 3, 16, 2, 30), "America/New_York", date(2024, 3, 15)),
        (datetime(2024, 3, 16, 4, 0), "America/New_York", date(2024, 3, 16)),
        # Winter (EST, UTC-5): 04:59 UTC is 23:59 the day before.
        (datetime(2024, 1, 10, 4, 59), "America/New_York", date(2024, 1, 9)),
        (datetime(2024, 1, 10, 5, 0), "America/New_York", date(2024, 1, 10)),
        # Spring forward night: 06:59 UTC is 01:59 EST, 07:00 UTC is 03:00 EDT, same day.
        (datetime(2024, 3, 10, 4, 59), "America/New_York", date(2024, 3, 9)),
        (datetime(2024, 3, 10, 7, 0), "America/New_York", date(2024, 3, 10)),
        # Fall back: 03:59 UTC is 23:59 EDT on the 2nd, 04:00 UTC midnight on the 3rd.
        (datetime(2024, 11, 3, 3, 59), "America/New_York", date(2024, 11, 2)),
        (datetime(2024, 11, 3, 4, 0), "America/New_York", date(2024, 11, 3)),
        (datetime(2024, 11, 4, 4, 30), "America/New_York", date(2024, 11, 3)),  # 23:30 EST
        (datetime(2024, 3, 16, 2, 30), "America/Los_Angeles", date(2024, 3, 15)),
        (datetime(2024, 3, 16, 2, 30), "UTC", date(2024, 3, 16)),
        (datetime(2024, 3, 15, 14, 0), "Australia/Sydney", date(2024, 3, 16)),  # ahead of UTC
        (datetime(2024, 3, 16, 9, 59), "Pacific/Honolulu", date(2024, 3, 15)),
    ],
)
def test_local_date_in_company_time_zone(utc: datetime, zone: str, expected: date) -> None:
    stamp = int(utc.replace(tzinfo=UTC).timestamp())
    inv = one(created=stamp, transactionDate=stamp)
    assert inv.local_date("created", ZoneInfo(zone)) == expected
    assert inv.local_date("transactionDate", ZoneInfo(zone)) == expected  # JSON name works too
    assert inv.local_date("transaction_date", ZoneInfo(zone)) == expected


def test_local_date_refuses_a_field_that_is_not_a_timestamp() -> None:
    with pytest.raises(ValueError, match="invoice_number is not a timestamp"):
        one().local_date("invoice_number", NEW_YORK)


def _bad_price(value: Any) -> dict[str, Any]:
    data = copy.deepcopy(SAMPLE)
    data["items"][1]["price"] = value
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_bad_price("abc"), "ServiceTrade sent invoice 10041 (id 700123) with items.1.price 'abc', which is not a number."),
        (_bad_price(True), "ServiceTrade sent invoice 10041 (id 700123) with items.1.price True, which is not a number."),
        (_bad_price("NaN"), "ServiceTrade sent invoice 10041 (id 700123) with items.1.price 'NaN', which is not a number."),
        (_bad_price(float("inf")), "ServiceTrade sent invoice 10041 (id 700123) with items.1.price inf, which is not a number."),
        (_bad_price([1]), "ServiceTrade sent invoice 10041 (id 700123) with items.1.price [1], which is not a number."),
        ({"id": 8, "totalPrice": "12,50"}, "ServiceTrade sent invoice id 8 with totalPrice '12,50', which is not a number."),
        ({"id": 8, "invoiceNumber": "9", "created": "yesterday"},
         "ServiceTrade sent invoice 9 (id 8) with created 'yesterday', which is not a Unix timestamp."),
        ({"id": 8, "dueDate": True}, "ServiceTrade sent invoice id 8 with dueDate True, which is not a Unix timestamp."),
        ({"id": 8, "customer": {"id": 1.5}}, "ServiceTrade sent invoice id 8 with customer.id 1.5, which is not an id."),
        ({"id": 8, "items": {"a": 1}},
         "ServiceTrade sent invoice id 8 with items {'a': 1}, which is wrong (Input should be a valid list)."),
        ({"id": 8, "description": "x" * 80, "totalPrice": "x" * 80},
         "ServiceTrade sent invoice id 8 with totalPrice 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..., which is not a number."),
        ({"invoiceNumber": "10042"}, "ServiceTrade sent invoice 10042 without an invoice id."),
        ({"name": "?"}, "ServiceTrade sent entry 2 of the list without an invoice id."),
    ],
)
def test_bad_value_names_invoice_and_field(data: dict[str, Any], message: str) -> None:
    with pytest.raises(BadResponse) as caught:
        parse_invoices([copy.deepcopy(SAMPLE), data])
    assert str(caught.value) == message
    assert isinstance(caught.value, ServiceTradeError) and caught.value.exit_code == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"id": 8, "created": 1e20}, "ServiceTrade sent invoice id 8 with created 1e+20, which is not a date from 1970 to 2099."),
        ({"id": 8, "created": -1}, "ServiceTrade sent invoice id 8 with created -1, which is not a date from 1970 to 2099."),
        ({"id": 8, "dueDate": 4102444800}, "ServiceTrade sent invoice id 8 with dueDate 4102444800, which is not a date from 1970 to 2099."),
        ({"id": 8, "updated": "9" * 30},
         "ServiceTrade sent invoice id 8 with updated '999999999999999999999999999999', which is not a date from 1970 to 2099."),
        ({"id": 8, "created": "2150-01-01T00:00:00"},
         "ServiceTrade sent invoice id 8 with created '2150-01-01T00:00:00', which is not a date from 1970 to 2099."),
        ({"id": 8, "totalPrice": 1e15}, "ServiceTrade sent invoice id 8 with totalPrice 1000000000000000.0, which is not an amount below a trillion."),
        ({"id": 8, "totalPrice": 10**400},
         "ServiceTrade sent invoice id 8 with totalPrice 1000000000000000000000000000000000000..., which is not an amount below a trillion."),
        ({"id": 8, "items": [{"quantity": "1e999999"}]},
         "ServiceTrade sent invoice id 8 with items.0.quantity '1e999999', which is not an amount below a trillion."),
        ({"id": 8, "customer": {"id": 2.0**60}},
         "ServiceTrade sent invoice id 8 with customer.id 1.152921504606847e+18, which is not an exact id (a number that large was rounded on the way)."),
        ({"id": 8, "customer": {"id": -3}}, "ServiceTrade sent invoice id 8 with customer.id -3, which is not an id."),
        ({"id": None}, "ServiceTrade sent entry 2 of the list without an invoice id."),
    ],
    ids=["created-1e20", "before-1970", "year-2100", "digits", "iso-2150", "amount", "huge-int", "huge-text",
         "float-id", "negative-id", "null-id"],
)
def test_values_out_of_bounds_are_one_sentence(data: dict[str, Any], message: str) -> None:
    with pytest.raises(BadResponse) as caught:
        parse_invoices([copy.deepcopy(SAMPLE), data])
    assert str(caught.value) == message


def test_the_bounds_themselves_are_accepted() -> None:
    inv = one(created=0, dueDate=4102444799, totalPrice=999_999_999_999.99)
    assert inv.created == datetime(1970, 1, 1, tzinfo=UTC)
    assert inv.due_date == datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert inv.total_price == Decimal("999999999999.99")


@pytest.mark.parametrize("big", [2**53 + 1, 2**64 + 7, 10**30 + 1], ids=["2^53+1", "2^64+7", "10^30+1"])
def test_integer_ids_are_kept_digit_for_digit(big: int) -> None:
    inv = parse_invoices([{"id": big, "customer": {"id": big}, "items": [{"id": big + 1}]}])[0]
    assert inv.id == str(big) and inv.customer is not None and inv.customer.id == str(big)
    assert inv.lines[0].id == str(big + 1)


def test_text_longer_than_an_excel_cell_is_refused() -> None:
    with pytest.raises(BadResponse, match=r"with items\.0\.description 'xxx.*which is wrong \(String should have at most 32767"):
        parse_invoices([{"id": 8, "items": [{"description": "x" * 40_000}]}])


def test_an_entry_that_is_not_an_object() -> None:
    with pytest.raises(BadResponse, match="not an invoice as entry 1 of the list"):
        parse_invoices(["700123"])  # type: ignore[list-item]


def test_parse_invoices_keeps_order_and_count() -> None:
    raw = [{"id": n, "invoiceNumber": f"N{n}"} for n in range(50)]
    assert [inv.invoice_number for inv in parse_invoices(raw)] == [f"N{n}" for n in range(50)]
    assert parse_invoices([]) == []
