"""One writer at a time on a workbook file: ``with workbook_lock(path): ...``.

A command that writes a workbook takes this lock first, so two of them (two exports started
together, an export and a scheduled run) never both save the book, the second overwriting
the first. The lock is an OS lock (``flock``, or ``msvcrt.locking`` on Windows) on a small
file beside the book, ``.NAME.stac-lock``, which also says who holds it. The OS lets go when
the holder ends in any way, ``kill -9`` included, so a lock file left by a dead process is
stale by construction and the next command just takes it.

Every command that writes a workbook holds it: ``new`` (over an existing book, and for a
new one, against another ``new``), fetch, load-preset, preview, export, run (once, for all
three steps), confirm, undo, batches, each book of the demo, and each ribbon button that
changes the book (:func:`excel_book_lock`). A second one waits a little, saying so, then
says who holds the book.

The locks other programs keep are honoured: Excel's owner file ``~$NAME`` and LibreOffice's
``.~lock.NAME#`` mean the book is open there, and saving it here would be lost or lose
theirs. The ribbon runs inside that Excel, so its lock ignores Excel's file and refuses at
once instead of waiting: the book Excel shows may be older than what the command saves.

Also here: the names of the temp files :class:`stac_xl.book.file.FileWorkbook` saves
through, and :func:`remove_stray_saves`, which removes those a killed save left behind
(safe only while holding the lock: nobody else is saving that book then).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from stac_xl.errors import WorkbookError

WAIT_SECONDS = 30.0
POLL_SECONDS = 0.1
SAVE_PREFIX = ".stac-"  # never "~$": that is Excel's owner-file prefix
_LOCK_OFFSET = 1 << 20  # Windows locks a byte range: one far from the holder's note, which stays readable


@dataclass(frozen=True)
class Holder:
    """Who holds a workbook's lock, as its lock file says."""

    user: str
    machine: str
    pid: int
    since: str
    command: str

    def sentence(self) -> str:
        return f"{self.command or 'stac-xl'} run by {self.user} on {self.machine} since {self.since}"


def lock_file_of(book: Path) -> Path:
    """Our lock file for ``book``."""
    return book.with_name(f".{book.name}.stac-lock")


def excel_owner_file(book: Path) -> Path:
    """The owner file Excel keeps next to a workbook while it is open: ``~$NAME``."""
    return book.with_name("~$" + book.name)


def libreoffice_lock_file(book: Path) -> Path:
    """LibreOffice's lock file for an open document: ``.~lock.NAME#``."""
    return book.with_name(f".~lock.{book.name}#")


def save_temp_prefix(book: Path) -> str:
    """The prefix of the temp files a save of ``book`` writes (the book's name in it, so a
    stray one is known to be this book's and no other's)."""
    return f"{SAVE_PREFIX}{book.name}~"


def remove_stray_saves(book: Path) -> list[Path]:
    """Delete temp files a killed save of ``book`` left beside it; returns those removed.
    Call only while holding :func:`workbook_lock` for ``book``."""
    pattern = re.compile(re.escape(save_temp_prefix(book)) + r"[A-Za-z0-9_]+" + re.escape(book.suffix) + "$")
    removed = []
    for candidate in book.parent.glob(save_temp_prefix(book) + "*"):
        if pattern.match(candidate.name) and candidate.is_file():
            candidate.unlink(missing_ok=True)
            removed.append(candidate)
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, it is someone else's
    return True


