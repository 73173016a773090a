"""What the ledger remembers of each exported invoice, and how Preview tells it changed.

The *snapshot* is the invoice's rows on *Invoices* as text (its Status left out: Confirm
moving it to ``processed`` is not a change to what was booked); its hash is the content
hash. A later Preview compares the snapshot with the invoice's rows then and names what
changed: field, old value, new value.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stac_xl.book.values import as_text
from stac_xl.invoices import columns as C
from stac_xl.invoices.grouping import group_invoices
from stac_xl.records import OutputRecord

_NOT_CONTENT = frozenset({C.STATUS})
_SHOWN_CHANGES = 4


@dataclass(frozen=True)
class InvoiceContent:
    """An invoice as it stands on *Invoices*: number, snapshot (JSON) and its hash."""

    invoice_id: str
    number: str
    snapshot: str
    content_hash: str


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def invoice_contents(rows: Sequence[Mapping[str, Any]]) -> dict[str, InvoiceContent]:
    """Each invoice on *Invoices* by id."""
    found = {}
    for invoice in group_invoices(rows):
        if invoice.invoice_id is None:
            continue
        shown = [{k: as_text(v) for k, v in row.items() if k not in _NOT_CONTENT} for row in invoice.rows]
        snapshot = json.dumps(shown, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        found[invoice.invoice_id] = InvoiceContent(invoice.invoice_id, invoice.number, snapshot, _sha(snapshot))
    return found


def records_hashes(records: Sequence[OutputRecord]) -> dict[str, str]:
    """A hash of the records written for each invoice (its values, in file order)."""
    grouped: dict[str, list[list[str]]] = {}
    for record in records:
        if record.invoice_id:
            grouped.setdefault(record.invoice_id, []).append([record.record, *record.values])
    return {k: _sha(json.dumps(v, ensure_ascii=False, separators=(",", ":"))) for k, v in grouped.items()}


def what_changed(old_snapshot: str, new_snapshot: str) -> list[tuple[str, str, str]]:
    """(field, old, new) for each difference; a line is matched by its Line id, and a field
    repeated on every line (the invoice's own) is told once."""
    try:
        old_rows, new_rows = json.loads(old_snapshot or "[]"), json.loads(new_snapshot or "[]")
    except ValueError:
        return [("the invoice", "(not readable)", "(now)")]
    old_by_line = {row.get(C.LINE_ID, ""): row for row in old_rows}
    changes: list[tuple[str, str, str]] = []
    for row in new_rows:
        line = row.get(C.LINE_ID, "")
        before = old_by_line.pop(line, None)
        if before is None:
            changes.append((C.LINE_ID, "", line or "(none)"))
            continue
        for field in sorted(set(row) | set(before)):
            old, new = before.get(field, ""), row.get(field, "")
            if old != new and (field, old, new) not in changes:
                changes.append((field, old, new))
    changes += [(C.LINE_ID, line or "(none)", "") for line in old_by_line]
    return changes


def describe_changes(changes: Sequence[tuple[str, str, str]]) -> str:
    """'Invoice total 556.50 → 600.00; Customer PO '' → 'PO-7'' (the first few)."""
    parts = [f"{field} '{old}' → '{new}'" for field, old, new in changes[:_SHOWN_CHANGES]]
    more = f"; and {len(changes) - _SHOWN_CHANGES} more" if len(changes) > _SHOWN_CHANGES else ""
    return "; ".join(parts) + more
