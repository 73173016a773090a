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
from itertools import chain, compress
from typing import Any, BinaryIO, ClassVar

from stac_xl.errors import EncodingProblem, WriteProblem
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
    describe_char,
    field_problem,
    values_of,
)
from stac_xl.writers.options import rules

# NameStartChar then NameChar, Unicode letters included; no ':' (that would mean a namespace).
_XML_NAME = re.compile(r"[^\W\d][\w.\-]*")
# Characters XML 1.0 cannot carry at all, not even as &#…; references.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ESCAPED = re.compile(r"[&<>\r]")
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
        fast = _Elements(specs, self.options, sink.newline)
        open_parent: str | None = None
        count = 0
        for first, chunk in chunks(records, CHUNK):
            laid_out = fast.lay_out(chunk, open_parent)
            try:
                if laid_out is None:
                    raise _Declined
                sink.write_raw(laid_out[0])
                open_parent = laid_out[1]
            except (_Declined, EncodingProblem):  # element by element: its error at its record and field
                open_parent = self._write_slowly(sink, index, first, chunk, open_parent)
            count = first + len(chunk)
        if open_parent is not None:
            sink.write_line(f"  </{open_parent}>")
        sink.write_line(f"</{root}>")
        return WriteSummary(records=count, bytes=sink.bytes)

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
            sink.write_line(f"{pad}  <{field}>{value.translate(_ESCAPES)}</{field}>", source)
        if not keep_open:
            sink.write_line(f"{pad}</{name}>", source)


class _Declined(Exception):
    """The chunk is not one :class:`_Elements` lays out."""


@dataclass(frozen=True)
class _Layout:
    """One record type's element, its text worked out once: where it goes and its tags."""

    count: int
    nested: bool  # inside the invoice element before it
    parent: bool  # left open for the records nested in it
    opening: str
    empty: str
    closing: str
    field_opens: tuple[str, ...]
    field_closes: tuple[str, ...]
    whole: str  # the element with every field, a %s per value: for a record with no empty value


class _Elements:
    """A chunk of records as one text, the elements ``_element`` writes line by line: tags
    worked out per record type, a record's field lines joined in C, values escaped only in
    the records that hold ``& < >`` or CR. It declines (returns None) a chunk with a
    character XML cannot carry, a record nested with no invoice before it, an unknown record
    type, a wrong number of values or a value that is not text: the line-by-line layout
    then names the record or field."""

    def __init__(self, specs: Sequence[RecordSpec], options: XmlOptions, newline: str):
        self._omit_empty = options.omit_empty
        self._layouts = {spec.name: _layout(spec, options.nest, newline) for spec in specs}

    def lay_out(self, chunk: list[OutputRecord], open_parent: str | None) -> tuple[str, str | None] | None:
        """The chunk's text and the invoice element left open after it, or None."""
        values = list(map(values_of, chunk))
        try:
            text = "".join(chain.from_iterable(values))
        except TypeError:
            return None
        if _NOT_XML.search(text):
            return None
        escaping = _ESCAPED.search(text) is not None
        layouts, pieces = self._layouts, []
        for record, cells in zip(chunk, values):
            layout = layouts.get(record.record)
            if layout is None or layout.count != len(cells):
                return None
            if layout.nested:
                if open_parent is None:
                    return None
            elif open_parent is not None:
                pieces.append(layouts[open_parent].closing)
                open_parent = None
            if escaping and _ESCAPED.search("".join(cells)):
                cells = [_escaped(cell) for cell in cells]
            if not self._omit_empty or all(cells):
                pieces.append(layout.whole % tuple(cells))
                if layout.parent:
                    open_parent = record.record
                continue
            fields = zip(compress(layout.field_opens, cells), filter(None, cells), compress(layout.field_closes, cells))
            inner = "".join(chain.from_iterable(fields))
            if layout.parent:
                pieces.append(layout.opening + inner)
                open_parent = record.record
            else:
                pieces.append(layout.opening + inner + layout.closing if inner else layout.empty)
        return "".join(pieces), open_parent


def _layout(spec: RecordSpec, nest: bool, newline: str) -> _Layout:
    nested = nest and spec.grain in _CHILD_GRAINS
    parent = nest and spec.grain is Grain.INVOICE
    pad, name = "  " * (2 if nested else 1), spec.name
    opening, empty, closing = f"{pad}<{name}>{newline}", f"{pad}<{name}/>{newline}", f"{pad}</{name}>{newline}"
    opens = tuple(f"{pad}  <{field}>" for field in spec.field_names)
    closes = tuple(f"</{field}>{newline}" for field in spec.field_names)
    if not spec.fields:  # an empty element, or an invoice element left open for its lines
        whole = _literal(opening if parent else empty)
    else:
        whole = _literal(opening) + "".join(_literal(o) + "%s" + _literal(c) for o, c in zip(opens, closes))
        whole += "" if parent else _literal(closing)
    return _Layout(len(spec.fields), nested, parent, opening, empty, closing, opens, closes, whole)


def _literal(text: str) -> str:
    """``text`` as it stands in a %-template (XML names hold no %, but a template must not guess)."""
    return text.replace("%", "%%")


def _escaped(value: str) -> str:
    """``value.translate(_ESCAPES)``, as four replaces (& first): faster on short text."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _check_names(specs: Sequence[RecordSpec]) -> None:
    for spec in specs:
        for name in (spec.name, *spec.field_names):
            if not is_xml_name(name):
                raise WriteProblem(
                    f"Record type {spec.name}: {name!r} is not a valid XML element name (start with "
                    "a letter or _, then letters, digits, _ - . only, no spaces, not 'xml…').",
                    record=spec.name, field=None if name == spec.name else name,
                )
