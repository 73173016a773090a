"""The writer contract, the options every writer shares, and the text/encoding plumbing.

A writer turns :class:`~stac_xl.records.OutputRecord` lists into the bytes of one import
file kind. It owns layout, encoding and line endings, the Settings rows it reads
(:mod:`stac_xl.writers.rows`) and the invariants of its format (:meth:`Writer.check`). It
never changes a value (no truncation, no character replacement): whatever cannot be laid
out faithfully is a :class:`~stac_xl.errors.WriteProblem` naming the record and the field,
because the clerk must fix the data, not receive a subtly different file.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, islice, repeat
from operator import attrgetter, eq
from typing import Any, BinaryIO, ClassVar, Literal, Protocol, TypeVar, runtime_checkable

from stac_xl.errors import ConfigError, EncodingProblem, WriteProblem
from stac_xl.problems import Problem
from stac_xl.records import OutputRecord, RecordSpec
from stac_xl.writers.options import InvalidOptions, OptionError, TypedOptions, rules
from stac_xl.writers.rows import ENCODING, LINE_ENDING, WriterSetting

Encoding = Literal["utf-8", "utf-8-sig", "cp1252"]
Newline = Literal["\r\n", "\n"]

# Words a clerk may type on the Settings sheet for the same encoding / line ending.
_ENCODING_ALIASES = {
    "utf-8": "utf-8", "utf8": "utf-8",
    "utf-8-sig": "utf-8-sig", "utf8-sig": "utf-8-sig", "utf-8 bom": "utf-8-sig", "utf-8-bom": "utf-8-sig",
    "cp1252": "cp1252", "windows-1252": "cp1252", "ansi": "cp1252",
}
_NEWLINE_ALIASES = {"crlf": "\r\n", "\r\n": "\r\n", "lf": "\n", "\n": "\n"}


@dataclass(frozen=True)
class WriteSummary:
    """What a write produced: records written (definition/header rows excluded) and bytes."""

    records: int
    bytes: int


def _encoding_word(value: Any) -> Any:
    if isinstance(value, str):
        return _ENCODING_ALIASES.get(value.strip().lower(), value)
    return value


def _newline_word(value: Any) -> Any:
    if isinstance(value, str):
        return _NEWLINE_ALIASES.get(value.strip(" ").lower(), value)
    return value


class WriterOptions(TypedOptions):
    """Options every writer takes. Subclasses add their own and may change the defaults.

    Unknown options are refused (:meth:`model_validate`) so a typo is an error, not a
    silent default.
    """

    encoding: Encoding = "utf-8"
    newline: Newline = "\r\n"

    clerk_words = rules(encoding=_encoding_word, newline=_newline_word)


OptionsT = TypeVar("OptionsT", bound=WriterOptions)


def coerce_options(model: type[OptionsT], options: OptionsT | Mapping[str, Any] | None, key: str) -> OptionsT:
    """Validate ``options`` (a model, a plain mapping, or ``None`` = defaults) for writer ``key``.

    A bad or unknown option becomes a :class:`ConfigError` naming it and listing the known
    options, because options come from the Settings sheet or a profile the clerk can edit.
    """
    if isinstance(options, model):
        return options
    raw = options.model_dump() if isinstance(options, TypedOptions) else dict(options or {})
    try:
        return model.model_validate(raw)
    except InvalidOptions as exc:
        known = ", ".join(model.model_fields)
        problems = "; ".join(_describe_option_error(err) for err in exc.errors)
        raise ConfigError(f"Writer '{key}': {problems}. Known options: {known}.") from exc


def _describe_option_error(err: OptionError) -> str:
    name = ".".join(str(part) for part in err.loc) or "options"
    if err.type == "extra_forbidden":
        return f"unknown option '{name}'"
    return f"option '{name}' {err.msg[0].lower()}{err.msg[1:]}"


@runtime_checkable
class Writer(Protocol):
    """The contract every import-file writer keeps (checked by tests/test_writers_contract.py).

    ``extension`` is the class's default; an instance may report another one when an option
    overrides it (delimited ``.txt``), so callers name files from the instance.
    """

    key: ClassVar[str]
    title: ClassVar[str]
    options_model: ClassVar[type[WriterOptions]]
    settings: ClassVar[tuple[WriterSetting, ...]]  # the Settings rows this writer reads
    extensions: ClassVar[tuple[str, ...]]  # every extension its files may have, dot included

    def __init__(self, options: Any = None) -> None:
        """Made with an ``options_model`` instance, a plain mapping of options, or None."""
        ...

    @property
    def extension(self) -> str:
        """The file extension, dot included; options may change it from the class default."""
        ...

    @property
    def options(self) -> WriterOptions:
        """The validated options this writer was made with."""
        ...

    def write(
        self, specs: Sequence[RecordSpec], records: Iterable[OutputRecord], stream: BinaryIO,
    ) -> WriteSummary:
        """Write ``records`` (laid out per their ``specs``) to ``stream``; return counts."""
        ...

    def check(self, specs: Sequence[RecordSpec], records: Sequence[OutputRecord]) -> list[Problem]:
        """What the file kind itself forbids in these records (IIF: a transaction that does
        not sum to zero), as problems Preview and Export show; a profile's *Balance check*
        setting, when set, takes its place."""
        ...

    def settings_problem(self) -> str | None:
        """Why options each fine alone cannot work together, as a sentence naming the
        Settings rows (the profile prefixes ``Settings:``), or None."""
        ...


class BaseWriter:
    """What a writer inherits unless it says otherwise: the Settings rows every file kind
    reads, no invariants beyond what ``write`` refuses, no option combinations to refuse."""

    settings: ClassVar[tuple[WriterSetting, ...]] = (ENCODING, LINE_ENDING)
    #: The extensions this file kind may be written with (File extension chooses among
    #: them); a class that declares none may have only its own ``extension``.
    extensions: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("extensions"):
            cls.extensions = (str(getattr(cls, "extension", "")),)

    def check(self, specs: Sequence[RecordSpec], records: Sequence[OutputRecord]) -> list[Problem]:
        """No problems: ``write`` itself refuses what cannot be laid out."""
        return []

    def settings_problem(self) -> str | None:
        """None: each option is checked alone, and that is all this file kind needs."""
        return None


def describe_char(char: str) -> str:
    """``'→' (U+2192 RIGHTWARDS ARROW)``: a character as a clerk and a developer can find it."""
    name = unicodedata.name(char, "unnamed character")
    shown = char if char.isprintable() else repr(char)[1:-1]
    return f"'{shown}' (U+{ord(char):04X} {name})"


def composed(text: str) -> str:
    """``text`` as a file holds it: NFC, so an e followed by a combining accent is the one
    é Windows-1252 has (the same characters; every writer encodes this)."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def unencodable(text: str, encoding: str) -> list[str]:
    """The characters of ``text`` (composed, as written) that ``encoding`` cannot hold, each
    once, in order; none when it can hold them all. The one test of encodability: the
    writers refuse what it finds and validation flags the same cells on Preview.

    ``encoding`` may be any name :class:`WriterOptions` accepts (``utf-8-sig``, ``ANSI``…)."""
    codec = _codec(_ENCODING_ALIASES.get(encoding.strip().lower(), encoding))
    text = composed(text)
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return list(dict.fromkeys(c for c in text if not _holds(c, codec)))
    return []


