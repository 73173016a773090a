"""The zip container of an .xlsx/.xlsm: parts read from a snapshot, parts written anew,
and parts carried over as their compressed bytes.

Python's :mod:`zipfile` can only copy a member by decompressing and compressing it again,
which for a workbook's big sheets costs more than everything else a command does. So the
reading side uses :mod:`zipfile` for the central directory (it knows every variant) and
hands out each member's raw compressed bytes; the writing side is a small zip writer that
takes either raw bytes with their CRC and sizes, or text streamed through deflate.

Members are written without data descriptors and without Zip64: a workbook part over
4 GiB is far beyond what Excel opens, and such a package is refused with one sentence.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from stac_xl.errors import WorkbookError

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_LIMIT = 0xFFFFFFFF
_UTF8_NAME = 0x800
_DEFLATED = zipfile.ZIP_DEFLATED
# Level 1 deflates sheet XML at several times the speed of the default for ~15 % more bytes.
COMPRESS_LEVEL = 1
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Member:
    """One stored part: where its compressed bytes are in the snapshot, and how to read them."""

    name: str
    method: int
    crc: int
    compressed_size: int
    size: int
    data_offset: int
    dos_time: int
    dos_date: int


def dos_stamp(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    year = min(max(year, 1980), 2107)
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def file_stamp(handle: BinaryIO) -> tuple[int, ...]:
    """What tells one file from another, or the same file after a change."""
    stat = os.fstat(handle.fileno())
    return stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_dev


class ZipSnapshot:
    """A zip package as it was read: its directory, and its members' stored bytes.

    Given the file the bytes came from (``source``: path and :func:`file_stamp`), the bytes
    are not kept: a member is read from the file again when needed, after checking that it
    is still the same file, so a big workbook is not held in memory for the whole command.
    """

    def __init__(self, data: bytes | None, *, source: tuple[Path, tuple[int, ...]] | None = None,
                 handle: BinaryIO | None = None) -> None:
        """Read the directory from ``handle`` (else from ``data``); keep ``data`` only when
        there is no ``source`` file to read the members from again."""
        readable = handle if handle is not None else io.BytesIO(data or b"")
        self._members: dict[str, Member] = {}
        with zipfile.ZipFile(readable) as archive:
            for info in archive.infolist():
                if info.flag_bits & 0x1:
                    raise zipfile.BadZipFile("encrypted member")
                self._members[info.filename] = self._member(info, readable)
        self._data: bytes | None = None if source else data
        self._source = source

    def _member(self, info: zipfile.ZipInfo, readable: BinaryIO) -> Member:
        offset = info.header_offset
        readable.seek(offset)
        header = _LOCAL.unpack(readable.read(_LOCAL.size))
        if header[0] != 0x04034B50:
            raise zipfile.BadZipFile(f"bad local header for {info.filename}")
        start = offset + _LOCAL.size + header[9] + header[10]
        time, date = dos_stamp(info.date_time)
        return Member(info.filename, info.compress_type, info.CRC, info.compress_size, info.file_size,
                      start, time, date)

    @property
    def data(self) -> bytes:
        """The whole package as read."""
        if self._data is not None:
            return self._data
        return self._from_file(0, None)

    def _from_file(self, offset: int, size: int | None) -> bytes:
        assert self._source is not None
        path, stamp = self._source
        try:
            with open(path, "rb") as handle:
                if file_stamp(handle) != stamp:
                    raise WorkbookError(f"{path} was changed by another program while stac_xl worked on it; "
                                        "run the command again.")
                handle.seek(offset)
                return handle.read() if size is None else handle.read(size)
        except FileNotFoundError:
            raise WorkbookError(f"{path} was moved or deleted while stac_xl worked on it; "
                                "put it back and run the command again.") from None

    def head(self, name: str, size: int = 1 << 16) -> str:
        """About the first ``size`` characters of a member's text, without inflating all of it."""
        member = self._members[name]
        raw = self.raw(member)
        if member.method == zipfile.ZIP_STORED:
            return bytes(raw[:size]).decode("utf-8", "ignore")
        return zlib.decompressobj(-15).decompress(raw, size).decode("utf-8", "ignore")

    def chunks(self, name: str, size: int = 1 << 20) -> Iterator[bytes]:
        """A member's content, inflated a piece at a time (for a scan that need not hold it all)."""
        member = self._members[name]
        raw = self.raw(member)
        if member.method == zipfile.ZIP_STORED:
            for at in range(0, len(raw), size):
                yield bytes(raw[at:at + size])
            return
        inflater = zlib.decompressobj(-15)
        for at in range(0, len(raw), size):
            yield inflater.decompress(raw[at:at + size])
        yield inflater.flush()

    def names(self) -> list[str]:
        """Member names in the order they are stored."""
        return list(self._members)

    def __contains__(self, name: str) -> bool:
        return name in self._members

    def member(self, name: str) -> Member:
        """The member called ``name`` (KeyError if absent)."""
        return self._members[name]

    def raw(self, member: Member) -> bytes | memoryview:
        """The member's bytes as stored (compressed)."""
        if self._data is None:
            return self._from_file(member.data_offset, member.compressed_size)
        return memoryview(self._data)[member.data_offset:member.data_offset + member.compressed_size]

    def read(self, name: str) -> bytes:
        """The member's content, decompressed and checked against its CRC."""
        member = self._members[name]
        raw = self.raw(member)
        if member.method == zipfile.ZIP_STORED:
            data = bytes(raw)
        elif member.method == _DEFLATED:
            data = zlib.decompress(raw, -15)
        else:
            raise zipfile.BadZipFile(f"{name} uses compression method {member.method}")
        if zlib.crc32(data) != member.crc:
            raise zipfile.BadZipFile(f"CRC mismatch in {name}")
        return data

    def text(self, name: str) -> str:
        """A member read as UTF-8 XML text."""
        return self.read(name).decode("utf-8")


