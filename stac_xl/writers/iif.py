"""QuickBooks Desktop IIF: TAB-separated, keyword first, ``!`` definition rows up front.

A record type's IIF keyword is the first word of its name (``TRNS``, ``SPL``, ``ENDTRNS``, or
list types such as ``CUST``), so ``SPL tax`` (a sales-tax split written only on taxed
invoices) writes ``SPL`` lines too. A record type's fields are the IIF columns *after* the
keyword, which the writer emits itself. The file starts with one definition row per keyword
(``!SPL<TAB>SPLID<TAB>…``, from the first record type with it, in Mapping order), so record
types sharing a keyword must have the same fields in the same order; then the records. IIF has no quoting, so a
TAB or line break inside a value would corrupt the row: that is an error (the mapping
strips them with a transform). QuickBooks itself writes Windows-1252 with CRLF: the defaults.

QuickBooks also refuses a transaction that does not sum to zero; the writer's ``check``
(:func:`check_sums_to_zero`) finds each one on Preview and Export, unless the profile's
*Balance check* setting says how the file must add up instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from operator import add
from typing import Any, BinaryIO, ClassVar

from stac_xl.errors import EncodingProblem, WriteProblem
from stac_xl.problems import Problem
from stac_xl.records import OutputRecord, RecordSpec
from stac_xl.writers.base import (
    CHUNK,
    BaseWriter,
    Encoding,
    LineSink,
    RecordAt,
    SpecIndex,
    WriterOptions,
    WriteSummary,
    chunks,
    coerce_options,
    field_problem,
    record_type_of,
    values_of,
)

_FORBIDDEN = {"\t": "a TAB", "\r": "a line break", "\n": "a line break"}
_TRANSACTION = ("TRNS", "SPL", "ENDTRNS")


def keyword_of(record_name: str) -> str:
    """The IIF keyword a record type writes: the first word of its name (``SPL tax`` → ``SPL``)."""
    words = record_name.split()
    return words[0] if words else record_name


class IifOptions(WriterOptions):
    """Encoding and line ending; the IIF layout itself has nothing to choose."""

    encoding: Encoding = "cp1252"


class IifWriter(BaseWriter):
    """Writes definition rows for every record type, then one keyword-led row per record."""

    key: ClassVar[str] = "iif"
    title: ClassVar[str] = "QuickBooks Desktop IIF"
    options_model: ClassVar[type[WriterOptions]] = IifOptions
    extensions: ClassVar[tuple[str, ...]] = (".iif",)
    extension: str = ".iif"

    def __init__(self, options: IifOptions | Mapping[str, Any] | None = None):
        self.options: IifOptions = coerce_options(IifOptions, options, self.key)

    def write(
        self, specs: Sequence[RecordSpec], records: Iterable[OutputRecord], stream: BinaryIO,
    ) -> WriteSummary:
        """Write the ``!`` definition rows, then each record as ``KEYWORD<TAB>values``."""
        _check_specs(specs)
        sink = LineSink(stream, self.options)
        keywords = {spec.name: keyword_of(spec.name) for spec in specs}
        for spec in _first_per_keyword(specs):
            sink.write_line("\t".join(["!" + keywords[spec.name], *spec.field_names]))
        index = SpecIndex(specs)
        fast = _KeywordLines(specs, keywords, sink.newline)
        count = 0
        for first, chunk in chunks(records, CHUNK):
            if not fast.write(chunk, sink):
                for offset, record in enumerate(chunk):  # record by record: its error at its record
                    source = index.locate(first + offset, record)
                    _refuse_separators(source)
                    sink.write_line("\t".join([keywords[source.spec.name], *source.values]), source)
            count = first + len(chunk)
        return WriteSummary(records=count, bytes=sink.bytes)

    def check(self, specs: Sequence[RecordSpec], records: Sequence[OutputRecord]) -> list[Problem]:
        """QuickBooks refuses a transaction whose lines do not sum to zero."""
        return check_sums_to_zero(specs, records)


class _KeywordLines:
    """A chunk of records as one text, each line ``KEYWORD<TAB>values``, checked at once:
    as many TABs as the layout puts in and line breaks only between lines. It declines
    (writes nothing, returns False) a chunk with a TAB or line break inside a value, an
    unknown record type or a wrong number of values, a value that is not text or a text
    that does not encode; the record-by-record layout then writes it and names the field."""

    def __init__(self, specs: Sequence[RecordSpec], keywords: Mapping[str, str], newline: str):
        self._counts = {spec.name: len(spec.fields) for spec in specs}
        # the keyword, then a TAB before the values (none for a record type without fields)
        self._leads = {spec.name: keywords[spec.name] + "\t" * bool(spec.fields) for spec in specs}
        self._newline = newline

    def write(self, chunk: list[OutputRecord], sink: LineSink) -> bool:
        names = list(map(record_type_of, chunk))
        values = list(map(values_of, chunk))
        lengths = list(map(len, values))
        if list(map(self._counts.get, names)) != lengths:
            return False
        nl = self._newline
        try:
            body = nl.join(map(add, map(self._leads.__getitem__, names), map("\t".join, values)))
        except TypeError:  # a value that is not text
            return False
        breaks = len(chunk) - 1
        if (body.count("\t") != sum(lengths) or body.count("\n") != breaks
                or body.count("\r") != (breaks if nl == "\r\n" else 0)):
            return False
        try:
            sink.write_raw(body + nl)
        except EncodingProblem:
            return False
        return True


def _first_per_keyword(specs: Sequence[RecordSpec]) -> list[RecordSpec]:
    """The first record type of each keyword, in Mapping order: one ``!`` row each."""
    seen: dict[str, RecordSpec] = {}
    for spec in specs:
        seen.setdefault(keyword_of(spec.name), spec)
    return list(seen.values())


def _check_specs(specs: Sequence[RecordSpec]) -> None:
    """Keywords and column names must survive the TAB layout; record types sharing a keyword
    share its ``!`` row, so their fields must match; a transaction needs all three keywords."""
    first: dict[str, RecordSpec] = {}
    for spec in specs:
        keyword = keyword_of(spec.name)
        for name in (spec.name, keyword, *spec.field_names):
            if not name or name.startswith("!") or any(c in name for c in _FORBIDDEN):
                raise WriteProblem(
                    f"Record type {spec.name!r}: {name!r} cannot be an IIF keyword or column "
                    "name (empty, starts with '!', or holds a TAB or line break).",
                    record=spec.name,
                )
        other = first.setdefault(keyword, spec)
        if other.field_names != spec.field_names:
            raise WriteProblem(
                f"Record types '{other.name}' and '{spec.name}' both write {keyword} lines, which share one "
                f"!{keyword} definition row, so they need the same fields in the same order on the Mapping "
                f"sheet; '{other.name}' has {', '.join(other.field_names) or 'none'}, "
                f"'{spec.name}' has {', '.join(spec.field_names) or 'none'}.",
                record=spec.name,
            )
    names = set(first)
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


def check_sums_to_zero(specs: Sequence[RecordSpec], records: Sequence[OutputRecord], *,
                       record_names: Sequence[str] = ("TRNS", "SPL"), amount_field: str = "AMOUNT",
                       end_record: str = "ENDTRNS") -> list[Problem]:
    """Each transaction (a ``TRNS`` up to its ``ENDTRNS``) must add up to zero.

    Record types count by their IIF keyword, so a ``SPL tax`` split is an ``SPL``. Amounts
    are read back from the formatted values, so hand edits on *Export* count."""
    positions = {s.name: s.field_names.index(amount_field) for s in specs
                 if keyword_of(s.name) in record_names and amount_field in s.field_names}
    problems: list[Problem] = []
    start, total = None, Decimal(0)

    def close() -> None:
        if start is not None and total != 0:
            opener = records[start]
            problems.append(Problem(
                "error", f"the transaction does not balance: its {' and '.join(record_names)} amounts "
                f"add up to {total}, not 0.", None, opener.invoice_id, start,
                positions.get(opener.record), opener.record, amount_field))

    for index, record in enumerate(records):
        keyword = keyword_of(record.record)
        if keyword == record_names[0]:
            close()
            start, total = index, Decimal(0)
        if record.record in positions and start is not None:
            at = positions[record.record]
            raw = record.values[at].strip() if at < len(record.values) else ""
            try:
                total += Decimal(raw.replace(",", ""))
            except InvalidOperation:
                problems.append(Problem("error", f"'{raw}' is not an amount.", None, record.invoice_id,
                                        index, at, record.record, amount_field))
        if keyword == end_record:
            close()
            start = None
    close()
    return problems
