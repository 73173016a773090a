"""XML: one element per record, one child element per field, streamed line by line.

Element names are the record type and field names, so they must be valid XML names. With
``nest`` (the default) line and invoice-end records sit inside the preceding invoice
record's element; file-start/-end records, like invoices, are children of the root. Output
is deterministic: declaration, 2-space indentation, fields in Mapping order. Empty values
are left out by default (``omit_empty``) so an optional typed element (a date, an amount)
is absent rather than invalid. The generic profile's schema is ``stac_xl/schemas/generic-invoice.xsd``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, compress, count
from operator import not_
from typing import Any, BinaryIO, ClassVar

from stac_xl.errors import WriteProblem
from stac_xl.records import Grain, OutputRecord, RecordSpec
from stac_xl.writers.base import (
    CHUNK,
    BaseWriter,
    LineSink,
    Newline,
    RecordAt,
    SpecIndex,
    WriterOptions,
    WriteSummary,
    chunks,
    coerce_options,
    composed,
    describe_char,
    field_problem,
    record_type_of,
    values_of,
)
from stac_xl.writers.options import rules

# NameStartChar then NameChar, Unicode letters included; no ':' (that would mean a namespace).
_XML_NAME = re.compile(r"[^\W\d][\w.\-]*")
# Characters XML 1.0 cannot carry at all, not even as &#…; references.
_NOT_XML_CHARS = "".join(map(chr, (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF)))
_NOT_XML = re.compile(f"[{re.escape(_NOT_XML_CHARS)}]")
# U+0338 is written as a reference: as a character it would compose with the '>' before a
# value that starts with it (see _COMPOSES_WITH_TAG) and leave the file without that tag.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;", "\u0338": "&#824;"})
# The chunk layout joins a chunk's values with NUL to escape, compose and encode them as one
# text, then splits the bytes: XML cannot carry a NUL, so a chunk whose values hold one is
# declined, and NUL is the byte 0 in every encoding a writer offers, in no other character's bytes.
_SEPARATOR = "\x00"
_NOT_XML_BESIDES_SEPARATOR = _NOT_XML_CHARS.replace(_SEPARATOR, "")
# U+0338 COMBINING LONG SOLIDUS OVERLAY is the one character that composes (NFC) with markup:
# with the '>' of the tag before a value starting with it ('≯'), and with a value's own < or >.
# A chunk holding it (once composed) goes line by line, which writes it as &#824;. Without it,
# the chunk layout composes and encodes the values apart from their tags and escapes the bytes
# afterwards, which is the same: nothing else composes with < > & CR or ';', no character
# composes into one of them, and they are those bytes in every encoding offered, in no other
# character's bytes.
_COMPOSES_WITH_TAG = "\u0338"
_SLOT, _SKIP = b"%s", b"%.0s"  # a value written / a value consumed and left out
_PARTIALS = 4096  # element templates kept for records with empty values (one per pattern of empties)
_DECLARED = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp1252": "windows-1252"}
_CHILD_GRAINS = {Grain.LINE, Grain.INVOICE_END}


def is_xml_name(name: str) -> bool:
    """True if ``name`` can be an element name (no namespace prefix, not ``xml…``)."""
    return bool(_XML_NAME.fullmatch(name)) and not name.lower().startswith("xml")


def _root_name(value: str) -> str:
    if not is_xml_name(value):
        raise ValueError(f"{value!r} is not a valid XML element name")
    return value


class XmlOptions(WriterOptions):
    """Root element name, nesting of lines inside invoices, and whether empty fields appear."""

    newline: Newline = "\n"
    root: str = "Invoices"
    nest: bool = True
    omit_empty: bool = True

    value_checks = rules(root=_root_name)


class XmlWriter(BaseWriter):
    """Streams ``<root>`` with one element per record, nested by grain when ``nest`` is on."""

    key: ClassVar[str] = "xml"
    title: ClassVar[str] = "XML"
    options_model: ClassVar[type[WriterOptions]] = XmlOptions
    extensions: ClassVar[tuple[str, ...]] = (".xml",)
    extension: str = ".xml"

    def __init__(self, options: XmlOptions | Mapping[str, Any] | None = None):
        self.options: XmlOptions = coerce_options(XmlOptions, options, self.key)

    def write(
        self, specs: Sequence[RecordSpec], records: Iterable[OutputRecord], stream: BinaryIO,
    ) -> WriteSummary:
        """Write the declaration, the root, and every record as an element."""
        _check_names(specs)
        sink = LineSink(stream, self.options)
        root = self.options.root
        sink.write_line(f'<?xml version="1.0" encoding="{_DECLARED[self.options.encoding]}"?>')
        sink.write_line(f"<{root}>")
        index = SpecIndex(specs)
        fast = _Elements(specs, self.options, sink)
        open_parent: str | None = None
        written = 0
        for first, chunk in chunks(records, CHUNK):
            try:
                data, open_parent = fast.lay_out(chunk, open_parent)
            except _Declined:  # element by element: its error at its record and field
                open_parent = self._write_slowly(sink, index, first, chunk, open_parent)
            else:
                sink.write_encoded(data)
            written = first + len(chunk)
        if open_parent is not None:
            sink.write_line(f"  </{open_parent}>")
        sink.write_line(f"</{root}>")
        return WriteSummary(records=written, bytes=sink.bytes)

    def _write_slowly(self, sink: LineSink, index: SpecIndex, first: int, chunk: list[OutputRecord],
                      open_parent: str | None) -> str | None:
        """The chunk line by line, from ``open_parent``; returns the parent left open."""
        for offset, record in enumerate(chunk):
            source = index.locate(first + offset, record)
            nested = self.options.nest and source.spec.grain in _CHILD_GRAINS
            if not nested and open_parent is not None:
                sink.write_line(f"  </{open_parent}>")
                open_parent = None
            if nested and open_parent is None:
                raise WriteProblem(
                    f"Record {source.index + 1} ({source.spec.name}) belongs inside an invoice "
                    "record, but none comes before it.",
                    record_index=source.index, record=source.spec.name,
                )
            is_parent = self.options.nest and source.spec.grain is Grain.INVOICE
            self._element(sink, source, depth=2 if nested else 1, keep_open=is_parent)
            if is_parent:
                open_parent = source.spec.name
        return open_parent

    def _element(self, sink: LineSink, source: RecordAt, *, depth: int, keep_open: bool) -> None:
        """One record's element with a child per field; left open when it will get children."""
        pad = "  " * depth
        name = source.spec.name
        children = [
            (field, value) for field, value in zip(source.spec.field_names, source.values)
            if value or not self.options.omit_empty
        ]
        if not children and not keep_open:
            sink.write_line(f"{pad}<{name}/>", source)
            return
        sink.write_line(f"{pad}<{name}>", source)
        for field, value in children:
            bad = _NOT_XML.search(value)
            if bad:
                raise field_problem(source, field, f"{describe_char(bad.group())} cannot appear in XML.")
            # composed first, so only a U+0338 nothing in the value composes with is left to escape
            sink.write_line(f"{pad}  <{field}>{composed(value).translate(_ESCAPES)}</{field}>", source)
        if not keep_open:
            sink.write_line(f"{pad}</{name}>", source)


