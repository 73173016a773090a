"""QuickBooks Desktop IIF: TAB-separated, keyword first, ``!`` definition rows up front.

The record type names are the IIF keywords (``TRNS``, ``SPL``, ``ENDTRNS``, or list types
such as ``CUST``); a record type's fields are the IIF columns *after* the keyword, which the
writer emits itself. The file starts with one definition row per record type
(``!TRNS<TAB>TRNSID<TAB>…``) in Mapping order, then the records. IIF has no quoting, so a
TAB or line break inside a value would corrupt the row: that is an error (the mapping
strips them with a transform). QuickBooks itself writes Windows-1252 with CRLF: the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO, ClassVar, Iterable

from stac_xl.records import OutputRecord, RecordSpec
from stac_xl.writers.base import (
    Encoding, LineSink, RecordAt, SpecIndex, WriteProblem, WriterOptions, WriteSummary,
    coerce_options, field_problem,
)

_FORBIDDEN = {"\t": "a TAB", "\r": "a line break", "\n": "a line break"}
_TRANSACTION = ("TRNS", "SPL", "ENDTRNS")


class IifOptions(WriterOptions):
    """Encoding and line ending; the IIF layout itself has nothing to choose."""

    encoding: Encoding = "cp1252"


class IifWriter:
    """Writes definition rows for every record type, then one keyword-led row per record."""

    key: ClassVar[str] = "iif"
    title: ClassVar[str] = "QuickBooks Desktop IIF"
    options_model: ClassVar[type[WriterOptions]] = IifOptions
    extension: str = ".iif"

    def __init__(self, options: IifOptions | Mapping[str, Any] | None = None):
        self.options: IifOptions = coerce_options(IifOptions, options, self.key)

    def write(
        self, specs: Sequence[RecordSpec], records: Iterable[OutputRecord], stream: BinaryIO,
    ) -> WriteSummary:
        """Write the ``!`` definition rows, then each record as ``KEYWORD<TAB>values``."""
        _check_specs(specs)
        sink = LineSink(stream, self.options)
        for spec in specs:
            sink.write_line("\t".join(["!" + spec.name, *spec.field_names]))
        index = SpecIndex(specs)
        count = 0
        for count, record in enumerate(records, start=1):
            source = index.locate(count - 1, record)
            _refuse_separators(source)
            sink.write_line("\t".join([source.spec.name, *source.values]), source)
        return WriteSummary(records=count, bytes=sink.bytes)


def _check_specs(specs: Sequence[RecordSpec]) -> None:
    """Keywords and column names must survive the TAB layout; a transaction needs all three."""
    for spec in specs:
        for name in (spec.name, *spec.field_names):
            if not name or name.startswith("!") or any(c in name for c in _FORBIDDEN):
                raise WriteProblem(
                    f"Record type {spec.name!r}: {name!r} cannot be an IIF keyword or column "
                    "name (empty, starts with '!', or holds a TAB or line break).",
                    record=spec.name,
                )
    names = {spec.name for spec in specs}
    if names & set(_TRANSACTION) and not names >= set(_TRANSACTION):
        missing = ", ".join(n for n in _TRANSACTION if n not in names)
        raise WriteProblem(
            f"An IIF transaction needs record types TRNS, SPL and ENDTRNS; the Mapping lacks {missing}."
        )


def _refuse_separators(source: RecordAt) -> None:
    for name, value in zip(source.spec.field_names, source.values):
        for char, what in _FORBIDDEN.items():
            if char in value:
                raise field_problem(
                    source, name,
                    f"{what} inside a value would break the IIF row; remove it in the Mapping "
                    "(e.g. a clean-text transform).",
                )
