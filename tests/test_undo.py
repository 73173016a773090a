"""Undo export and the list of batches: a voided batch's invoices export again, its file is set
aside, a confirmed batch needs --force and says what it cannot undo."""

from __future__ import annotations

from datetime import datetime

from invoice_fixtures import EXPORT_DATE
from test_preview_export import log_rows, make_book

from stac_xl.actions.ledger import State, ledger_file, open_ledger
from stac_xl.actions.preview import preview
from stac_xl.book.file import FileWorkbook
from stac_xl.cli import main

NOW = datetime(2024, 3, 20, 17, 5, 0)


def exported(tmp_path):
    path = tmp_path / "ar.xlsx"
    preview(make_book(path, "generic-csv"), today=EXPORT_DATE)
    assert main(["export", str(path), "--out", str(tmp_path)]) == 0
    (written,) = tmp_path.glob("*.csv")
    return path, written


def test_undo_voids_the_batch_sets_its_file_aside_and_frees_its_invoices(tmp_path, capsys):
    path, written = exported(tmp_path)
    assert main(["undo", str(path), "--batch", "1"]) == 0
    out = capsys.readouterr().out
    assert "Batch 1 is void: its 2 invoices can be exported again." in out
    assert not written.exists() and written.with_name(written.name + ".void").exists()
    ledger = open_ledger(ledger_file(""))
    assert ledger.batch(1).state is State.VOIDED
    ledger.close()
    assert [row[10] for row in log_rows(path, "void")] == [1]
    assert preview(FileWorkbook.open(path), today=EXPORT_DATE).left_out == 0
    assert main(["undo", str(path), "--batch", "1"]) == 7
    assert "Batch 1 is already void." in capsys.readouterr().err


def test_a_confirmed_batch_is_voided_only_with_force_which_says_what_it_cannot_undo(tmp_path, capsys):
    path, _ = exported(tmp_path)
    assert main(["confirm", str(path)]) == 0  # Mark processed in ServiceTrade is no: no ServiceTrade needed
    capsys.readouterr()
    assert main(["undo", str(path), "--batch", "1"]) == 7
    assert ("Batch 1 was confirmed as imported into your accounting system: Undo cannot take its invoices out "
            "of your books, nor set them back in ServiceTrade.") in capsys.readouterr().err
    assert main(["undo", str(path), "--batch", "1", "--force"]) == 0
    assert "remove those invoices from your accounting system yourself" in capsys.readouterr().out


def test_batches_lists_the_ledger(tmp_path, capsys):
    path, written = exported(tmp_path)
    capsys.readouterr()
    assert main(["batches", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Export ledger ") and lines[0].endswith(": 1 batches.")
    assert lines[1].split() == ["Batch", "When", "Who", "Invoices", "Gross", "State", "File"]
    assert lines[2].split()[0] == "1" and lines[2].split()[-3:] == ["919.00", "exported", str(written)]
