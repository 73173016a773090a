"""A workbook too big to unpack is refused before anything reads it.

An .xlsx is a zip, and a zip can say little and unpack to a lot: 300 KB that become two
million cells, or one part that inflates a thousandfold. Workbooks are emailed between
clerks, so before the file adapter reads a single part, :func:`refuse_oversized` checks
what the package's directory declares (the number of parts, their unpacked total, each
part's packing ratio) and, where the file is big enough for a lie to matter, that no part
unpacks to more than it declares.

The limit is ``STAC_MAX_WORKBOOK_MB`` (default 1024) and deliberately not a row on the
*Settings* sheet: a limit that the workbook being judged sets for itself protects nothing,
and reading it would mean unpacking the workbook first.
"""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path

from stac_xl.errors import ConfigError, WorkbookError

ENV_LIMIT = "STAC_MAX_WORKBOOK_MB"
DEFAULT_LIMIT_MB = 1024
LARGEST_LIMIT_MB = 4096  # what a zip without Zip64 holds, which is all Excel writes here
MOST_PARTS = 10_000  # Excel's own books have tens; a few thousand pictures still fit
# Sheets Excel saves pack 5 to 20 times smaller (every cell names its own address, so even a
# sheet of one value repeated stays near 20); past 100 (Apache POI's limit too) a part was
# made to explode, like two million address-less cells in 130 KB.
HIGHEST_RATIO = 100
RATIO_GRACE = 1 << 20  # parts this small may pack as tightly as they like: they cannot hurt
DEFLATE_MOST = 1032  # no deflate stream unpacks to more than this times its size
_CHUNK = 1 << 20


def limit_bytes(env: Mapping[str, str] | None = None) -> int:
    """The unpacked size past which a workbook is refused: ``STAC_MAX_WORKBOOK_MB`` or 1 GB."""
    text = (os.environ if env is None else env).get(ENV_LIMIT, "").strip()
    if not text:
        return DEFAULT_LIMIT_MB << 20
    if not text.isdigit() or not 1 <= int(text) <= LARGEST_LIMIT_MB:
        raise ConfigError(f"{ENV_LIMIT} must be a whole number of megabytes from 1 to {LARGEST_LIMIT_MB}, "
                          f"not '{text[:20]}'.")
    return int(text) << 20


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MB" if size >= 1 << 20 else f"{size / (1 << 20):.1f} MB"


def refuse_oversized(path: Path, data: bytes, env: Mapping[str, str] | None = None) -> None:
    """WorkbookError if the workbook ``data`` (the file ``path``) would unpack past the limit,
    has too many parts, or holds a part packed beyond any honest ratio. A file that is not a
    zip at all is left to the adapter's own sentence."""
    limit = limit_bytes(env)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return
    if len(members) > MOST_PARTS:
        raise WorkbookError(f"{path.name} is made of {len(members):,} parts, more than the {MOST_PARTS:,} any "
                            "workbook needs; stac_xl does not open it (ask whoever sent it for the workbook itself).")
    declared = sum(m.file_size for m in members)
    if declared > limit or len(data) > limit:
        raise WorkbookError(f"{path.name} unpacks to {_megabytes(max(declared, len(data)))}, more than the "
                            f"{_megabytes(limit)} stac_xl opens; fetch fewer days into it or start a new workbook "
                            f"(or set {ENV_LIMIT} to a higher number of megabytes).")
    for member in members:
        if member.file_size > RATIO_GRACE and member.file_size > HIGHEST_RATIO * max(member.compress_size, 1):
            raise _bomb(path, member.file_size // max(member.compress_size, 1))
    # A part may unpack to more than it declares; bounded by deflate itself, that only matters
    # once the file is big enough to exceed the limit that way.
    if sum(m.compress_size for m in members) * DEFLATE_MOST > limit:
        for member in members:
            _refuse_if_longer(path, data, member)


def _bomb(path: Path, ratio: int) -> WorkbookError:
    return WorkbookError(f"{path.name} holds a part that unpacks to {ratio:,} times its packed size, which no "
                         "saved workbook does; stac_xl does not open it (ask whoever sent it to save it again "
                         "in Excel).")


def _refuse_if_longer(path: Path, data: bytes, member: zipfile.ZipInfo) -> None:
    """Unpack ``member`` (discarding what comes out) just past its declared size."""
    if member.compress_type != zipfile.ZIP_DEFLATED:
        return  # stored parts are their own size; other methods the adapter refuses itself
    start = _data_offset(data, member)
    if start is None:
        return
    raw = memoryview(data)[start:start + member.compress_size]
    inflater = zlib.decompressobj(-15)
    seen = 0
    try:
        while raw and seen <= member.file_size:
            seen += len(inflater.decompress(raw, _CHUNK))
            raw = memoryview(inflater.unconsumed_tail)
        seen += len(inflater.flush())  # what was pending when the input ran out: 32 KB at most
    except zlib.error:
        return  # a broken stream is the adapter's to report
    if seen > member.file_size:
        raise _bomb(path, seen // max(member.compress_size, 1))


def _data_offset(data: bytes, member: zipfile.ZipInfo) -> int | None:
    """Where ``member``'s packed bytes start, after its local header (None if that is broken)."""
    at = member.header_offset
    header = data[at:at + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        return None
    return at + 30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
