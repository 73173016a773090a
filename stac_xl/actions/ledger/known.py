"""What Preview learns from the ledger about the invoices on *Invoices*.

An invoice already in an ``exported`` or ``confirmed`` batch (or one being written) is left
out of the Export sheet, with the reason (which batch, when, by whom) among the checks
beside it; with re-export allowed it stays in, marked. Either way, an invoice whose
ServiceTrade data changed since its export says what changed: field, old, new.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stac_xl.actions.ledger import ExportLedger, PriorExport
from stac_xl.actions.ledger.invoices import describe_changes, invoice_contents, what_changed
from stac_xl.problems import Problem


@dataclass
class KnownExports:
    """Invoices left out, invoices going again, and a warning about each."""

    left_out: set[str] = field(default_factory=set)
    again: dict[str, PriorExport] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _sentence(prior: PriorExport, changes: str, *, allowed: bool) -> str:
    where = f"batch {prior.batch_id} ({prior.state.value} {prior.created:%Y-%m-%d %H:%M} by {prior.user})"
    said = (f"already in {where}; exported again because Allow re-export is yes." if allowed else
            f"left out: already in {where}. Set Allow re-export to yes to export it again.")
    if changes:
        said += f" It changed in ServiceTrade after that export: {changes}."
    return said


def known_exports(ledger: ExportLedger, scope: str, rows: Sequence[Mapping[str, Any]], *,
                  allow_reexport: bool) -> KnownExports:
    """Look up every invoice on *Invoices* in the ledger."""
    contents = invoice_contents(rows)
    priors = ledger.prior_exports(scope, list(contents))
    known = KnownExports()
    for invoice_id, prior in priors.items():
        now = contents[invoice_id]
        changed = "" if now.content_hash == prior.content_hash else describe_changes(
            what_changed(prior.snapshot, now.snapshot))
        if allow_reexport:
            known.again[invoice_id] = prior
        else:
            known.left_out.add(invoice_id)
        known.problems.append(Problem("warning", _sentence(prior, changed, allowed=allow_reexport),
                                      now.number or None, invoice_id))
    return known
