"""Delimited text (CSV and kin): Xero, Sage 50, Sage 300 CRE ``I``/``D``, generic CSV.

Values are written in field order with Python's :mod:`csv` module. A multi-record file
(Sage 300 CRE) needs nothing special: the record type code is the first field's value,
produced by the mapping. A record type with ``header=True`` gets one row of its field
names before its first record.

Records are laid out and encoded a few thousand at a time (:mod:`stac_xl.writers.joined`):
a line whose values hold no delimiter, quote character or line break is what csv writes for
it, the values joined (and for quoting ``all`` quoted), and the columns that hold one are
quoted as csv quotes them, which costs less than a bare ``csv.writer``. A chunk with a value
that is not text, one that quoting ``none`` cannot write, or text that does not encode is
written record by record through csv, so the error names the record and field and the
stream holds exactly what that path would have written. ``CHUNK`` is the number of records
at a time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, BinaryIO, ClassVar, Literal

from stac_xl.records import OutputRecord, RecordSpec
from stac_xl.writers.base import (
    CHUNK,
    BaseWriter,
    LineSink,
    RecordAt,
    SpecIndex,
    WriterOptions,
    WriteSummary,
    chunks,
    coerce_options,
    field_problem,
)
from stac_xl.writers.joined import JoinedLines
from stac_xl.writers.options import rules
from stac_xl.writers.rows import EXTENSION_CHOICES, FILE_EXTENSION, WriterSetting

# Words a clerk may type on the Settings sheet instead of the character itself.
_DELIMITER_WORDS = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
_QUOTING: dict[str, Literal[0, 1, 2, 3]] = {"minimal": csv.QUOTE_MINIMAL, "all": csv.QUOTE_ALL, "none": csv.QUOTE_NONE}

DELIMITER = WriterSetting("Delimiter", "delimiter", "For delimited files: , or ; or TAB or |", default=",")
QUOTING = WriterSetting("Quoting", "quoting", "minimal, all, or none.", default="minimal")


def _delimiter_word(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 1:
        return _DELIMITER_WORDS.get(value.strip().lower(), value)
    return value


def _single_char(value: str) -> str:
    if len(value) != 1 or value in "\r\n":
        raise ValueError(f"must be one character other than a line break, not {value!r}")
    return value


def _lower_word(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _dotted(value: str) -> str:
    value = value.strip().lower()
    if not value.startswith("."):
        value = "." + value
    if value not in EXTENSION_CHOICES:
        raise ValueError(f"must be one of {', '.join(EXTENSION_CHOICES)}, not {value!r}")
    return value


class DelimitedOptions(WriterOptions):
    """Delimiter, quoting policy, quote character and file extension of a delimited file."""

    delimiter: str = ","
    quoting: Literal["minimal", "all", "none"] = "minimal"
    quote_char: str = '"'
    extension: str = ".csv"

    clerk_words = rules(delimiter=_delimiter_word, quoting=_lower_word)
    value_checks = rules(delimiter=_single_char, quote_char=_single_char, extension=_dotted)


class DelimitedWriter(BaseWriter):
    """Writes one line per record, fields joined by a delimiter, quoted per the policy."""

    key: ClassVar[str] = "delimited"
    title: ClassVar[str] = "Delimited text (CSV, TAB, ; or |)"
    options_model: ClassVar[type[WriterOptions]] = DelimitedOptions
    settings: ClassVar[tuple[WriterSetting, ...]] = (*BaseWriter.settings, DELIMITER, QUOTING, FILE_EXTENSION)
    extensions: ClassVar[tuple[str, ...]] = EXTENSION_CHOICES
    extension: str = ".csv"

    def __init__(self, options: DelimitedOptions | Mapping[str, Any] | None = None):
        self.options: DelimitedOptions = coerce_options(DelimitedOptions, options, self.key)
        self.extension = self.options.extension

    def settings_problem(self) -> str | None:
        """A delimiter equal to the quote character would make every quoted field ambiguous."""
        if self.options.delimiter == self.options.quote_char:
            return f'{DELIMITER.name} cannot be the quote character {self.options.quote_char}; use , or ; or TAB or |.'
        return None

    def write(
        self, specs: Sequence[RecordSpec], records: Iterable[OutputRecord], stream: BinaryIO,
    ) -> WriteSummary:
        """Write each record as one delimited line; header rows where a record type asks."""
        sink = LineSink(stream, self.options)
        index = SpecIndex(specs)
        rows = _RowFormatter(self.options)
        o = self.options
        joined = JoinedLines(specs, delimiter=o.delimiter, quote=o.quote_char, newline=o.newline, quoting=o.quoting)
        headed: set[str] = set()
        count = 0
        for first, chunk in chunks(records, CHUNK):
            if not joined.write(chunk, headed, sink):
                # the record-by-record layout: its bytes, and its error at its record
                for offset, record in enumerate(chunk):
                    source = index.locate(first + offset, record)
                    if source.spec.header and source.spec.name not in headed:
                        headed.add(source.spec.name)
                        sink.write_raw(rows.header(source), source)
                    sink.write_raw(rows.values(source), source)
            count = first + len(chunk)
        return WriteSummary(records=count, bytes=sink.bytes)


class _RowFormatter:
    """Formats one row at a time through a reused csv writer, ending with the chosen newline."""

    def __init__(self, options: DelimitedOptions):
        self._options = options
        self._buffer = io.StringIO()
        # csv quotes a field holding CR or LF only if they occur in lineterminator, so the
        # row is always formatted with CRLF and the ending swapped afterwards.
        self._csv = csv.writer(
            self._buffer, delimiter=options.delimiter, quotechar=options.quote_char,
            quoting=_QUOTING[options.quoting], lineterminator="\r\n", doublequote=True,
        )

    def header(self, source: RecordAt) -> str:
        """The record type's field names as a row."""
        return self._format(source, source.spec.field_names)

    def values(self, source: RecordAt) -> str:
        """The record's values as a row."""
        return self._format(source, source.values)

    def _format(self, source: RecordAt, cells: Sequence[str]) -> str:
        if self._options.quoting == "none":
            self._refuse_unquotable(source, cells)
            if list(cells) == [""]:
                return self._options.newline  # csv refuses to write this row unquoted
        self._buffer.seek(0)
        self._buffer.truncate()
        self._csv.writerow(cells)
        return self._buffer.getvalue()[:-2] + self._options.newline

    def _refuse_unquotable(self, source: RecordAt, cells: Sequence[str]) -> None:
        # Without quoting these characters would silently shift or split columns.
        special = {self._options.delimiter, self._options.quote_char, "\r", "\n"}
        for name, cell in zip(source.spec.field_names, cells):
            text = cell if isinstance(cell, str) else "" if cell is None else str(cell)  # as csv writes it
            found = sorted(c for c in special if c in text)
            if found:
                raise field_problem(
                    source, name,
                    f"{found[0]!r} cannot be written with quoting 'none'; remove it in the "
                    "Mapping (a transform) or choose quoting 'minimal'.",
                )
