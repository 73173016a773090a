"""The mapping engine: the *Mapping* and *Lookups* sheets compiled once into per-field
functions, applied to *Invoices* rows to make output records (validation is
:mod:`stac_xl.checks`).

    mapping = compile_mapping(mapping_grid, lookups_grid, invoice_columns=headers)
    result = mapping.build(rows, batch=BatchInfo(export_date=today))

Modules: ``sheet`` (reading Mapping), ``lookup`` (reading Lookups; the lookup transform),
``syntax`` (how a Transform cell is written), ``transform_types`` (what a transform is),
``transforms`` (the catalogue; ``dates`` the date transform), ``forms`` (the form a
date/number/yes-no value must keep on Export), ``sources`` (the Source cell; computed
values), ``only_if`` (a record type's *Only if* condition), ``policy`` (which invoices go
into the file), ``run_state`` (the build's running position), ``compile``, ``codegen`` (one
generated function per record type) with ``inline`` (the fast paths it pastes in) and
``text_memo`` (a chain of text transforms made once per distinct text), and ``build``.
"""

from stac_xl.errors import MappingErrors
from stac_xl.mapping.build import BuildResult, CompiledMapping, CompiledRecord
from stac_xl.mapping.compile import MappedField, compile_mapping
from stac_xl.mapping.policy import apply_invoice_policy
from stac_xl.mapping.run_state import BatchInfo
from stac_xl.mapping.sources import COMPUTED
from stac_xl.mapping.transforms import TRANSFORMS

__all__ = [
    "COMPUTED", "TRANSFORMS", "BatchInfo", "BuildResult", "CompiledMapping", "CompiledRecord", "MappedField",
    "MappingErrors", "apply_invoice_policy", "compile_mapping",
]
