"""Import-file writers: one module per file kind, found by key through this registry.

    from stac_xl.writers import get_writer
    writer = get_writer("delimited")({"delimiter": ";", "quoting": "all"})
    summary = writer.write(specs, records, binary_stream)

Every registered class keeps the :class:`~stac_xl.writers.base.Writer` contract; the
contract test runs over :func:`writer_keys`, so a new writer is tested by registering it.
"""

from __future__ import annotations

from stac_xl.errors import ConfigError
from stac_xl.writers.base import (
    EncodingProblem,
    WriteProblem,
    Writer,
    WriterOptions,
    WriteSummary,
    check_encodable,
)
from stac_xl.writers.delimited import DelimitedWriter
from stac_xl.writers.fixed_width import FixedWidthWriter
from stac_xl.writers.iif import IifWriter
from stac_xl.writers.xml import XmlWriter

_REGISTRY: dict[str, type[Writer]] = {
    cls.key: cls for cls in (DelimitedWriter, FixedWidthWriter, IifWriter, XmlWriter)
}


def writer_keys() -> list[str]:
    """The keys of every registered writer, in registration order."""
    return list(_REGISTRY)


def get_writer(key: str) -> type[Writer]:
    """The writer class registered under ``key`` (case and spaces forgiven).

    An unknown key is a :class:`ConfigError` listing the known ones, since the key comes
    from a profile or the Settings sheet.
    """
    normal = key.strip().lower().replace("_", "-").replace(" ", "-")
    try:
        return _REGISTRY[normal]
    except KeyError:
        known = ", ".join(_REGISTRY)
        raise ConfigError(f"Unknown file kind {key!r}; known kinds: {known}.") from None


__all__ = [
    "EncodingProblem", "WriteProblem", "WriteSummary", "Writer", "WriterOptions",
    "check_encodable", "get_writer", "writer_keys",
]
