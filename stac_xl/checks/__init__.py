"""Validation: every problem with the records of a file, collected as a list.

``records`` (required, lengths, encoding, value forms of hand edits), ``invoices`` (the
invoice balance and duplicate numbers on *Invoices*), ``balance_check`` (a profile's
*Balance check* setting), ``derived_balance`` (the balance its Mapping implies without one,
reading ``amounts``), ``recomputed_lines`` (lines the target multiplies out again),
``hand_edits`` (a clerk's entries written in their field's form), ``typed_cells`` (formulas,
Excel errors and cut text on *Export*), ``corrections`` (what Preview tells of a correction),
``writable`` (what the writer refuses, on its cell). A file kind's own invariants (IIF
transactions summing to zero) live with its writer. The problem type is
:mod:`stac_xl.problems`.
"""

from stac_xl.checks.invoices import check_duplicate_numbers, check_invoice_balance
from stac_xl.checks.records import validate_records

__all__ = ["check_duplicate_numbers", "check_invoice_balance", "validate_records"]
