"""Invoices → the *Invoices* sheet: one row per invoice line, invoice fields repeated.

The sheet contract (headers, kinds, JSON paths) is :mod:`stac_xl.invoices.columns`; this
module knows how each default column is read off the ServiceTrade models. The clerk's
extra JSON paths are appended, headed by their path.

Speed matters (100,000 lines per fetch), so invoice columns are computed once per invoice
and line columns once per line, and each row is stitched from precomputed slices.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from stac_xl.book.table import Column, ColumnKind, Table
from stac_xl.gc_pause import gc_paused
from stac_xl.invoices import columns as C
from stac_xl.invoices.columns import DEFAULT_COLUMNS, DEFAULT_PATHS
from stac_xl.invoices.jsonpath import Keys, compile_path, is_line_path, line_keys, resolve
from stac_xl.servicetrade.models import Invoice, InvoiceItem

K = ColumnKind
InvoiceGetter = Callable[[Invoice, tzinfo], Any]
LineGetter = Callable[[InvoiceItem, int], Any]


def _ref(obj: Any, attr: str) -> Any:
    # Nested refs are often missing (a recurring invoice has no job): None, not an error.
    return None if obj is None else getattr(obj, attr)


def _address(inv: Invoice, attr: str) -> Any:
    return _ref(_ref(inv.location, "address"), attr)


# A getter per default column. Line columns' getters take (line, line number); the
# others take (invoice, tz). Which is which follows the column's JSON path (``item.…``,
# or None for our own line numbering).
_GETTERS: dict[str, Callable[[Any, Any], Any]] = {
    C.INVOICE_ID: lambda inv, tz: inv.id,
    C.INVOICE_NUMBER: lambda inv, tz: inv.invoice_number,
    C.TYPE: lambda inv, tz: inv.type,
    C.STATUS: lambda inv, tz: inv.status,
    C.TRANSACTION_DATE: lambda inv, tz: inv.local_date("transaction_date", tz),
    C.DUE_DATE: lambda inv, tz: inv.local_date("due_date", tz),
    C.CREATED: lambda inv, tz: inv.local_date("created", tz),
    C.CUSTOMER_ID: lambda inv, tz: _ref(inv.customer, "id"),
    C.CUSTOMER: lambda inv, tz: _ref(inv.customer, "name"),
    C.LOCATION_ID: lambda inv, tz: _ref(inv.location, "id"),
    C.LOCATION: lambda inv, tz: _ref(inv.location, "name"),
    C.STREET: lambda inv, tz: _address(inv, "street"),
    C.CITY: lambda inv, tz: _address(inv, "city"),
    C.STATE: lambda inv, tz: _address(inv, "state"),
    C.POSTAL_CODE: lambda inv, tz: _address(inv, "postal_code"),
    C.JOB_ID: lambda inv, tz: _ref(inv.job, "id"),
    C.JOB_NUMBER: lambda inv, tz: _ref(inv.job, "number"),
    C.CUSTOMER_PO: lambda inv, tz: inv.customer_po,
    C.TERMS: lambda inv, tz: _ref(inv.terms, "name"),
    C.LINE_ID: lambda item, no: item.id,
    C.LINE_NO: lambda item, no: no,
    C.DESCRIPTION: lambda item, no: item.description,
    C.QUANTITY: lambda item, no: item.quantity,
    C.UNIT_PRICE: lambda item, no: item.price,
    C.LINE_TOTAL: lambda item, no: item.line_total,
    C.TAXABLE: lambda item, no: item.taxable,
    C.ITEM_CODE: lambda item, no: _ref(item.lib_item, "code"),
    C.ITEM_NAME: lambda item, no: _ref(item.lib_item, "name"),
    C.SERVICE_LINE: lambda item, no: _ref(item.service_line, "name"),
    C.SUBTOTAL: lambda inv, tz: inv.subtotal,
    C.TAX: lambda inv, tz: inv.tax_amount,
    C.INVOICE_TOTAL: lambda inv, tz: inv.total_price,
}
assert list(_GETTERS) == [c.name for c in DEFAULT_COLUMNS], "a getter for every default column, in order"


def extra_columns(extra_paths: Sequence[str]) -> list[Column]:
    """Columns for the clerk's extra paths: stripped, blanks and defaults/repeats dropped."""
    seen = set(DEFAULT_PATHS)
    columns: list[Column] = []
    for path in extra_paths:
        path = path.strip()
        if path and path not in seen:
            seen.add(path)
            columns.append(Column(path, K.GENERAL, path))
    return columns


