"""Fixed-width text: every field at a fixed position, one record per line.

A field's width is its ``max_length`` on the Mapping sheet. Shorter values are padded
(left-aligned with spaces unless the field is listed in ``right_align``, e.g. amounts,
padded with ``pad_char``); longer values are an error, never cut: truncating is a
decision the mapping makes visibly (a transform), not one the writer makes silently.
Widths count characters, so the default encoding is cp1252 (one byte per character) and
positions in the file match positions in the layout.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import compress, count, repeat
from operator import not_
from typing import Any, BinaryIO, ClassVar, Literal

from stac_xl.errors import WriteProblem
from stac_xl.records import FieldSpec, OutputRecord, RecordSpec
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
    composed,
    field_problem,
    grouped,
    in_key_order,
    record_type_of,
    values_of,
)
from stac_xl.writers.options import rules
from stac_xl.writers.rows import WriterSetting

# The clerk's words for the pad character; any other text is refused by the options model.
_PAD_WORDS = {"": " ", "space": " ", "blank": " ", "0": "0", "zero": "0"}


def _pad_word(text: str) -> str:
    return _PAD_WORDS.get(text.lower(), text)


RIGHT_ALIGNED = WriterSetting(
    "Right-aligned fields", "right_align",
    "Fixed-width files only: fields padded on the left, e.g. H.Total, D.Amount "
    "(Record.Field, or just Field). The rest are left-aligned.",
)
PAD_CHARACTER = WriterSetting(
    "Pad character", "pad_char", "Fixed-width files only: what pads right-aligned fields: 0 (zero) or space.",
    parse=_pad_word, hint="use 0 or space",
)


def _align_word(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _comma_list(value: Any) -> Any:
    # The Settings sheet holds one cell: "Amount, D.Amount".
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class FixedWidthOptions(WriterOptions):
    """Alignment and padding. ``right_align`` names fields as ``Field`` or ``Record.Field``."""

    encoding: Encoding = "cp1252"
    align: Literal["left", "right"] = "left"
    right_align: list[str] = dataclasses.field(default_factory=list)
    pad_char: Literal[" ", "0"] = " "  # for right-aligned fields; left-aligned pad with spaces

    clerk_words = rules(align=_align_word, right_align=_comma_list)


class FixedWidthWriter(BaseWriter):
    """Writes each record as its fields padded to their widths, concatenated, one per line."""

    key: ClassVar[str] = "fixed-width"
    title: ClassVar[str] = "Fixed-width text"
    options_model: ClassVar[type[WriterOptions]] = FixedWidthOptions
    settings: ClassVar[tuple[WriterSetting, ...]] = (*BaseWriter.settings, RIGHT_ALIGNED, PAD_CHARACTER)
    extensions: ClassVar[tuple[str, ...]] = (".txt",)
    extension: str = ".txt"

    def __init__(self, options: FixedWidthOptions | Mapping[str, Any] | None = None):
        self.options: FixedWidthOptions = coerce_options(FixedWidthOptions, options, self.key)

    def write(
        self, specs: Sequence[RecordSpec], records: Iterable[OutputRecord], stream: BinaryIO,
    ) -> WriteSummary:
        """Check every record type has widths, then write one padded line per record."""
        layouts = {spec.name: self._layout(spec) for spec in specs}
        self._check_right_align(specs)
        sink = LineSink(stream, self.options)
        index = SpecIndex(specs)
        fast = _PaddedLines(layouts, self.options.pad_char, sink.newline)
        count = 0
        for first, chunk in chunks(records, CHUNK):
            if not fast.write(chunk, sink):
                for offset, record in enumerate(chunk):  # record by record: its error at its record
                    source = index.locate(first + offset, record)
                    sink.write_line(_format(source, layouts[source.spec.name], self.options.pad_char), source)
            count = first + len(chunk)
        return WriteSummary(records=count, bytes=sink.bytes)

    def _layout(self, spec: RecordSpec) -> list[tuple[int, bool]]:
        """(width, right-aligned) per field; a field without a width is a WriteProblem."""
        layout = []
        for field in spec.fields:
            if field.max_length is None or field.max_length < 1:
                raise WriteProblem(
                    f"Record type {spec.name}, field {field.name}: a fixed-width file needs a "
                    "Max length (the field's width) on the Mapping sheet.",
                    record=spec.name, field=field.name,
                )
            layout.append((field.max_length, self._is_right(spec, field)))
        return layout

    def _is_right(self, spec: RecordSpec, field: FieldSpec) -> bool:
        listed = self.options.right_align
        return (
            self.options.align == "right" or field.name in listed or f"{spec.name}.{field.name}" in listed
        )

    def _check_right_align(self, specs: Sequence[RecordSpec]) -> None:
        # A misspelt name would silently leave an amount left-aligned.
        known = {f.name for s in specs for f in s.fields} | {f"{s.name}.{f.name}" for s in specs for f in s.fields}
        unknown = [name for name in self.options.right_align if name not in known]
        if unknown and specs:
            raise WriteProblem(
                f"Option right_align names {', '.join(unknown)}, which no record type has as a field."
            )


class _PaddedLines:
    """A chunk of records as one text, laid out column by column per record type, every
    value padded by ``str.ljust``/``rjust``/``zfill`` in C, checked at once: each line exactly
    its widths long (padding never shortens, so a value too wide makes its line longer), line
    breaks only between lines, every value composed (NFC) as written. It declines (writes
    nothing, returns False) any other chunk, and one with an unknown record type, a wrong
    number of values, a value that is not text or a text that does not encode; the
    record-by-record layout then names the field."""

    def __init__(self, layouts: Mapping[str, list[tuple[int, bool]]], pad_char: str, newline: str):
        right_pad: _ColumnPad = _zero_filled if pad_char == "0" else _right_aligned
        self._pads = {name: tuple(right_pad if right else _left_aligned for _, right in layout)
                      for name, layout in layouts.items()}
        self._widths = {name: tuple(width for width, _ in layout) for name, layout in layouts.items()}
        self._counts = {name: len(layout) for name, layout in layouts.items()}
        self._lengths = {name: sum(self._widths[name]) for name in layouts}
        self._newline = newline

    def write(self, chunk: list[OutputRecord], sink: LineSink) -> bool:
        names = list(map(record_type_of, chunk))
        values = list(map(values_of, chunk))
        if list(map(self._counts.get, names)) != list(map(len, values)):
            return False
        nl = self._newline
        try:
            lines = {name: self._lines(name, group) for name, group in grouped(names, values).items()}
        except TypeError:  # a value that is not text
            return False
        body = nl.join(in_key_order(names, lines))
        breaks = len(chunk) - 1
        if (len(body) != sum(map(self._lengths.__getitem__, names)) + breaks * len(nl) or body.count("\n") != breaks
                or body.count("\r") != (breaks if nl == "\r\n" else 0)
                or not (body.isascii() or unicodedata.is_normalized("NFC", body))):
            return False
        try:
            data = sink.encode(body + nl)  # composed: checked above
        except UnicodeEncodeError:
            return False
        sink.write_encoded(data)
        return True

    def _lines(self, name: str, group: list[list[str]]) -> list[str]:
        """The lines of ``group``'s records (all of type ``name``), padded a column at a time."""
        columns = [pad(column, width) for pad, width, column in zip(self._pads[name], self._widths[name], zip(*group))]
        return list(map("".join, zip(*columns))) if columns else [""] * len(group)


