"""The mapping engine: the *Mapping* and *Lookups* sheets compiled once into per-field
functions, applied to *Invoices* rows to make output records, then validated.

    mapping = compile_mapping(mapping_grid, lookups_grid, invoice_columns=headers)
    result = mapping.build(rows, batch=BatchInfo(export_date=today))
    problems = result.problems + validate_records(result.specs, result.records,
                                                  encoding="cp1252", rows=rows)

Modules: ``sheet`` (reading Mapping), ``lookup`` (reading Lookups; the lookup transform),
``syntax`` (how a Transform cell is written), ``values`` (a value's text and number),
``transforms`` (the catalogue; ``dates`` the date transform), ``forms`` (the form a
date/number/yes-no value must keep on Export), ``sources`` (the Source cell; computed
values), ``only_if`` (a record type's *Only if* condition), ``compile``, ``codegen`` (one
generated function per record type) with ``inline`` (the fast paths it pastes in),
``build`` (with ``stac_xl.gc_pause``), ``validate`` (record checks) with ``problems`` and
``invoice_checks``, ``balance`` (a profile's *Balance check* setting).
"""

from stac_xl.checks.records import (
    Policy,
    Problem,
    Severity,
    apply_invoice_policy,
    attach_issues,
    check_duplicate_numbers,
    check_invoice_balance,
    check_sums_to_zero,
    has_errors,
    validate_records,
)
from stac_xl.mapping.build import BatchInfo, BuildResult, CompiledMapping, CompiledRecord
from stac_xl.mapping.compile import MappedField, MappingErrors, compile_mapping
from stac_xl.mapping.sources import COMPUTED, line_amount
from stac_xl.mapping.transforms import TRANSFORMS, as_text

__all__ = [
    "COMPUTED",
    "TRANSFORMS",
    "BatchInfo",
    "BuildResult",
    "CompiledMapping",
    "CompiledRecord",
    "MappedField",
    "MappingErrors",
    "Policy",
    "Problem",
    "Severity",
    "apply_invoice_policy",
    "as_text",
    "attach_issues",
    "check_duplicate_numbers",
    "check_invoice_balance",
    "check_sums_to_zero",
    "compile_mapping",
    "has_errors",
    "line_amount",
    "validate_records",
]