def cell_value(value: Any) -> Any:
    """A raw JSON value as a cell: floats → exact Decimal, objects/lists → compact JSON text."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return value


@dataclass(frozen=True)
class _Plan:
    """How a row is stitched: invoice values, line values, in column order."""

    invoice_getters: list[InvoiceGetter]
    line_getters: list[LineGetter]
    invoice_extras: list[Keys]
    line_extras: list[Keys]
    # (from_line, start, stop): consecutive slices of the invoice or line value list.
    segments: list[tuple[bool, int, int]]


def _plan(columns: list[Column]) -> _Plan:
    """Sort ``columns`` into invoice/line getters and the slices a row is built from."""
    inv_get: list[InvoiceGetter] = []
    line_get: list[LineGetter] = []
    inv_extra: list[Keys] = []
    line_extra: list[Keys] = []
    scopes: list[bool] = []
    for col in columns:
        getter = _GETTERS.get(col.name) if col.path in DEFAULT_PATHS or col.path is None else None
        is_line = col.path is None or is_line_path(col.path)
        if getter is not None:
            (line_get if is_line else inv_get).append(getter)
        elif is_line:
            line_extra.append(line_keys(col.path or ""))
        else:
            inv_extra.append(compile_path(col.path or ""))
        scopes.append(is_line)
    return _Plan(inv_get, line_get, inv_extra, line_extra, _segments(scopes))


def _segments(scopes: list[bool]) -> list[tuple[bool, int, int]]:
    # Each value list is in column order within its scope, so one counter per scope
    # walking the columns gives the slice for each run of same-scope columns.
    counters = {False: 0, True: 0}
    segments: list[tuple[bool, int, int]] = []
    for is_line in scopes:
        pos = counters[is_line]
        counters[is_line] += 1
        if segments and segments[-1][0] == is_line and segments[-1][2] == pos:
            segments[-1] = (is_line, segments[-1][1], pos + 1)
        else:
            segments.append((is_line, pos, pos + 1))
    return segments


def invoices_to_table(invoices: Sequence[Invoice], *, tz: tzinfo, extra_paths: Sequence[str] = ()) -> Table:
    """One row per invoice line (invoice fields repeated); a line-less invoice is one row.

    Dates are the company's dates in ``tz``. Extra paths are resolved on the invoice JSON,
    or on each line's JSON for ``item.…`` paths; a missing path is an empty cell.
    """
    columns = DEFAULT_COLUMNS + extra_columns(extra_paths)
    plan = _plan(columns)
    empty_line = [None] * (len(plan.line_getters) + len(plan.line_extras))
    rows: list[list[Any]] = []
    with gc_paused():  # 100,000 row lists: see gc_paused
        for inv in invoices:
            _add_rows(rows, inv, plan, tz, empty_line)
    return Table(columns=columns, rows=rows)


def _add_rows(rows: list[list[Any]], inv: Invoice, plan: _Plan, tz: tzinfo, empty_line: list[Any]) -> None:
    """Append ``inv``'s rows: one per line, or one with empty line columns if it has none."""
    raw = inv.raw
    inv_vals = [get(inv, tz) for get in plan.invoice_getters]
    inv_vals += [cell_value(resolve(raw, keys)) for keys in plan.invoice_extras]
    lines = inv.lines
    if not lines:
        rows.append(_stitch(plan.segments, inv_vals, empty_line))
        return
    raw_items = raw.get("items")
    if not isinstance(raw_items, list):
        raw_items = []
    for index, item in enumerate(lines):
        line_vals = [get(item, index + 1) for get in plan.line_getters]
        if plan.line_extras:
            item_raw = raw_items[index] if index < len(raw_items) else None
            line_vals += [cell_value(resolve(item_raw, keys)) for keys in plan.line_extras]
        rows.append(_stitch(plan.segments, inv_vals, line_vals))


def _stitch(segments: list[tuple[bool, int, int]], inv_vals: list[Any], line_vals: list[Any]) -> list[Any]:
    row: list[Any] = []
    for is_line, start, stop in segments:
        row += (line_vals if is_line else inv_vals)[start:stop]
    return row


# --- Reading the sheet back -------------------------------------------------------------
