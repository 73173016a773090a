"""Flattening invoices onto the Invoices sheet, JSON paths, and reading the sheet back."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from stac_xl.book.cells import column_letter
from stac_xl.book.table import ColumnKind, Table
from stac_xl.errors import WorkbookError
from stac_xl.invoices.columns import DEFAULT_COLUMNS
from stac_xl.invoices.flatten import invoices_to_table
from stac_xl.invoices.jsonpath import compile_path, get_path, is_line_path, line_keys
from stac_xl.invoices.read_back import read_cell, read_invoice_rows
from stac_xl.servicetrade.models import Invoice, parse_invoices

NEW_YORK = ZoneInfo("America/New_York")
K = ColumnKind
LINE_HEADERS = ["Line id", "Line no", "Description", "Quantity", "Unit price", "Line total", "Taxable",
                "Item code", "Item name", "Service line"]


def make(n: int, lines: int, **changes: Any) -> dict[str, Any]:
    """Invoice JSON number ``n`` with ``lines`` lines, top-level fields changed."""
    data: dict[str, Any] = {
        "id": 700000 + n, "invoiceNumber": f"{10000 + n}", "type": "invoice", "status": "ok",
        "transactionDate": 1710475200, "dueDate": 1713067200, "created": 1710500000,
        "customerPo": f"PO-{n}", "terms": {"id": 1, "name": "Net 30"},
        "customer": {"id": 1001, "name": "Acme Property Mgmt"},
        "location": {"id": 2001, "name": "Acme Tower",
                     "address": {"street": "100 Main St", "city": "Raleigh", "state": "NC", "postalCode": "27601"}},
        "job": {"id": 3001, "number": "24-1001", "name": "Quarterly inspection"},
        "subtotal": 556.50, "taxAmount": 12.34, "totalPrice": 568.84,
        "items": [
            {"id": 900000 + 10 * n + i, "description": f"Line {i}", "quantity": 1.5, "price": 71.01,
             "totalPrice": 106.52, "taxable": i % 2 == 0,
             "libItem": {"id": 501, "code": f"CODE{i}", "name": "Labor"},
             "serviceLine": {"id": 11, "name": "Sprinkler", "abbr": "SPR"}}
            for i in range(lines)
        ],
    }
    data.update(changes)
    return data


def flat(raw: list[dict[str, Any]], extra: tuple[str, ...] = ()) -> Table:
    return invoices_to_table(parse_invoices(raw), tz=NEW_YORK, extra_paths=extra)


# --- JSON paths ---------------------------------------------------------------------------

DOC = {"a": {"b": [{"c": 1}, {"c": 2}], "0": "zero"}, "n": None, "s": "text"}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("a.b.0.c", 1), ("a.b.1.c", 2), ("a.b.-1.c", 2), ("a.b.2.c", None), ("a.b.-3.c", None),
        ("a.0", "zero"), ("a.x", None), ("n.x", None), ("s.x", None), ("s.0", None),
        ("a..b.0.c", 1), (" a.b.0.c ", 1), ("", DOC), ("a.b.c", None), ("missing", None),
    ],
)
def test_get_path(path: str, expected: Any) -> None:
    assert get_path(DOC, path) == expected


@pytest.mark.parametrize(
    ("path", "keys"),
    [("items.0.description", ("items", 0, "description")), ("a.-1", ("a", -1)), ("a.1-", ("a", "1-")),
     ("a.--1", ("a", "--1")), ("x", ("x",)), ("", ())],
)
def test_compile_path(path: str, keys: tuple[Any, ...]) -> None:
    assert compile_path(path) == keys


def test_line_paths() -> None:
    assert is_line_path("item.libItem.code") and not is_line_path("items.0.price")
    assert line_keys(" item.libItem.code") == ("libItem", "code")


# --- Columns ------------------------------------------------------------------------------

def test_default_columns_contract() -> None:
    names = [c.name for c in DEFAULT_COLUMNS]
    assert len(names) == len(set(names)) == 32
    paths = [c.path for c in DEFAULT_COLUMNS if c.path]
    assert len(paths) == len(set(paths)) == 31
    kinds = {c.name: c.kind for c in DEFAULT_COLUMNS}
    assert [n for n in names if kinds[n] is K.MONEY] == ["Unit price", "Line total", "Subtotal", "Tax", "Invoice total"]
    assert [n for n in names if kinds[n] is K.DATE] == ["Transaction date", "Due date", "Created"]
    assert kinds["Quantity"] is K.NUMBER and kinds["Line no"] is K.INTEGER and kinds["Taxable"] is K.BOOL
    assert all(kinds[n] is K.TEXT for n in names if n.endswith(" id") or n in ("Postal code", "Invoice number"))
    assert [c.name for c in DEFAULT_COLUMNS if (c.path or "item.").startswith("item.")] == LINE_HEADERS


@pytest.mark.parametrize("line_counts", [[], [0], [1], [3], [0, 0], [2, 0, 5], [1] * 10, [0, 7, 0, 1]])
def test_row_count_is_one_per_line_or_one_per_empty_invoice(line_counts: list[int]) -> None:
    table = flat([make(n, c) for n, c in enumerate(line_counts)])
    assert len(table.rows) == sum(max(1, c) for c in line_counts)
    assert all(len(row) == len(DEFAULT_COLUMNS) for row in table.rows)


def test_invoice_fields_repeat_on_every_line() -> None:
    rows = flat([make(1, 3), make(2, 2)]).as_dicts()
    first = rows[:3]
    for row in first:
        assert row["Invoice id"] == "700001" and row["Invoice number"] == "10001"
        assert row["Customer"] == "Acme Property Mgmt" and row["City"] == "Raleigh"
        assert row["Invoice total"] == Decimal("568.84") and row["Tax"] == Decimal("12.34")
    assert [r["Line no"] for r in rows] == [1, 2, 3, 1, 2]
    assert [r["Line id"] for r in rows] == ["900010", "900011", "900012", "900020", "900021"]
    assert [r["Item code"] for r in rows] == ["CODE0", "CODE1", "CODE2", "CODE0", "CODE1"]
    assert rows[3]["Invoice id"] == "700002"


def test_sample_row_values() -> None:
    row = flat([make(1, 1)]).as_dicts()[0]
    assert row == {
        "Invoice id": "700001", "Invoice number": "10001", "Type": "invoice", "Status": "ok",
        "Transaction date": date(2024, 3, 15), "Due date": date(2024, 4, 14), "Created": date(2024, 3, 15),
        "Customer id": "1001", "Customer": "Acme Property Mgmt", "Location id": "2001",
        "Location": "Acme Tower", "Street": "100 Main St", "City": "Raleigh", "State": "NC",
        "Postal code": "27601", "Job id": "3001", "Job number": "24-1001", "Customer PO": "PO-1",
        "Terms": "Net 30", "Line id": "900010", "Line no": 1, "Description": "Line 0",
        "Quantity": Decimal("1.5"), "Unit price": Decimal("71.01"), "Line total": Decimal("106.52"),
        "Taxable": True, "Item code": "CODE0", "Item name": "Labor", "Service line": "Sprinkler",
        "Subtotal": Decimal("556.5"), "Tax": Decimal("12.34"), "Invoice total": Decimal("568.84"),
    }


@pytest.mark.parametrize("items", [[], None])
def test_invoice_without_lines_is_one_row_with_empty_line_columns(items: list[Any] | None) -> None:
    data = make(1, 0)
    if items is None:
        del data["items"]
    rows = flat([data], extra=("item.serviceLine.abbr",)).as_dicts()
    assert len(rows) == 1
    assert all(rows[0][h] is None for h in [*LINE_HEADERS, "item.serviceLine.abbr"])
    assert rows[0]["Invoice number"] == "10001" and rows[0]["Subtotal"] == Decimal("556.5")


def test_missing_refs_give_empty_cells() -> None:
    row = flat([{"id": 1, "job": None, "items": [{"id": 2}]}]).as_dicts()[0]
    assert row["Invoice id"] == "1" and row["Line id"] == "2" and row["Line no"] == 1
    assert all(v is None for k, v in row.items() if k not in ("Invoice id", "Line id", "Line no"))


def test_line_total_is_computed_when_missing() -> None:
    data = make(1, 1)
    del data["items"][0]["totalPrice"]
    data["items"][0].update(quantity=3, price=0.335)
    assert flat([data]).as_dicts()[0]["Line total"] == Decimal("1.01")


@pytest.mark.parametrize(
    ("changes", "header", "expected"),
    [
        ({"id": "000123"}, "Invoice id", "000123"),
        ({"invoiceNumber": "000456"}, "Invoice number", "000456"),
        ({"customer": {"id": "0042", "name": "Z"}}, "Customer id", "0042"),
        ({"location": {"id": 7, "address": {"postalCode": "02134"}}}, "Postal code", "02134"),
        ({"location": {"id": "007"}}, "Location id", "007"),
        ({"job": {"id": 5, "number": "0099"}}, "Job number", "0099"),
        ({"id": 700123}, "Invoice id", "700123"),
    ],
)
def test_ids_are_text_and_keep_leading_zeros(changes: dict[str, Any], header: str, expected: str) -> None:
    assert flat([make(1, 1, **changes)]).as_dicts()[0][header] == expected


def test_dates_are_company_dates() -> None:
    # 2024-03-16 02:30 UTC is 22:30 on the 15th in New York.
    stamp = int(datetime(2024, 3, 16, 2, 30, tzinfo=UTC).timestamp())
    inv = parse_invoices([make(1, 1, created=stamp)])
    assert invoices_to_table(inv, tz=NEW_YORK).as_dicts()[0]["Created"] == date(2024, 3, 15)
    assert invoices_to_table(inv, tz=ZoneInfo("UTC")).as_dicts()[0]["Created"] == date(2024, 3, 16)


# --- Extra paths --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("job.name", ["Quarterly inspection"] * 2),
        ("item.serviceLine.abbr", ["SPR", "SPR"]),
        ("item.libItem.id", [501, 501]),
        ("items.0.description", ["Line 0"] * 2),
        ("items.1.description", ["Line 1"] * 2),
        ("items.-1.id", [900011] * 2),
        ("items.9.description", [None, None]),
        ("missing.path", [None, None]),
        ("item.missing", [None, None]),
        ("location.address", ['{"street":"100 Main St","city":"Raleigh","state":"NC","postalCode":"27601"}'] * 2),
        ("terms", ['{"id":1,"name":"Net 30"}'] * 2),
        ("item.quantity", None),  # a default column's path: no extra column
    ],
)
def test_extra_path_values(path: str, expected: list[Any] | None) -> None:
    table = flat([make(1, 2)], extra=(path,))
    if expected is None:
        assert table.headers == [c.name for c in DEFAULT_COLUMNS]
        return
    assert table.headers[-1] == path and table.columns[-1].kind is K.GENERAL
    assert [row[-1] for row in table.rows] == expected


def test_extra_float_is_exact_decimal_not_float() -> None:
    table = flat([make(1, 1, totalPaidAmount=0.1)], extra=("totalPaidAmount", "items.0.quantity"))
    assert table.rows[0][-2:] == [Decimal("0.1"), Decimal("1.5")]
    assert all(not isinstance(v, float) for v in table.rows[0])


def test_extra_paths_deduplicated_and_in_given_order() -> None:
    extra = ("location.address.city", "item.libItem.code", "item.serviceLine.abbr", " ", "job.name",
             "item.serviceLine.abbr", " job.name ", "customer.uri")
    table = flat([make(1, 2)], extra=extra)
    assert table.headers[len(DEFAULT_COLUMNS):] == ["item.serviceLine.abbr", "job.name", "customer.uri"]
    assert table.headers.count("City") == 1 and table.headers.count("Item code") == 1
    assert table.rows[1][len(DEFAULT_COLUMNS):] == ["SPR", "Quarterly inspection", None]


def test_extra_paths_on_a_model_built_in_python() -> None:
    inv = Invoice.model_validate({"id": 1})
    built = Invoice(id="2", invoice_number="N2")
    table = invoices_to_table([inv, built], tz=NEW_YORK, extra_paths=["invoiceNumber", "item.id"])
    # invoiceNumber is a default path; item.id too: nothing added, values still right.
    assert table.headers == [c.name for c in DEFAULT_COLUMNS]
    assert [r["Invoice number"] for r in table.as_dicts()] == [None, "N2"]


def test_flatten_handles_a_hundred_thousand_lines() -> None:
    # Speed is measured in bench/, not here: this checks only the behaviour at that size.
    invoice = parse_invoices([make(1, 5)])[0]
    invoices = [invoice] * 20_000  # flatten does not care that they are the same object
    table = invoices_to_table(invoices, tz=NEW_YORK, extra_paths=["job.name", "item.serviceLine.abbr"])
    assert len(table.rows) == 100_000
    assert all(len(row) == len(table.columns) for row in table.rows)


# --- Reading the sheet back ---------------------------------------------------------------

def as_excel(value: Any) -> Any:
    """What an xlsx reader gives back for a value flatten wrote."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def test_round_trip_through_excel_values() -> None:
    raw = [make(1, 3), make(2, 0), make(3, 1, id="000777", totalPrice=-0.1, subtotal=1234567.89),
           {"id": 4, "items": [{"quantity": 0.333, "price": 12.3456, "taxable": False}]}]
    table = flat(raw, extra=("job.name",))
    grid = [table.headers] + [[as_excel(v) for v in row] for row in table.rows]
    back = read_invoice_rows(grid)
    assert back == table.as_dicts()
    for got, want in zip(back, table.as_dicts()):
        for header, value in want.items():
            assert type(got[header]) is type(value), header
    assert back[4]["Invoice id"] == "000777" and back[4]["Invoice total"] == Decimal("-0.1")
    assert str(back[0]["Unit price"]) == "71.01" and str(back[5]["Unit price"]) == "12.3456"
    assert back[3]["Line no"] is None and back[3]["Invoice number"] == "10002"