def _windows_process_alive(pid: int) -> bool:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return False
    code = ctypes.c_ulong()
    try:
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def _try_lock(handle: IO[bytes]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(_LOCK_OFFSET)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(_LOCK_OFFSET)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def read_holder(book: Path) -> Holder | None:
    """Who the lock file says holds the lock (it may be stale), or None."""
    try:
        data = json.loads(lock_file_of(book).read_text(encoding="utf-8") or "{}")
        return Holder(str(data["user"]), str(data["machine"]), int(data["pid"]), str(data["since"]),
                      str(data.get("command", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def refuse_if_open_elsewhere(book: Path) -> None:
    """WorkbookError if Excel or LibreOffice has ``book`` open."""
    if excel_owner_file(book).exists():
        raise WorkbookError(f"{book} is open in Excel (lock file {excel_owner_file(book).name}). "
                            "Close it there and try again.")
    office = libreoffice_lock_file(book)
    if office.exists():
        who = _libreoffice_user(office)
        raise WorkbookError(f"{book} is open in LibreOffice{who} (lock file {office.name}). "
                            "Close it there and try again.")


def _libreoffice_user(lock: Path) -> str:
    """' by NAME' from LibreOffice's lock file (``,NAME,HOST,USER,DATE,…;``), or ''."""
    try:
        fields = lock.read_text(encoding="utf-8", errors="replace").split(",")
    except OSError:
        return ""
    name = next((f.strip() for f in fields[:3] if f.strip()), "")
    return f" by {name}" if name else ""


def _open_locked(path: Path) -> IO[bytes] | None:
    """The lock file, opened and locked, or None if someone holds it. Retries when the file
    was replaced between open and lock (then the lock is on a file nobody else will see)."""
    handle = open(path, "a+b")  # noqa: SIM115 - held until release
    if not _try_lock(handle):
        handle.close()
        return None
    try:
        same = os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except FileNotFoundError:
        same = False
    if not same:
        handle.close()
        return _open_locked(path)
    return handle


def _write_holder(handle: IO[bytes], command: str) -> None:
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    note = {"user": user, "machine": socket.gethostname(), "pid": os.getpid(),
            "since": datetime.now().strftime("%Y-%m-%d %H:%M:%S"), "command": command}
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps(note).encode("utf-8"))
    handle.flush()


BUSY_ADVICE = "Wait for it to finish and try again."
# For a book open in Excel: what Excel holds may be older than what that command saves.
EXCEL_BUSY_ADVICE = ("Close this workbook without saving, wait for that to finish, then open it again, "
                     "so its work is not saved over.")


@contextmanager
def workbook_lock(book: Path, *, command: str = "stac-xl", wait: float = WAIT_SECONDS,
                  sleep: Callable[[float], None] = time.sleep,
                  clock: Callable[[], float] = time.monotonic,
                  on_wait: Callable[[str], None] | None = None, creating: bool = False) -> Iterator[None]:
    """Hold ``book``'s lock for the block: wait up to ``wait`` seconds for another holder
    (telling ``on_wait`` once, if given, who it waits for), then a WorkbookError saying who
    holds it. Excel or LibreOffice having the book open is a WorkbookError at once.
    ``creating``: the book may not exist yet (a new workbook), its folder must. ``sleep``
    and ``clock`` are what waiting uses (tests pass their own so they do not wait)."""
    if not (book.is_file() or (creating and book.parent.is_dir() and not book.is_dir())):
        yield  # nothing to protect: opening it says what is wrong (missing, a folder, …)
        return
    refuse_if_open_elsewhere(book)
    with _held(book, command, wait, sleep, clock, on_wait, BUSY_ADVICE):
        yield


@contextmanager
def excel_book_lock(book: Path, *, command: str) -> Iterator[None]:
    """The lock for a ribbon button on ``book``, which Excel has open (so its owner file is
    ours to ignore): taken at once, or a WorkbookError saying which command is writing the
    file and to reopen the book once it is done. An unsaved book (a name, no file) needs none."""
    if not book.is_absolute() or not book.is_file():
        yield
        return
    with _held(book, command, 0.0, time.sleep, time.monotonic, None, EXCEL_BUSY_ADVICE):
        yield


@contextmanager
def _held(book: Path, command: str, wait: float, sleep: Callable[[float], None], clock: Callable[[], float],
          on_wait: Callable[[str], None] | None, advice: str) -> Iterator[None]:
    path = lock_file_of(book)
    deadline = clock() + wait
    try:
        handle = _open_locked(path)
        while handle is None:
            holder = read_holder(book)
            who = holder.sentence() if holder else "another stac-xl command"
            if clock() >= deadline:
                raise WorkbookError(f"{book.name} is busy: {who} is using it. {advice}")
            if on_wait is not None:
                on_wait(f"{book.name} is in use by {who}; waiting up to {wait:.0f} seconds for it…")
                on_wait = None
            sleep(POLL_SECONDS)
            handle = _open_locked(path)
    except PermissionError:
        raise WorkbookError(f"Cannot lock {book} (permission denied); check the folder is writable.") from None
    try:
        _write_holder(handle, command)
        yield
    finally:
        # Removed while still locked: a waiter that opened this file sees it is gone once it
        # gets the lock, and starts over on a new one (see _open_locked).
        with contextlib.suppress(OSError):  # Windows keeps an open file; the next holder reuses it
            path.unlink()
        _unlock(handle)
        handle.close()
