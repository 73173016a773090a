"""Reading the *Invoices* sheet back into typed rows, after the clerk may have edited it.

The sheet is the source of truth for Preview: a cell the clerk corrected wins over what
ServiceTrade sent. Values come back as an xlsx reader or Excel gives them (floats, datetimes,
text), and are typed again by the default column kinds: money as Decimal, dates as dates,
ids as text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from stac_xl.book.cells import column_letter
from stac_xl.book.entries import DateOrder, read_amount, read_date
from stac_xl.book.table import ColumnKind
from stac_xl.book.values import yes_or_no
from stac_xl.errors import WorkbookError
from stac_xl.invoices.columns import DEFAULT_COLUMNS
from stac_xl.records import CENT

K = ColumnKind
_KIND_BY_HEADER: dict[str, ColumnKind] = {c.name.casefold(): c.kind for c in DEFAULT_COLUMNS}
_NAME_BY_HEADER: dict[str, str] = {c.name.casefold(): c.name for c in DEFAULT_COLUMNS}

_EXCEL_EPOCH = datetime(1899, 12, 30)


class _Bad(ValueError):
    """A cell value that cannot be read as its column's kind; the text ends the message."""


def read_invoice_rows(grid: list[list[Any]], *, source: str = "Invoices",
                      order: DateOrder = DateOrder.MDY) -> list[dict[str, Any]]:
    """The *Invoices* sheet as one dict per row, keyed by header, typed by column kind.

    Default columns are matched case-insensitively and keyed by their standard name; other
    columns pass through unchanged, keyed by their header. Empty rows are skipped. A value
    that cannot be read is a ``WorkbookError`` naming the cell: ``Invoices!X7: 'abc' is not
    a number.``
    """
    if not grid:
        return []
    headers = _headers(grid[0], source)
    rows: list[dict[str, Any]] = []
    for row_number, cells in enumerate(grid[1:], start=2):
        if all(_blank(v) for v in cells):
            continue
        row: dict[str, Any] = {}
        for col, (name, kind) in headers.items():
            value = cells[col] if col < len(cells) else None
            try:
                row[name] = value if kind is None else read_cell(value, kind, order)
            except _Bad as exc:
                raise WorkbookError(f"{source}!{column_letter(col + 1)}{row_number}: {value!r} {exc}.") from None
        rows.append(row)
    return rows


def invoice_headers(grid: list[list[Any]]) -> list[Any]:
    """The *Invoices* header row; before the first Fetch (an empty sheet) the columns Fetch
    writes, so a Mapping checked then is not told that every column is unknown."""
    return list(grid[0]) if grid else [c.name for c in DEFAULT_COLUMNS]


def _headers(cells: list[Any], source: str) -> dict[int, tuple[str, ColumnKind | None]]:
    """Column index → (key, kind or None for a pass-through column); blank headers skipped."""
    headers: dict[int, tuple[str, ColumnKind | None]] = {}
    seen: set[str] = set()
    for col, cell in enumerate(cells):
        text = "" if cell is None else str(cell).strip()
        if not text:
            continue
        folded = text.casefold()
        if folded in seen:
            raise WorkbookError(f"{source}!{column_letter(col + 1)}1: the column '{text}' appears twice.")
        seen.add(folded)
        headers[col] = (_NAME_BY_HEADER.get(folded, text), _KIND_BY_HEADER.get(folded))
    return headers


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_cell(value: Any, kind: ColumnKind, order: DateOrder = DateOrder.MDY) -> Any:
    """One cell as an xlsx reader gives it, typed for a ``kind`` column; raises ``_Bad``.
    Text dates are read in ``order`` (the workbook's *Date order*)."""
    if _blank(value):
        return None
    if kind is ColumnKind.DATE:
        return _read_date(value, order)
    reader = _READERS.get(kind)
    return value if reader is None else reader(value)


def _read_number(value: Any) -> Decimal:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return Decimal(int(value))  # Excel (COM) hands numbers over as floats: 1.0 is 1
    number = read_amount(value)  # also $1,234.50 and (744.60), as a clerk types them
    if number is None:
        raise _Bad("is not a number")
    return number


def _read_money(value: Any) -> Decimal:
    number = _read_number(value)
    try:
        cents = number.quantize(CENT)
    except InvalidOperation:  # too many digits for cents: leave it as it is
        return number
    return cents if cents == number else number  # never round a real fraction of a cent


def _read_integer(value: Any) -> int:
    try:
        number = _read_number(value)
    except _Bad:
        raise _Bad("is not a whole number") from None
    if number != number.to_integral_value():
        raise _Bad("is not a whole number")
    return int(number)


def _read_date(value: Any, order: DateOrder = DateOrder.MDY) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 2958466:
        return (_EXCEL_EPOCH + timedelta(days=int(value))).date()  # a date serial without format
    day = read_date(value, order)  # a date cell, ISO text, or 12/1/2026 in the workbook's date order
    if day is None:
        raise _Bad("is not a date")
    return day


def _read_text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)  # 123.0 typed → "123"
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _read_bool(value: Any) -> bool:
    flag = yes_or_no(value)
    if flag is None:
        raise _Bad("is not TRUE or FALSE")
    return flag


_READERS: dict[ColumnKind, Callable[[Any], Any]] = {
    K.MONEY: _read_money,
    K.NUMBER: _read_number,
    K.INTEGER: _read_integer,
    K.DATE: _read_date,
    K.TEXT: _read_text,
    K.BOOL: _read_bool,
}
