"""The Linux half of scripts/smoke-test.ps1: its workbook preparation, step by step.

smoke-test.ps1 runs, with the add-in's Python: ``stac_xl.cli new``, ``set_setting.py``
(Base URL, Days to fetch, Output folder, by name), ``stac_xl.cli fetch`` into a copy, and
``smoke_prepare.py``; then Excel's Fetch, Preview and Export. Here the command line stands in
for Excel's three clicks (the ribbon handlers read the same settings): the prepared book must
fetch exactly the range smoke_prepare.py printed, preview with no error, and export into the
Output folder set by name. What only Excel can show (COM, the message boxes, UsedRange as
Excel computes it) stays on the Windows PC.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from stac_xl.book import layout
from stac_xl.book.file import FileWorkbook
from stac_xl.cli import main
from stac_xl.sandbox import Sandbox, SandboxData
from stac_xl.settings import read_settings

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def script(name: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPTS / name), *map(str, args)], capture_output=True, text=True)


@pytest.fixture()
def sandbox_url() -> Iterator[str]:
    today = datetime.now(ZoneInfo("America/New_York")).date()  # fetch's "today" is the real one
    with Sandbox(SandboxData.generate(invoices=120, seed=1, today=today)) as sandbox:
        yield sandbox.start(0)


def test_set_setting_finds_rows_by_name(tmp_path: Path) -> None:
    book = tmp_path / "smoke.xlsx"
    assert main(["new", str(book), "--preset", "generic-csv"]) == 0
    done = script("set_setting.py", book, "Base URL", "http://127.0.0.1:9/api", "days to fetch", "7",
                  "Output folder", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    settings = read_settings(FileWorkbook.open(book).read_grid(layout.SETTINGS))
    assert (settings.base_url, settings.days_to_fetch, settings.output_folder) == (
        "http://127.0.0.1:9/api", 7, str(tmp_path / "out"))
    assert settings.target_profile == "generic-csv"  # B8, which the old smoke test overwrote


def test_set_setting_refuses_an_unknown_name_and_saves_nothing(tmp_path: Path) -> None:
    book = tmp_path / "smoke.xlsx"
    assert main(["new", str(book)]) == 0
    before = book.read_bytes()
    done = script("set_setting.py", book, "Base URL", "http://x/api", "Ouptut folder", "C:/out")
    assert done.returncode == 2
    assert done.stderr.strip() == f"set_setting: {book} has no setting named 'Ouptut folder' on Settings."
    assert book.read_bytes() == before


def test_the_prepared_book_fetches_the_printed_range_and_exports(
    tmp_path: Path, sandbox_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    memory_keyring: object,
) -> None:
    book, reference, out = tmp_path / "smoke.xlsx", tmp_path / "reference.xlsx", tmp_path / "out"
    out.mkdir()
    assert main(["new", str(book), "--preset", "generic-csv"]) == 0
    done = script("set_setting.py", book, "Base URL", sandbox_url, "Days to fetch", "7", "Output folder", out)
    assert done.returncode == 0, done.stderr
    shutil.copyfile(book, reference)
    for name in ("STAC_USERNAME", "STAC_PASSWORD", "STAC_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("STAC_BASE_URL", raising=False)  # the Base URL setting must be what is used
    # As the smoke test does: Sign in for the workbook's host (a password goes only where it was
    # signed in to, never to a Base URL alone).
    from stac_xl.servicetrade.credentials import store_credentials

    store_credentials("demo", "demo", base_url=sandbox_url)
    assert main(["fetch", str(reference)]) == 0
    prepared = script("smoke_prepare.py", reference, book)
    assert prepared.returncode == 0, prepared.stderr
    expected = prepared.stdout.strip()
    assert expected.startswith("$A$1:$") and expected != "$A$1:$A$1"
    assert len(FileWorkbook.open(book).read_grid(layout.INVOICES)) <= 1  # left for Excel's Fetch

    # Excel's three clicks, by the command line (no --base-url, no --out: the settings).
    assert main(["fetch", str(book)]) == 0
    grid = FileWorkbook.open(book).read_grid(layout.INVOICES)
    assert f"$A$1:${_column(max(map(len, grid)))}${len(grid)}" == expected
    capsys.readouterr()
    assert main(["preview", str(book)]) == 0
    assert " 0 errors" in capsys.readouterr().out
    assert main(["export", str(book)]) == 0
    assert len(list(out.glob("*.csv"))) == 1


def _column(n: int) -> str:
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters
