"""A scheduled `stac-xl run` against the sandbox never exports an invoice twice, and an Export
after a Fetch of another range, without Preview, is refused with no file."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from stac_xl.book.file import FileWorkbook
from stac_xl.cli import main
from stac_xl.presets import load_preset
from stac_xl.sandbox import Sandbox, SandboxData
from stac_xl.sandbox.clerk import fill_sandbox_lookups

TODAY = date(2026, 3, 20)


@pytest.fixture
def book_and_sandbox(tmp_path, monkeypatch):
    monkeypatch.setenv("STAC_USERNAME", "demo")
    monkeypatch.setenv("STAC_PASSWORD", "demo")
    path = tmp_path / "ar.xlsx"
    book = FileWorkbook.create(path)
    load_preset(book, "generic-csv")
    book.save()
    with Sandbox(SandboxData.generate(invoices=80, seed=5, today=TODAY)) as sandbox:
        url = sandbox.start(0)
        # the clerk's customer numbers and accounts, for every customer of the last two weeks
        assert main(["fetch", str(path), *days(TODAY - timedelta(days=13), TODAY), "--base-url", url]) == 0
        book = FileWorkbook.open(path)
        fill_sandbox_lookups(book)
        book.save()
        yield path, url


def days(first: date, last: date) -> list[str]:
    return ["--from", first.isoformat(), "--to", last.isoformat()]


def test_run_twice_on_the_same_range_exports_each_invoice_once(tmp_path, book_and_sandbox, capsys):
    path, url = book_and_sandbox
    week = days(TODAY - timedelta(days=6), TODAY)
    out = tmp_path / "out"
    out.mkdir()
    assert main(["run", str(path), *week, "--base-url", url, "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["run", str(path), *week, "--base-url", url, "--out", str(out)]) == 7
    assert "Nothing to export: the last Preview left every invoice out" in capsys.readouterr().err
    assert len(list(out.iterdir())) == 1


def test_export_after_fetching_another_range_without_preview_is_refused(tmp_path, book_and_sandbox, capsys):
    path, url = book_and_sandbox
    assert main(["fetch", str(path), *days(TODAY - timedelta(days=13), TODAY - timedelta(days=7)), "--base-url", url]) == 0
    assert main(["preview", str(path)]) == 0
    assert main(["fetch", str(path), *days(TODAY - timedelta(days=6), TODAY), "--base-url", url]) == 0
    capsys.readouterr()
    assert main(["export", str(path), "--out", str(tmp_path)]) == 7
    assert capsys.readouterr().err.strip().splitlines()[-1] == (  # after Export's progress lines
        "stac-xl: Invoices changed since the last Preview: click Preview, check, then Export.")
    assert not list(tmp_path.glob("*.csv"))
