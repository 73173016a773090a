"""The SQLite export ledger on its own: batches and their states, the invoices they claim, the
reconcile of interrupted batches, and where the ledger lives."""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from stac_xl.actions.ledger import (
    Actor,
    AlreadyExported,
    BatchDraft,
    InvoiceEntry,
    Money,
    State,
    StatusResult,
    default_ledger_file,
    ledger_file,
    open_ledger,
)
from stac_xl.actions.ledger.recover import part_prefix, reconcile
from stac_xl.errors import ConfigError, ExportError

NOW = datetime(2024, 3, 20, 17, 5, 0)
CLERK = Actor("dana", "PC-7", 4242)
GONE = Actor("dana", "PC-7", 999_999)  # the pid of a process that is no more


def draft(path: Path, *ids: str, content: bytes = b"file", reexport: bool = False) -> BatchDraft:
    return BatchDraft(scope="https://api.servicetrade.com/api generic-csv", workbook="ar.xlsx", profile="generic-csv",
                      file_path=str(path), file_sha256=hashlib.sha256(content).hexdigest(), records=3, lines=2,
                      money=Money(Decimal("10.00"), Decimal("0.50"), Decimal("10.50")),
                      invoices=[InvoiceEntry(i, f"N{i}", f"c{i}", f"r{i}") for i in ids], reexport=reexport)


@pytest.fixture
def ledger(tmp_path):
    opened = open_ledger(tmp_path / "ledger.sqlite3")
    yield opened
    opened.close()


def test_a_batch_goes_writing_exported_confirmed_and_claims_its_invoices(tmp_path, ledger):
    batch_id = ledger.begin(draft(tmp_path / "a.csv", "1", "2"), at=NOW, actor=CLERK)
    assert ledger.batch(batch_id).state is State.WRITING
    with pytest.raises(AlreadyExported) as err:  # claimed already while being written
        ledger.begin(draft(tmp_path / "b.csv", "2", "3"), at=NOW, actor=CLERK)
    assert [p.invoice_id for p in err.value.priors] == ["2"]
    ledger.finish(batch_id, at=NOW, actor=CLERK)
    ledger.set_state(batch_id, State.CONFIRMED, allowed=(State.EXPORTED,), at=NOW, actor=CLERK, note="import confirmed")
    batch = ledger.batch(batch_id)
    assert (batch.state, batch.invoices, batch.money.gross, batch.user, batch.machine) == (
        State.CONFIRMED, 2, Decimal("10.50"), "dana", "PC-7")
    with pytest.raises(ExportError, match="is confirmed now"):
        ledger.set_state(batch_id, State.CONFIRMED, allowed=(State.EXPORTED,), at=NOW, actor=CLERK)
    again = ledger.begin(draft(tmp_path / "c.csv", "2", "3", reexport=True), at=NOW, actor=CLERK)
    assert ledger.batch(again).reexport
    assert ledger.prior_exports(draft(tmp_path, "x").scope, ["2", "3", "9"]).keys() == {"2", "3"}


def test_write_back_outcomes_are_kept_per_invoice(tmp_path, ledger):
    batch_id = ledger.begin(draft(tmp_path / "a.csv", "1", "2"), at=NOW, actor=CLERK)
    ledger.record_statuses(batch_id, [StatusResult("1", "processed"), StatusResult("2", "processed", "refused")], at=NOW)
    assert [(i.invoice_id, i.status_sent, i.status_error) for i in ledger.batch_invoices(batch_id)] == [
        ("1", "processed", ""), ("2", "", "refused")]


def test_reconcile_keeps_a_written_file_removes_a_missing_one_and_leaves_a_live_export(tmp_path, ledger):
    written = tmp_path / "written.csv"
    written.write_bytes(b"file")
    kept = ledger.begin(draft(written, "1"), at=NOW, actor=GONE)
    lost = ledger.begin(draft(tmp_path / "never.csv", "2"), at=NOW, actor=GONE)
    (tmp_path / f"{part_prefix(lost)}x1y2.part").write_bytes(b"half")
    live = ledger.begin(draft(tmp_path / "busy.csv", "3"), at=NOW, actor=Actor("dana", "PC-7", 777))
    elsewhere = ledger.begin(draft(tmp_path / "far.csv", "4"), at=NOW, actor=Actor("sam", "PC-9", 1))
    said = reconcile(ledger, actor=CLERK, now=NOW, alive=lambda pid: pid == 777)
    assert ledger.batch(kept).state is State.EXPORTED
    assert ledger.batch(lost) is None and ledger.prior_exports(draft(tmp_path, "x").scope, ["2"]) == {}
    assert ledger.batch(live).state is State.WRITING and ledger.batch(elsewhere).state is State.WRITING
    assert not list(tmp_path.glob("*.part"))
    assert said == [
        f"Batch {kept} was stopped after its file {written} was written; it is now recorded as exported.",
        f"Batch {lost} was stopped before its file was written; it was removed, and its 1 invoices can be exported again.",
        f"Batch {elsewhere} is still being written on PC-9 (or was stopped there); run any stac-xl command on PC-9 to settle it.",
    ]


def test_the_ledger_is_the_environment_s_then_the_setting_s_then_the_user_data_folder(tmp_path):
    assert ledger_file("/books/shared.sqlite3", {"STAC_LEDGER": str(tmp_path / "env.sqlite3")}) == tmp_path / "env.sqlite3"
    assert ledger_file("/books/shared.sqlite3", {}) == Path("/books/shared.sqlite3")
    assert ledger_file("", {}) == default_ledger_file()
    assert default_ledger_file().name == "ledger.sqlite3" and "stac_xl" in default_ledger_file().parts


def test_a_ledger_that_cannot_be_opened_is_one_sentence(tmp_path):
    (tmp_path / "folder.sqlite3").mkdir()
    with pytest.raises(ConfigError) as err:
        open_ledger(tmp_path / "folder.sqlite3")
    assert str(err.value).startswith(f"The export ledger {tmp_path / 'folder.sqlite3'} cannot be opened")