def kind_of(header: str) -> ColumnKind:
    return next(c.kind for c in DEFAULT_COLUMNS if c.name == header)


@pytest.mark.parametrize(
    ("header", "cell", "expected"),
    [
        ("Unit price", 35.5, Decimal("35.50")),
        ("Unit price", 0.1, Decimal("0.10")),
        ("Unit price", 12.3456, Decimal("12.3456")),  # a fraction of a cent is not rounded away
        ("Unit price", 100, Decimal("100.00")),
        ("Unit price", " 19.99 ", Decimal("19.99")),
        ("Unit price", "$19.99", Decimal("19.99")),
        ("Unit price", -0.005, Decimal("-0.005")),
        ("Line total", 1e-7, Decimal("1E-7")),
        ("Line total", 1e30, Decimal("1E+30")),
        ("Quantity", 1.5, Decimal("1.5")),
        ("Quantity", 2, Decimal("2")),
        ("Quantity", 0.333, Decimal("0.333")),
        ("Line no", 3, 3),
        ("Line no", 3.0, 3),
        ("Line no", "4", 4),
        ("Created", datetime(2024, 3, 15, 0, 0), date(2024, 3, 15)),
        ("Created", datetime(2024, 3, 15, 13, 5), date(2024, 3, 15)),
        ("Due date", date(2024, 4, 1), date(2024, 4, 1)),
        ("Due date", "2024-04-01", date(2024, 4, 1)),
        ("Due date", 45383, date(2024, 4, 1)),  # an unformatted date serial
        ("Invoice id", 123.0, "123"),
        ("Invoice id", 123, "123"),
        ("Invoice id", "00123", "00123"),
        ("Customer PO", " PO-1 ", "PO-1"),
        ("Customer PO", 12.5, "12.5"),
        ("Job number", datetime(2024, 10, 1), "2024-10-01"),  # Excel turned "24-10-1" into a date
        ("Taxable", True, True),
        ("Taxable", False, False),
        ("Taxable", "TRUE", True),
        ("Taxable", "false", False),
        ("Taxable", "Yes", True),
        ("Taxable", "no", False),
        ("Taxable", 1, True),
        ("Taxable", 0, False),
        ("Unit price", None, None),
        ("Unit price", "  ", None),
        ("Created", "", None),
        ("Description", "", None),
    ],
)
def test_read_cell_by_kind(header: str, cell: Any, expected: Any) -> None:
    got = read_cell(cell, kind_of(header))
    assert got == expected and type(got) is type(expected)
    if isinstance(expected, Decimal):
        assert str(got) == str(expected)