def _holds(char: str, codec: str) -> bool:
    try:
        char.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def check_encodable(text: str, encoding: str) -> str | None:
    """A description of the first character ``encoding`` cannot represent, else None."""
    bad = unencodable(text, encoding)
    if not bad:
        return None
    return f"{describe_char(bad[0])} at position {composed(text).index(bad[0]) + 1}"


def _codec(encoding: str) -> str:
    # The BOM is written once by LineSink; "utf-8-sig".encode() would repeat it per line.
    return "utf-8" if encoding == "utf-8-sig" else encoding


@dataclass(frozen=True, slots=True)
class RecordAt:
    """Where a line comes from: the record's 0-based index, its spec and its values."""

    index: int
    spec: RecordSpec
    values: Sequence[str]


class LineSink:
    """Encodes text lines to a binary stream with one encoding and newline, counting bytes.

    Encoding happens line by line so a 100,000-record file never sits in memory, and so a
    failure can name the record and field the bad character came from.
    """

    def __init__(self, stream: BinaryIO, options: WriterOptions):
        self._stream = stream
        self._codec = _codec(options.encoding)
        self._bom = options.encoding == "utf-8-sig"
        self.newline: str = options.newline
        self.bytes = 0

    def write_line(self, text: str, source: RecordAt | None = None) -> None:
        """Write ``text`` plus the newline; an unencodable character names ``source``'s field."""
        self.write_raw(text + self.newline, source)

    def write_raw(self, text: str, source: RecordAt | None = None) -> None:
        """Write ``text`` (composed, :func:`composed`) as is: it carries its own newline, e.g. a csv row."""
        try:
            data = self.encode(composed(text))
        except UnicodeEncodeError as exc:
            raise self._encoding_problem(text, exc, source) from exc
        self.write_encoded(data)

    def encode(self, text: str) -> bytes:
        """``text``, already composed, in this sink's encoding (no BOM): UnicodeEncodeError
        for a character it cannot hold. ASCII text is the same bytes in every encoding a
        writer offers, and Python's ASCII encoder copies it where the cp1252 one looks up
        each character."""
        return text.encode("ascii" if text.isascii() else self._codec)

    def write_encoded(self, data: bytes) -> None:
        """Write bytes from :meth:`encode` (XML encodes its tags once per record type, not
        once per element; fixed width has checked its text is composed already)."""
        if self._bom:
            data = b"\xef\xbb\xbf" + data
            self._bom = False
        self._stream.write(data)
        self.bytes += len(data)

    def _encoding_problem(self, text: str, exc: UnicodeEncodeError, source: RecordAt | None) -> EncodingProblem:
        if source is not None:
            for name, value in zip(source.spec.field_names, source.values):
                bad = check_encodable(value, self._codec)
                if bad:
                    return EncodingProblem(
                        f"Record {source.index + 1} ({source.spec.name}), field {name}: {bad} "
                        f"cannot be written in {self._codec}; change the value or the Encoding setting.",
                        record_index=source.index, record=source.spec.name, field=name,
                    )
        return EncodingProblem(
            f"{describe_char(text[exc.start])} cannot be written in {self._codec}; "
            "change the Encoding setting.",
        )