class _Declined(Exception):
    """The chunk is not one :class:`_Elements` lays out."""


@dataclass(frozen=True)
class _Layout:
    """One record type's element, its tags composed and encoded once: where it goes, and the
    pieces its %-templates are made of."""

    count: int
    nested: bool  # inside the invoice element before it
    parent: bool  # left open for the records nested in it
    opening: bytes
    empty: bytes
    closing: bytes
    field_opens: tuple[bytes, ...]
    field_closes: tuple[bytes, ...]

    def template(self, present: Sequence[bool]) -> bytes:
        """The element of a record whose values ``present`` are laid out: a ``%s`` for each of
        those, a ``%.0s`` (nothing) for each left out, so every template takes all its record's
        values, as ``_element`` writes it."""
        if not any(present) and not self.parent:
            return self.empty + _SKIP * self.count
        fields = (o + _SLOT + c if p else _SKIP for o, c, p in zip(self.field_opens, self.field_closes, present))
        return self.opening + b"".join(fields) + (b"" if self.parent else self.closing)


class _Elements:
    """A chunk of records as the bytes ``_element`` writes line by line, without a step per
    value: the values composed, encoded and escaped as one text, then %-formatted into one
    template, the record types' element templates joined (worked out once per record type,
    and once per pattern of empty values). It declines (raises :class:`_Declined`) a chunk
    with an unknown record type, a wrong number of values, a value that is not text, a
    character XML cannot carry or the encoding cannot hold, a record nested with no invoice
    before it, or U+0338 (see ``_COMPOSES_WITH_TAG``): the line-by-line layout then names the
    record or field, or writes what composing each line makes of it."""

    def __init__(self, specs: Sequence[RecordSpec], options: XmlOptions, sink: LineSink):
        self._omit_empty = options.omit_empty
        self._encode = sink.encode
        try:
            layouts = {spec.name: _layout(spec, options.nest, sink) for spec in specs}
        except UnicodeEncodeError:  # a name the encoding cannot hold: every chunk line by line, which says so
            layouts = {}
        self._layouts = layouts
        self._counts = {name: layout.count for name, layout in layouts.items()}
        self._wholes = {name: layout.template([True] * layout.count) for name, layout in layouts.items()}
        self._closings = {name: layout.closing for name, layout in layouts.items()}
        self._tops = {name: not layout.nested for name, layout in layouts.items()}
        self._parents = {name for name, layout in layouts.items() if layout.parent}
        self._nesting = any(layout.nested or layout.parent for layout in layouts.values())
        self._partials: dict[tuple[str, tuple[bool, ...]], bytes] = {}

    def lay_out(self, chunk: list[OutputRecord], open_parent: str | None) -> tuple[bytes, str | None]:
        """The chunk's bytes and the invoice element left open after it."""
        names = list(map(record_type_of, chunk))
        values = list(map(values_of, chunk))
        lengths = list(map(len, values))
        if list(map(self._counts.get, names)) != lengths:
            raise _Declined
        total = sum(lengths)
        text = _joined(values, total)
        templates = list(map(self._wholes.__getitem__, names))
        if self._omit_empty:
            self._leave_out_empty(names, values, templates)
        if self._nesting:
            open_parent = self._close_parents(names, templates, open_parent)
        return b"".join(templates) % self._encoded(text, total), open_parent

    def _encoded(self, text: str, total: int) -> tuple[bytes, ...]:
        """The ``total`` values joined in ``text``, in order, as their lines hold them: escaped,
        composed and encoded (in another order, the same bytes: see ``_COMPOSES_WITH_TAG``)."""
        if not total:
            return ()
        text = composed(text)
        if _COMPOSES_WITH_TAG in text:  # after composing: U+2ADC composes into U+2ADD and U+0338
            raise _Declined
        try:
            data = self._encode(text)
        except UnicodeEncodeError:
            raise _Declined from None
        return tuple(_escaped(data).split(_SEPARATOR.encode()))

    def _leave_out_empty(self, names: list[str], values: list[list[str]], templates: list[bytes]) -> None:
        """Each record with an empty value gets the template that leaves its empty elements out."""
        for at in compress(count(), map(not_, map(all, values))):
            present = tuple(map(bool, values[at]))
            key = (names[at], present)
            template = self._partials.get(key)
            if template is None:
                template = self._layouts[names[at]].template(present)
                if len(self._partials) < _PARTIALS:
                    self._partials[key] = template
            templates[at] = template

    def _close_parents(self, names: list[str], templates: list[bytes], open_parent: str | None) -> str | None:
        """Close the open invoice element before each record that is not nested (its template
        gets the closing tag first); returns the one left open. Only those records are visited:
        a nested record is fine exactly when the one before it is an invoice or nested."""
        tops, parents, closings = self._tops, self._parents, self._closings
        at_top = list(compress(count(), map(tops.__getitem__, names)))
        if open_parent is None and (not at_top or at_top[0] > 0):
            raise _Declined  # the chunk starts with nested records and no invoice is open
        last = len(names) - 1
        for at in at_top:
            if open_parent is not None:
                templates[at] = closings[open_parent] + templates[at]
            name = names[at]
            open_parent = name if name in parents else None
            if open_parent is None and at < last and not tops[names[at + 1]]:
                raise _Declined  # a nested record after one that is not an invoice
        return open_parent