@pytest.mark.parametrize(
    ("header", "cell", "message"),
    [
        ("Unit price", "abc", "Invoices!X3: 'abc' is not a number."),
        ("Line total", True, "Invoices!Y3: True is not a number."),
        ("Quantity", "1,5", "Invoices!W3: '1,5' is not a number."),
        ("Subtotal", datetime(2024, 1, 1), "Invoices!AD3: datetime.datetime(2024, 1, 1, 0, 0) is not a number."),
        ("Tax", "NaN", "Invoices!AE3: 'NaN' is not a number."),
        ("Line no", 1.5, "Invoices!U3: 1.5 is not a whole number."),
        ("Line no", "first", "Invoices!U3: 'first' is not a whole number."),
        ("Created", "last Tuesday", "Invoices!G3: 'last Tuesday' is not a date."),
        ("Due date", True, "Invoices!F3: True is not a date."),
        ("Taxable", "maybe", "Invoices!Z3: 'maybe' is not TRUE or FALSE."),
        ("Taxable", 2, "Invoices!Z3: 2 is not TRUE or FALSE."),
    ],
)
def test_unreadable_cell_names_the_cell(header: str, cell: Any, message: str) -> None:
    table = flat([make(1, 2)])
    grid: list[list[Any]] = [table.headers] + [[as_excel(v) for v in row] for row in table.rows]
    grid[2][table.index(header)] = cell
    with pytest.raises(WorkbookError) as caught:
        read_invoice_rows(grid)
    assert str(caught.value) == message


