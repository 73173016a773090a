"""Confirm import against the sandbox over real sockets: the batch's invoices, and only those,
move to processed in ServiceTrade (read back through the sandbox's API); a refused invoice is
named and the others still move; confirming again retries only what failed."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from stac_xl.actions.confirm import confirm
from stac_xl.actions.export import export
from stac_xl.actions.fetch import fetch_invoices
from stac_xl.actions.ledger import State, ledger_file, open_ledger
from stac_xl.actions.preview import preview
from stac_xl.book.file import FileWorkbook
from stac_xl.errors import ExportError
from stac_xl.presets import load_preset
from stac_xl.sandbox import Sandbox, SandboxData
from stac_xl.sandbox.clerk import fill_sandbox_lookups
from stac_xl.servicetrade.client import ServiceTradeClient
from stac_xl.servicetrade.credentials import Password
from stac_xl.settings import MARK_PROCESSED

TODAY = date(2026, 3, 20)
DEMO = Password("demo", "demo")
PUTS = "PUT /invoice/{id}"


@pytest.fixture
def sandbox():
    with Sandbox(SandboxData.generate(invoices=60, seed=4, today=TODAY)) as running:
        running.start(0)
        yield running


def set_setting(path: Path, name: str, value: str) -> None:
    book = FileWorkbook.open(path)
    grid = book.read_grid("Settings")
    rows = [row for row in grid if row and row[0] == name]
    if rows:
        rows[0][1:2] = [value]
    else:
        grid.append([name, value])
    book.write_grid("Settings", grid)
    book.save()


def exported(tmp_path: Path, sandbox: Sandbox, *, mark_processed: str = "yes") -> tuple[Path, int, dict[str, str]]:
    """A workbook whose fetched invoices were exported: (path, batch id, invoice id → number)."""
    path = tmp_path / "ar.xlsx"
    book = FileWorkbook.create(path)
    load_preset(book, "generic-csv")
    fetch_invoices(book, first=TODAY - timedelta(days=29), last=TODAY, credentials=DEMO, base_url=sandbox.base_url)
    fill_sandbox_lookups(book)
    book.save()
    set_setting(path, MARK_PROCESSED.name, mark_processed)
    shown = preview(FileWorkbook.open(path), today=TODAY)
    assert shown.errors == 0, [str(p) for p in shown.problems][:3]
    done = export(FileWorkbook.open(path), out=tmp_path, book_folder=tmp_path)
    numbers = {r.invoice_id: "" for r in shown.records if r.invoice_id}
    return path, done.batch_id, numbers


def factory(sandbox: Sandbox):
    return lambda settings: ServiceTradeClient(sandbox.base_url, DEMO, concurrency=settings.concurrency)


def statuses(sandbox: Sandbox) -> dict[str, str]:
    """Every invoice's status, read back through the sandbox's API."""
    with ServiceTradeClient(sandbox.base_url, DEMO) as client:
        return {str(inv["id"]): client.get_invoice(inv["id"])["status"] for inv in sandbox.data.invoices}


def test_confirm_moves_exactly_the_batch_to_processed(tmp_path, sandbox):
    path, batch_id, in_batch = exported(tmp_path, sandbox)
    before = statuses(sandbox)
    result = confirm(FileWorkbook.open(path), client_factory=factory(sandbox))
    after = statuses(sandbox)
    assert result.batch_id == batch_id and result.state is State.CONFIRMED
    assert len(result.sent) == len(in_batch) > 0 and result.failed == []
    assert {i for i in after if after[i] != before[i]} == set(in_batch)
    assert {after[i] for i in in_batch} == {"processed"}
    assert result.summary() == f"Batch {batch_id} confirmed as imported. ServiceTrade: {len(in_batch)} invoices set to processed."
    ledger = open_ledger(ledger_file(""))
    assert ledger.batch(batch_id).state is State.CONFIRMED
    assert {i.status_sent for i in ledger.batch_invoices(batch_id)} == {"processed"}
    ledger.close()


def test_a_refused_invoice_is_named_the_others_move_and_confirming_again_retries_only_it(tmp_path, sandbox):
    path, batch_id, in_batch = exported(tmp_path, sandbox)
    refused_id = sorted(in_batch)[0]
    number = sandbox.data.by_id[int(refused_id)]["invoiceNumber"]
    sandbox.api.store.refuse_changes({int(refused_id)}, "This invoice is locked by another user")
    first = confirm(FileWorkbook.open(path), client_factory=factory(sandbox))
    assert [n for n, _ in first.failed] == [number]
    assert "locked by another user" in first.failed[0][1]
    assert f"1 failed ({number}: " in first.summary() and "Confirm again to retry only those." in first.summary()
    after = statuses(sandbox)
    assert {after[i] for i in in_batch if i != refused_id} == {"processed"} and after[refused_id] == "ok"

    sandbox.api.store.refuse_changes(set())
    puts = sandbox.stats.get(PUTS, 0)
    again = confirm(FileWorkbook.open(path), client_factory=factory(sandbox), batch_id=batch_id)
    assert sandbox.stats[PUTS] - puts == 1
    assert again.sent == [number] and again.already == len(in_batch) - 1 and again.failed == []
    assert statuses(sandbox)[refused_id] == "processed"


def test_an_import_that_failed_voids_the_batch_and_marks_its_invoices_failed(tmp_path, sandbox):
    path, batch_id, in_batch = exported(tmp_path, sandbox)
    result = confirm(FileWorkbook.open(path), client_factory=factory(sandbox), failed="Customer numbers missing")
    assert result.state is State.VOIDED and len(result.sent) == len(in_batch)
    assert {statuses(sandbox)[i] for i in in_batch} == {"failed"}
    shown = preview(FileWorkbook.open(path), today=TODAY)  # exportable again
    assert shown.left_out == 0 and {r.invoice_id for r in shown.records if r.invoice_id} == set(in_batch)
    with pytest.raises(ExportError, match=rf"^Batch {batch_id} is voided, so it cannot be confirmed"):
        confirm(FileWorkbook.open(path), client_factory=factory(sandbox), batch_id=batch_id)


def test_without_the_setting_confirm_leaves_servicetrade_alone(tmp_path, sandbox):
    path, batch_id, _ = exported(tmp_path, sandbox, mark_processed="no")
    puts = sandbox.stats.get(PUTS, 0)
    result = confirm(FileWorkbook.open(path), client_factory=factory(sandbox))
    assert sandbox.stats.get(PUTS, 0) == puts
    assert result.summary() == (f"Batch {batch_id} confirmed as imported. ServiceTrade was not changed "
                                f"({MARK_PROCESSED.name} is no on Settings).")
    with pytest.raises(ExportError, match=r"^This workbook has no exported batch waiting for Confirm import"):
        confirm(FileWorkbook.open(path), client_factory=factory(sandbox))