def _joined(values: list[list[str]], total: int) -> str:
    """The chunk's ``total`` values joined by the separator; declines a value that is not
    text or holds a character XML cannot carry (the separator included)."""
    try:
        text = _SEPARATOR.join(chain.from_iterable(values))
    except TypeError:  # a value that is not text
        raise _Declined from None
    if text.count(_SEPARATOR) != max(total - 1, 0) or any(map(text.__contains__, _NOT_XML_BESIDES_SEPARATOR)):
        raise _Declined
    return text


def _layout(spec: RecordSpec, nest: bool, sink: LineSink) -> _Layout:
    nested = nest and spec.grain in _CHILD_GRAINS
    parent = nest and spec.grain is Grain.INVOICE
    pad, name, newline = "  " * (2 if nested else 1), spec.name, sink.newline
    return _Layout(
        len(spec.fields), nested, parent,
        opening=_literal(f"{pad}<{name}>{newline}", sink),
        empty=_literal(f"{pad}<{name}/>{newline}", sink),
        closing=_literal(f"{pad}</{name}>{newline}", sink),
        field_opens=tuple(_literal(f"{pad}  <{field}>", sink) for field in spec.field_names),
        field_closes=tuple(_literal(f"</{field}>{newline}", sink) for field in spec.field_names),
    )


def _literal(text: str, sink: LineSink) -> bytes:
    """``text`` as it stands in a %-template: composed and encoded as ``LineSink`` writes it,
    each tag apart from the values and the other tags (they meet at ASCII characters: a tag's
    '>' composes only with a U+0338 after it, which the chunk layout declines, and nothing
    composes with a '<', a space or a line break after it), ``%`` doubled (XML names hold
    none, but a template must not guess)."""
    return sink.encode(composed(text)).replace(b"%", b"%%")


def _escaped(data: bytes) -> bytes:
    """Encoded values escaped as ``_ESCAPES`` escapes text, & first (see ``_COMPOSES_WITH_TAG``):
    bytes replace faster than text that holds a character beyond Latin-1."""
    return data.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;").replace(b"\r", b"&#13;")


def _check_names(specs: Sequence[RecordSpec]) -> None:
    for spec in specs:
        for name in (spec.name, *spec.field_names):
            if not is_xml_name(name):
                raise WriteProblem(
                    f"Record type {spec.name}: {name!r} is not a valid XML element name (start with "
                    "a letter or _, then letters, digits, _ - . only, no spaces, not 'xml…').",
                    record=spec.name, field=None if name == spec.name else name,
                )
