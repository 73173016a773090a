"""The workbook lock: one writer at a time, who holds it is said, Excel's and LibreOffice's lock
files are honoured, and a lock left by a process killed with SIGKILL is taken over."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from stac_xl.book.lock import (
    excel_owner_file,
    libreoffice_lock_file,
    lock_file_of,
    process_alive,
    read_holder,
    workbook_lock,
)
from stac_xl.errors import WorkbookError


class FakeClock:
    """Time that moves only when waited on: the lock's waits, recorded, never slept."""

    def __init__(self) -> None:
        self.now, self.waits = 0.0, []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def test_a_second_holder_waits_then_is_told_who_holds_the_book(tmp_path):
    book = tmp_path / "ar.xlsx"
    book.write_bytes(b"")
    clock = FakeClock()
    with workbook_lock(book, command="stac-xl export"):
        holder = read_holder(book)
        assert holder is not None and holder.command == "stac-xl export"
        with pytest.raises(WorkbookError) as err, workbook_lock(book, wait=2.0, sleep=clock.sleep, clock=clock):
            pass
    assert str(err.value).startswith("ar.xlsx is busy: stac-xl export run by ")
    assert str(err.value).endswith("is using it. Wait for it to finish and try again.")
    assert sum(clock.waits) >= 2.0
    with workbook_lock(book):  # released: the next one gets it at once
        pass
    assert not lock_file_of(book).exists()


def test_a_lock_left_by_a_killed_process_is_stale_and_taken_over(tmp_path):
    book = tmp_path / "ar.xlsx"
    book.write_bytes(b"")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, pathlib\nfrom stac_xl.book.lock import workbook_lock\n"
         f"with workbook_lock(pathlib.Path({str(book)!r})):\n    print('held', flush=True)\n    sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    assert lock_file_of(book).exists() and not process_alive(holder.pid)
    clock = FakeClock()
    with workbook_lock(book, wait=0.0, sleep=clock.sleep, clock=clock):
        assert read_holder(book).pid != holder.pid
    assert clock.waits == []


@pytest.mark.parametrize("program", ["Excel", "LibreOffice"])
def test_a_book_open_in_excel_or_libreoffice_is_refused(tmp_path, program):
    book = tmp_path / "ar.xlsx"
    book.write_bytes(b"")
    if program == "Excel":
        excel_owner_file(book).write_bytes(b"\x05clerk")
    else:
        libreoffice_lock_file(book).write_text(",Dana Clerk,PC-7,dana,01.12.2026 09:00,file:///x;", encoding="utf-8")
    with pytest.raises(WorkbookError) as err, workbook_lock(book):
        pass
    said = str(err.value)
    assert said.startswith(f"{book} is open in {program}") and said.endswith("Close it there and try again.")
    if program == "LibreOffice":
        assert "by Dana Clerk" in said