class ZipWriter:
    """Writes a zip into a seekable binary file, member by member, then the directory."""

    def __init__(self, handle: BinaryIO) -> None:
        self._out = handle
        self._directory: list[bytes] = []
        self._names: set[str] = set()

    def _begin(self, name: str, method: int, dos_time: int, dos_date: int) -> tuple[int, bytes]:
        if name in self._names:
            raise ValueError(f"duplicate zip member {name}")
        self._names.add(name)
        encoded = name.encode("utf-8")
        offset = self._out.tell()
        self._check(offset)
        self._out.write(_LOCAL.pack(0x04034B50, 20, _UTF8_NAME, method, dos_time, dos_date, 0, 0, 0, len(encoded), 0))
        self._out.write(encoded)
        return offset, encoded

    def _end(self, offset: int, encoded: bytes, method: int, stamp: tuple[int, int],
             crc: int, compressed: int, size: int) -> None:
        self._check(compressed)
        self._check(size)
        here = self._out.tell()
        self._out.seek(offset + 14)
        self._out.write(struct.pack("<III", crc, compressed, size))
        self._out.seek(here)
        self._directory.append(_CENTRAL.pack(
            0x02014B50, 20, 20, _UTF8_NAME, method, stamp[0], stamp[1], crc, compressed, size,
            len(encoded), 0, 0, 0, 0, 0, offset) + encoded)

    def copy(self, member: Member, raw: bytes | memoryview) -> None:
        """Carry ``member`` over as it was stored: no decompression, same CRC."""
        offset, encoded = self._begin(member.name, member.method, member.dos_time, member.dos_date)
        self._out.write(raw)
        self._end(offset, encoded, member.method, (member.dos_time, member.dos_date),
                  member.crc, member.compressed_size, member.size)

    def write(self, name: str, chunks: Iterable[str | bytes], *, stamp: tuple[int, int]) -> None:
        """A new member deflated from ``chunks`` (text is encoded as UTF-8) as they come."""
        offset, encoded = self._begin(name, _DEFLATED, *stamp)
        packer = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -15)
        crc = size = compressed = 0
        pending: list[bytes] = []
        pending_size = 0
        for chunk in chunks:
            data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
            pending.append(data)
            pending_size += len(data)
            if pending_size >= _CHUNK:
                crc, size, compressed = self._deflate(packer, b"".join(pending), crc, size, compressed)
                pending, pending_size = [], 0
        crc, size, compressed = self._deflate(packer, b"".join(pending), crc, size, compressed)
        tail = packer.flush()
        self._out.write(tail)
        self._end(offset, encoded, _DEFLATED, stamp, crc, compressed + len(tail), size)

    def _deflate(self, packer: zlib._Compress, data: bytes, crc: int, size: int, compressed: int) -> tuple[int, int, int]:
        out = packer.compress(data)
        self._out.write(out)
        return zlib.crc32(data, crc), size + len(data), compressed + len(out)

    def close(self) -> None:
        """Write the central directory and its end record."""
        start = self._out.tell()
        for entry in self._directory:
            self._out.write(entry)
        length = self._out.tell() - start
        self._check(start + length)
        if len(self._directory) > 0xFFFF:
            raise WorkbookError("The workbook has more than 65,535 parts; Excel cannot open it.")
        count = len(self._directory)
        self._out.write(_END.pack(0x06054B50, 0, 0, count, count, length, start, 0))

    @staticmethod
    def _check(value: int) -> None:
        if value >= _LIMIT:
            raise WorkbookError("The workbook would be larger than 4 GiB, more than Excel can open; "
                                "fetch fewer days at a time.")