CHUNK = 2000  # records laid out and encoded at once: large enough to amortise, small in memory
record_type_of = attrgetter("record")
values_of = attrgetter("values")


K = TypeVar("K")
T = TypeVar("T")


def grouped(keys: Sequence[K], items: Sequence[T]) -> dict[K, list[T]]:
    """``items`` by their ``keys`` (record types, value counts), each group in order, so a
    chunk can be laid out column by column per group: one pass in C per key, where a loop
    appending each item would step through Python per item."""
    return {key: list(compress(items, map(eq, keys, repeat(key)))) for key in dict.fromkeys(keys)}


def in_key_order(keys: Sequence[K], groups: Mapping[K, Iterable[T]]) -> list[T]:
    """The items of ``groups`` (as :func:`grouped` made them, or made from them, one item for
    one) back in the order of ``keys``."""
    taken = {key: iter(group) for key, group in groups.items()}
    items = list(map(next, map(taken.__getitem__, keys)))
    if len(items) != len(keys):  # a group ran out: map ends quietly when next() does
        raise ValueError(f"{len(keys)} keys but {len(items)} grouped items")
    return items


def chunks(records: Iterable[OutputRecord], size: int = CHUNK) -> Iterator[tuple[int, list[OutputRecord]]]:
    """``(index of the first record, records)`` pieces of at most ``size`` records, in order."""
    it, first = iter(records), 0
    while chunk := list(islice(it, size)):
        yield first, chunk
        first += len(chunk)


class SpecIndex:
    """Finds each record's spec and checks its value count, naming the record on failure."""

    def __init__(self, specs: Sequence[RecordSpec]):
        self.specs = list(specs)
        self._by_name = {spec.name: spec for spec in specs}

    def locate(self, index: int, record: OutputRecord) -> RecordAt:
        """The record with its spec; an unknown record type or wrong value count is a WriteProblem."""
        spec = self._by_name.get(record.record)
        if spec is None:
            known = ", ".join(self._by_name) or "none"
            raise WriteProblem(
                f"Record {index + 1} is of type '{record.record}', which the Mapping does not define "
                f"(record types: {known}).", record_index=index, record=record.record,
            )
        if len(record.values) != len(spec.fields):
            raise WriteProblem(
                f"Record {index + 1} ({spec.name}) has {len(record.values)} values but "
                f"{spec.name} has {len(spec.fields)} fields.", record_index=index, record=spec.name,
            )
        return RecordAt(index, spec, record.values)


def field_problem(source: RecordAt, field: str, what: str) -> WriteProblem:
    """A WriteProblem for one field of one record, worded the same way by every writer."""
    return WriteProblem(
        f"Record {source.index + 1} ({source.spec.name}), field {field}: {what}",
        record_index=source.index, record=source.spec.name, field=field,
    )