_ColumnPad = Callable[[Sequence[str], int], list[str]]


def _left_aligned(column: Sequence[str], width: int) -> list[str]:
    return list(map(str.ljust, column, repeat(width)))


def _right_aligned(column: Sequence[str], width: int) -> list[str]:
    return list(map(str.rjust, column, repeat(width)))


def _zero_filled(column: Sequence[str], width: int) -> list[str]:
    """The column right-aligned and zero-filled as :func:`_pad` fills each value: ``str.zfill``
    puts the zeros after a leading + or -, as ``_pad`` does, but it would fill a blank too,
    and a blank stays blank (padded with spaces)."""
    padded = list(map(str.zfill, column, repeat(width)))
    for at in compress(count(), map(not_, column)):
        padded[at] = " " * width
    return padded


def _format(source: RecordAt, layout: list[tuple[int, bool]], pad_char: str) -> str:
    parts = []
    for name, value, (width, right) in zip(source.spec.field_names, source.values, layout):
        value = composed(value)  # measured as written: a decomposed é is one character in the file
        if len(value) > width:
            raise field_problem(
                source, name,
                f"'{value}' is {len(value)} characters but the field is {width} wide; shorten it "
                "in the Mapping (e.g. a truncate transform) or widen the field.",
            )
        if "\r" in value or "\n" in value:
            raise field_problem(source, name, "a line break inside a value would split the record.")
        parts.append(_pad(value, width, right, pad_char))
    return "".join(parts)


def _pad(value: str, width: int, right: bool, pad_char: str) -> str:
    if not right or not value:
        # A blank stays blank: zero-filling it would invent an amount the mapping never gave.
        return value.ljust(width)
    if pad_char == "0" and value[0] in "+-":
        # Zero-fill goes after the sign: "-37.50" in 9 is "-00037.50", not "000-37.50".
        return value[0] + value[1:].rjust(width - 1, "0")
    return value.rjust(width, pad_char)
