"""Export killed with a real SIGKILL at each of its steps, in a child process, and what the next
command makes of it: nothing lost, nothing duplicated, and it says what it did. Also two
exports of one workbook started at the same moment: one file, on one Log row and one batch.

The child is the real ``stac-xl export``; STAC_TEST_CRASH_AT (the export's test-only step
hook) makes it kill itself with signal 9 at the named step.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from invoice_fixtures import EXPORT_DATE
from python_calamine import CalamineWorkbook
from test_preview_export import make_book

from stac_xl.actions.export import CRASH_ENV, STEPS
from stac_xl.actions.ledger import State, ledger_file, open_ledger
from stac_xl.actions.preview import preview
from stac_xl.book.lock import save_temp_prefix
from stac_xl.cli import main

# after these steps the file was in place when the process died; before_file it was not
FILE_WRITTEN = {"after_link", "before_ledger_commit", "before_book_save"}


def stac_xl(*args: str, crash_at: str = "") -> subprocess.Popen[bytes]:
    env = {**os.environ, CRASH_ENV: crash_at}
    return subprocess.Popen([sys.executable, "-m", "stac_xl.cli", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def previewed_book(tmp_path: Path) -> tuple[Path, Path]:
    book, out = tmp_path / "ar.xlsx", tmp_path / "out"
    out.mkdir()
    preview(make_book(book, "quickbooks-iif"), today=EXPORT_DATE)
    return book, out


def export_rows(book: Path) -> list[list]:
    log = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Log").to_python()
    return [row for row in log[1:] if row[1] == "export"]


def batches() -> list:
    ledger = open_ledger(ledger_file(""))
    try:
        return ledger.batches()
    finally:
        ledger.close()


@pytest.mark.parametrize("step", STEPS)
def test_a_kill_at_any_step_is_settled_by_the_next_command(tmp_path, capsys, step):
    book, out = previewed_book(tmp_path)
    child = stac_xl("export", str(book), "--out", str(out), crash_at=step)
    child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL

    assert main(["batches", str(book)]) == 0
    told = capsys.readouterr().err
    if step == "before_book_save":
        assert "The Log sheet was behind the export ledger; added: export of batch 1." in told
    elif step in FILE_WRITTEN:
        assert "Batch 1 was stopped after its file" in told and "it is now recorded as exported" in told
    else:
        assert "Batch 1 was stopped before its file was written; it was removed, and its 2 invoices can be exported again." in told

    # the clerk exports again: a file appears only if none had, and never a second one
    code = main(["export", str(book), "--out", str(out)])
    assert code == (7 if step in FILE_WRITTEN else 0)
    files = sorted(out.iterdir())
    assert len(files) == 1 and files[0].suffix == ".iif", files
    (batch,) = [b for b in batches() if b.state is not State.WRITING]
    assert batch.state is State.EXPORTED and Path(batch.file_path) == files[0]
    assert [b.state for b in batches()] == [State.EXPORTED]
    rows = export_rows(book)
    assert [(row[2], int(row[10])) for row in rows] == [(str(files[0]), batch.id)]
    assert not list(tmp_path.rglob(".stac-*")), "a temp file was left behind"


def test_a_stray_save_of_the_book_is_removed_by_the_next_export(tmp_path):
    book, out = previewed_book(tmp_path)
    # what a save killed between writing its temp file and the rename leaves beside the book
    stray = book.with_name(save_temp_prefix(book) + "k1ll3d_x" + book.suffix)
    stray.write_bytes(b"half a workbook")
    other = tmp_path / (save_temp_prefix(tmp_path / "other.xlsx") + "abcdefgh.xlsx")
    other.write_bytes(b"another book's save in progress")
    assert main(["export", str(book), "--out", str(out)]) == 0
    assert not stray.exists()
    assert other.exists()  # not this book's: left alone


def test_two_exports_of_one_workbook_started_together_write_one_file(tmp_path):
    book, out = previewed_book(tmp_path)
    children = [stac_xl("export", str(book), "--out", str(out)) for _ in range(2)]
    errors = [child.communicate(timeout=120)[1].decode() for child in children]
    assert sorted(child.returncode for child in children) == [0, 7], errors
    refused = errors[[child.returncode for child in children].index(7)]
    assert "are already exported (10041, 10042), 10041 in batch 1" in refused or "already exists" in refused
    (written,) = out.iterdir()
    (batch,) = batches()
    assert Path(batch.file_path) == written and batch.state is State.EXPORTED
    assert [row[2] for row in export_rows(book)] == [str(written)]
