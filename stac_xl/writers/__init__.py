"""Import-file writers: one module per file kind, found by key through this registry.

    from stac_xl.writers import get_writer
    writer = get_writer("delimited")({"delimiter": ";", "quoting": "all"})
    summary = writer.write(specs, records, binary_stream)

Every registered class keeps the :class:`~stac_xl.writers.base.Writer` contract; the
contract test runs over :func:`writer_keys`, so a new writer is tested by registering it.
A new file kind is a module here (a class inheriting :class:`~stac_xl.writers.base.BaseWriter`
with its options model and its Settings rows) and one :func:`register_writer` call: the
Settings table, the profile and Load preset find its rows through :func:`setting_rows`.
"""

from __future__ import annotations

from stac_xl.errors import ConfigError, EncodingProblem, WriteProblem
from stac_xl.writers.base import BaseWriter, Writer, WriterOptions, WriteSummary, check_encodable
from stac_xl.writers.delimited import DelimitedWriter
from stac_xl.writers.fixed_width import FixedWidthWriter
from stac_xl.writers.iif import IifWriter
from stac_xl.writers.import_file import refused_extensions
from stac_xl.writers.rows import WriterSetting
from stac_xl.writers.xml import XmlWriter

_REGISTRY: dict[str, type[Writer]] = {}


def _normal(key: str) -> str:
    return key.strip().lower().replace("_", "-").replace(" ", "-")


def register_writer(cls: type[Writer]) -> type[Writer]:
    """Make ``cls`` a file kind the Settings can choose (``File type``); returns it, so it
    works as a class decorator. A key already taken, no ``extensions`` or one that is a
    program's (:func:`refused_extensions`), or a Settings row name
    another writer declares differently, is a programmer's mistake: ValueError."""
    if cls.key != _normal(cls.key) or not cls.key:
        raise ValueError(f"writer key {cls.key!r} must be lower case, words joined by '-'")
    if cls.key in _REGISTRY:
        raise ValueError(f"a writer is already registered as {cls.key!r}")
    if not cls.extensions or refused_extensions(cls.extensions):
        raise ValueError(f"writer {cls.key!r} must declare its extensions, each a dot and a lower-case word, "
                         "and never a program's or a script's")
    declared = {row.name.lower(): row for row in setting_rows()}
    for row in cls.settings:
        other = declared.get(row.name.lower())
        if other is not None and other is not row:
            raise ValueError(f"writer {cls.key!r} declares the Settings row {row.name!r}, which another "
                             "writer declares differently; share that writer's row instead")
    _REGISTRY[cls.key] = cls
    return cls


def unregister_writer(key: str) -> None:
    """Forget the writer registered as ``key`` (a test's throwaway writer); unknown keys are ignored."""
    _REGISTRY.pop(_normal(key), None)


def writer_keys() -> list[str]:
    """The keys of every registered writer, in registration order."""
    return list(_REGISTRY)


def get_writer(key: str) -> type[Writer]:
    """The writer class registered under ``key`` (case and spaces forgiven).

    An unknown key is a :class:`ConfigError` listing the known ones, since the key comes
    from a profile or the Settings sheet.
    """
    try:
        return _REGISTRY[_normal(key)]
    except KeyError:
        known = ", ".join(_REGISTRY)
        raise ConfigError(f"Unknown file kind {key!r}; known kinds: {known}.") from None


def setting_rows() -> list[WriterSetting]:
    """Every Settings row a registered writer reads, once each, in registration order."""
    rows: dict[int, WriterSetting] = {}
    for cls in _REGISTRY.values():
        for row in cls.settings:
            rows.setdefault(id(row), row)
    return list(rows.values())


def writers_reading(row: WriterSetting) -> list[str]:
    """The keys of the registered writers that read ``row``."""
    return [key for key, cls in _REGISTRY.items() if any(declared is row for declared in cls.settings)]


for _shipped in (DelimitedWriter, FixedWidthWriter, IifWriter, XmlWriter):
    register_writer(_shipped)

__all__ = [
    "BaseWriter", "EncodingProblem", "WriteProblem", "WriteSummary", "Writer", "WriterOptions", "WriterSetting",
    "check_encodable", "get_writer", "register_writer", "setting_rows", "unregister_writer", "writer_keys",
    "writers_reading",
]