def test_error_names_the_given_sheet() -> None:
    with pytest.raises(WorkbookError, match=r"^Copy of Invoices!B2: 'x' is not a number\.$"):
        read_invoice_rows([["Invoice id", "Tax"], ["1", "x"]], source="Copy of Invoices")


def test_empty_rows_skipped_short_rows_padded_extras_pass_through() -> None:
    grid: list[list[Any]] = [
        ["Invoice id", "tax", None, "job.name", "Line no"],
        ["1", 2.5, "ignored: no header", 7.25],
        [None, None, None, None],
        [],
        ["  ", "", None],
        [2.0, None, None, datetime(2024, 1, 2), 1.0],
    ]
    assert read_invoice_rows(grid) == [
        {"Invoice id": "1", "Tax": Decimal("2.50"), "job.name": 7.25, "Line no": None},
        {"Invoice id": "2", "Tax": None, "job.name": datetime(2024, 1, 2), "Line no": 1},
    ]


def test_empty_grid_and_header_only() -> None:
    assert read_invoice_rows([]) == []
    assert read_invoice_rows([[c.name for c in DEFAULT_COLUMNS]]) == []


def test_a_header_twice_is_an_error() -> None:
    with pytest.raises(WorkbookError, match=r"^Invoices!C1: the column 'city' appears twice\.$"):
        read_invoice_rows([["City", "Tax", "city"], ["a", 1, "b"]])


@pytest.mark.parametrize(("number", "letters"), [(1, "A"), (26, "Z"), (27, "AA"), (52, "AZ"), (53, "BA"),
                                                  (702, "ZZ"), (703, "AAA"), (16384, "XFD")])
def test_column_letter(number: int, letters: str) -> None:
    assert column_letter(number) == letters


def test_flatten_does_not_change_the_invoices() -> None:
    raw = [make(1, 2)]
    before = copy.deepcopy(raw)
    flat(raw, extra=("items.0.description", "item.libItem.code"))
    assert raw == before


@pytest.mark.parametrize("cell, expected", [(1.0, "1"), (3.0, "3"), (1.5, "1.5"), (-2.0, "-2")])
def test_whole_numbers_from_excel_read_as_whole_quantities(cell, expected) -> None:
    # Live Excel gives 1.0 for a quantity of 1; the import file must say 1, not 1.0.
    assert str(read_cell(cell, ColumnKind.NUMBER)) == expected
