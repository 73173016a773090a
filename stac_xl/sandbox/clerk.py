"""What a clerk types on *Lookups* for the sandbox's customers and items, for the demo.

A preset ships two sample rows per lookup table; a real clerk replaces them with their own
customer numbers and accounts. The demo (and tests that run the whole job on sandbox data)
do the same here: for every key on *Invoices* that a table lacks, a row is added with a
value in the style of the preset's sample rows (a number like 40000 or 400, or an account
name like "Service Income"). Sandbox data only: real books need real values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from stac_xl.book import layout
from stac_xl.book.port import WorkbookPort
from stac_xl.invoices import columns as C
from stac_xl.invoices.read_back import read_invoice_rows

# Lookup table → the Invoices column its keys come from.
KEY_COLUMNS = {"Customers": C.CUSTOMER_ID, "Emails": C.CUSTOMER_ID, "Accounts": C.ITEM_CODE, "Terms": C.TERMS}


def fill_sandbox_lookups(book: WorkbookPort) -> int:
    """Add a row for every missing key in the known lookup tables; returns rows added."""
    rows = read_invoice_rows(book.read_grid(layout.INVOICES))
    grid = [list(r) for r in book.read_grid(layout.LOOKUPS)]
    added = 0
    for table, column in KEY_COLUMNS.items():
        span = _table_rows(grid, table)
        if span is None:
            continue
        first, end = span
        have = {str(r[0]).strip().lower() for r in grid[first:end] if r and r[0] is not None}
        samples = [r[1] for r in grid[first:end] if len(r) > 1 and r[1] is not None]
        names = {str(row.get(column)): row for row in rows if row.get(column)}
        new_rows = [[key, _value(table, key, names[key], samples, i), "sandbox demo value"]
                    for i, key in enumerate(sorted(k for k in names if k.lower() not in have))]
        grid[end:end] = new_rows
        added += len(new_rows)
    added += _short_names(book, rows, grid)
    book.write_grid(layout.LOOKUPS, grid, clear=True)
    return added


def _short_names(book: WorkbookPort, rows: Sequence[dict[str, Any]], grid: list[list[Any]]) -> int:
    """For each rule ``truncate(n, match=Table)`` (QuickBooks' NAME): a row mapping every
    longer value of its Source column to a name of n characters, as the clerk types the name
    the accounting system has; the table is added at the end when missing."""
    from stac_xl.mapping.sheet import read_mapping_sheet
    from stac_xl.mapping.syntax import RuleProblem, parse_chain

    wanted: dict[str, dict[str, str]] = {}
    sheet, _ = read_mapping_sheet(book.read_grid(layout.MAPPING))
    for rule in sheet.rules:
        try:
            steps = parse_chain(rule.transform or "")
        except RuleProblem:
            continue  # Preview tells the rule's mistake
        for step in steps:
            match = step.keyword("match") if step.name == "truncate" and step.positional else None
            if match is not None and step.text(0).isdigit():
                width = int(step.text(0))
                names = wanted.setdefault(match.value.strip(), {})
                for row in rows:
                    value = str(row.get(str(rule.source)) or "")
                    if len(value) > width:
                        names[value] = value[:width].rstrip()
    added = 0
    for table, names in wanted.items():
        span = _table_rows(grid, table)
        if span is None:
            grid += [[], [layout.lookup_title(table)], ["Key", "Value", "Notes"]]
            span = (len(grid), len(grid))
        have = {str(r[0]).strip().lower() for r in grid[span[0]:span[1]] if r and r[0] is not None}
        new_rows = [[key, value, "sandbox demo value"] for key, value in sorted(names.items()) if key.lower() not in have]
        grid[span[1]:span[1]] = new_rows
        added += len(new_rows)
    return added


def _table_rows(grid: list[list[Any]], table: str) -> tuple[int, int] | None:
    """(first data row index, index after the last data row) of the table, or None."""
    title = layout.lookup_title(table)
    for index, row in enumerate(grid):
        if row and row[0] == title:
            end = index + 2
            while end < len(grid) and grid[end] and any(v not in (None, "") for v in grid[end]):
                end += 1
            return index + 2, end
    return None


def _value(table: str, key: str, row: dict[str, Any], samples: Sequence[Any], index: int) -> str:
    if table == "Customers":
        letters = re.sub(r"[^A-Z]", "", str(row.get("Customer") or "").upper())[:6] or "CUST"
        return f"{letters}{key[-3:]}"
    if table == "Emails":
        slug = re.sub(r"[^a-z]", "", str(row.get("Customer") or "").lower())[:20] or "customer"
        return f"ap@{slug}.example"
    if table == "Terms":
        return str(samples[0]) if samples else "1"
    return _account(key, samples, index)


def _account(code: str, samples: Sequence[Any], index: int) -> str:
    """An account in the style of the preset's samples: 40000-ish, 400-ish, or a name."""
    numbers = [int(s) for s in map(str, samples) if s.isdigit()]
    if not numbers:
        return f"{code.replace('-', ' ').title()} Income"
    step = 10 ** max(len(str(numbers[0])) - 3, 1)
    return str(max(numbers) + step * (index + 1))
