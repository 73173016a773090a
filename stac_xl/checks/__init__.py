"""Validation: every problem with the records of a file, collected as a list.

``records`` (required, lengths, encoding, value forms of hand edits), ``invoices`` (the
invoice balance and duplicate numbers on *Invoices*), ``balance_check`` (a profile's
*Balance check* setting). A file kind's own invariants (IIF transactions summing to zero)
live with its writer. The problem type is :mod:`stac_xl.problems`.
"""

from stac_xl.checks.invoices import check_duplicate_numbers, check_invoice_balance
from stac_xl.checks.records import validate_records

__all__ = ["check_duplicate_numbers", "check_invoice_balance", "validate_records"]
