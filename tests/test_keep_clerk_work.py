"""Nothing of the clerk's is wiped without a question (issue 12, item 3).

- Load preset keeps the clerk's rows on *Lookups* (the same preset or another); the preset's
  sample rows go only into tables with none of the clerk's; ``--replace-lookups`` (or the
  ribbon's question answered so) replaces the sheet.
- A re-fetch keeps the clerk's corrections on *Invoices* (matched by Invoice id and Line id),
  marks them, and flags one whose ServiceTrade value changed since; a correction of an
  invoice the fetch no longer finds is shown nowhere, and comes back with the invoice.
- A fetch that finds no invoices does not empty a sheet of invoices not exported yet.

Real parts throughout: workbook files edited with openpyxl as Excel stores a clerk's typing
(and read back with it), the sandbox over real sockets changed between fetches, the export
ledger, the ribbon over the in-memory xlwings engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw
from memory_keyring import MemoryKeyring
from test_ribbon import ScriptedDialogs, clicked_stac_book, set_setting
from xl_memory_engine import MemoryEngine

from stac_xl.book import layout
from stac_xl.book.file import FileWorkbook
from stac_xl.book.live import MARK_COLORS, LiveWorkbook
from stac_xl.cli import main
from stac_xl.excel import ribbon
from stac_xl.invoices import columns as C
from stac_xl.mapping import compile_mapping
from stac_xl.presets import get_preset, load_preset
from stac_xl.sandbox import Sandbox, SandboxData
from stac_xl.sandbox.clerk import fill_sandbox_lookups
from stac_xl.servicetrade.clock import VirtualClock
from stac_xl.settings import Settings

TODAY = date(2026, 11, 25)
WEEK = ["--from", (TODAY - timedelta(days=6)).isoformat(), "--to", TODAY.isoformat()]
NOTHING_CREATED = ["--from", (TODAY - timedelta(days=200)).isoformat(), "--to", (TODAY - timedelta(days=190)).isoformat()]
EDITED_FILL, FLAGGED_FILL = "FFDDEBF7", "FFFFEB9C"  # the file adapter's blue and yellow


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAC_USERNAME", "demo")
    monkeypatch.setenv("STAC_PASSWORD", "demo")
    for name in ("STAC_TOKEN", "STAC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxData.generate(invoices=120, seed=5, today=TODAY)) as running:
        running.start(0)
        yield running


def new_book(tmp_path: Path, preset: str = "generic-csv") -> Path:
    path = tmp_path / "ar.xlsx"
    assert main(["new", str(path), "--preset", preset]) == 0
    return path


def fetch(book: Path, sandbox: Sandbox, *options: str) -> int:
    """`stac-xl fetch` of the sandbox's last week."""
    return main(["fetch", str(book), *WEEK, "--base-url", sandbox.base_url, *options], clock=VirtualClock())


class InvoicesSheet:
    """The Invoices sheet of a file, through openpyxl: cells found by invoice line and header."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.book = openpyxl.load_workbook(path)
        self.sheet = self.book[layout.INVOICES]
        self.header = [c.value for c in self.sheet[1]]

    def row_of(self, invoice_id: str, line_id: str) -> int:
        at, line_at = self.header.index(C.INVOICE_ID) + 1, self.header.index(C.LINE_ID) + 1
        for row in range(2, self.sheet.max_row + 1):
            if self.sheet.cell(row, at).value == invoice_id and (self.sheet.cell(row, line_at).value or "") == line_id:
                return row
        raise AssertionError(f"no row for invoice {invoice_id} line {line_id}")

    def cell(self, invoice_id: str, line_id: str, column: str) -> Any:
        return self.sheet.cell(self.row_of(invoice_id, line_id), self.header.index(column) + 1)

    def lines(self) -> list[tuple[str, str]]:
        at, line_at = self.header.index(C.INVOICE_ID), self.header.index(C.LINE_ID)
        return [(r[at].value, r[line_at].value or "") for r in self.sheet.iter_rows(min_row=2)]

    def noted(self) -> dict[str, str]:
        """Every cell with a note: its address → the note."""
        return {c.coordinate: c.comment.text for row in self.sheet.iter_rows() for c in row if c.comment}

    def save(self) -> None:
        self.book.save(self.path)


def a_line_of_many(path: Path) -> tuple[str, str]:
    """An invoice line whose invoice has more lines (so its other rows can be compared)."""
    lines = InvoicesSheet(path).lines()
    counts: dict[str, int] = {}
    for invoice, _ in lines:
        counts[invoice] = counts.get(invoice, 0) + 1
    return next((inv, line) for inv, line in lines if counts[inv] > 2)


def fill(cell: Any) -> str:
    return str(cell.fill.fgColor.rgb) if cell.fill and cell.fill.fill_type else ""


# --- Load preset keeps the clerk's Lookups ----------------------------------------------------

CLERK_ACCOUNTS = [[f"CODE{n}", f"Income {n}", "mine"] for n in range(8)]


def lookups(path: Path) -> list[list[Any]]:
    return FileWorkbook.open(path).read_grid(layout.LOOKUPS)


def with_clerk_accounts(path: Path) -> list[list[Any]]:
    """The clerk replaces the Accounts samples with 8 rows of their own; the sheet as it is then."""
    book = FileWorkbook.open(path)
    grid = book.read_grid(layout.LOOKUPS)
    title = grid.index(["Table: Accounts"])
    end = title + 2
    while end < len(grid) and grid[end]:
        end += 1
    grid[title + 2:end] = [list(r) for r in CLERK_ACCOUNTS]
    book.write_grid(layout.LOOKUPS, grid, clear=True)
    book.save()
    return grid


def test_loading_the_same_preset_again_keeps_the_clerks_eight_accounts(tmp_path: Path, capsys) -> None:
    path = new_book(tmp_path, "quickbooks-iif")
    before = with_clerk_accounts(path)
    assert main(["load-preset", str(path), "quickbooks-iif"]) == 0
    assert lookups(path) == before
    assert "your rows on Lookups were kept (Accounts)" in capsys.readouterr().out


def test_another_preset_keeps_the_clerks_table_and_brings_its_own(tmp_path: Path, capsys) -> None:
    path = new_book(tmp_path, "generic-csv")  # Customers (samples) and Accounts (the clerk's, below)
    with_clerk_accounts(path)
    assert main(["load-preset", str(path), "sage300cre"]) == 0
    grid = lookups(path)
    sage = get_preset("sage300cre").lookups
    accounts = sage.index(["Table: Accounts"])
    assert all(row in grid for row in CLERK_ACCOUNTS) and sage[accounts + 2] not in grid  # no samples among theirs
    customers = sage.index(["Table: Customers"])
    assert grid[customers:customers + 4] == sage[customers:customers + 4]  # generic-csv's samples became Sage's
    assert grid[0] == sage[0]
    compile_mapping(FileWorkbook.open(path).read_grid(layout.MAPPING), grid,  # a sheet the rules can use
                    invoice_columns=[c.name for c in C.DEFAULT_COLUMNS])
    out = capsys.readouterr().out
    assert "kept (Accounts)" in out and "added to Customers" in out


def test_replace_lookups_replaces_the_sheet(tmp_path: Path, capsys) -> None:
    path = new_book(tmp_path, "quickbooks-iif")
    with_clerk_accounts(path)
    assert main(["load-preset", str(path), "xero-csv", "--replace-lookups"]) == 0
    assert lookups(path) == get_preset("xero-csv").lookups
    assert "holds its sample rows only" in capsys.readouterr().out


def test_samples_fill_only_empty_tables_and_the_clerks_own_tables_and_notes_stay(tmp_path: Path) -> None:
    path = new_book(tmp_path, "quickbooks-iif")
    book = FileWorkbook.open(path)
    mine = [["My notes: account list from Sam, March"], [], ["Table: Accounts"], ["Key", "Value", "Notes"], [],
            ["Table: Branches"], ["Key", "Value"], ["NORTH", "01"]]
    book.write_grid(layout.LOOKUPS, mine, clear=True)
    book.save()
    load_preset(book := FileWorkbook.open(path), "quickbooks-iif")
    grid = book.read_grid(layout.LOOKUPS)
    samples = [row for row in get_preset("quickbooks-iif").lookups[4:] if row]
    assert grid == [*mine[:4], *samples, [], *mine[5:]]


def test_a_new_workbooks_sample_table_gives_way_to_the_preset(tmp_path: Path) -> None:
    path = tmp_path / "ar.xlsx"
    assert main(["new", str(path)]) == 0
    assert lookups(path)[0] == [layout.lookup_title(layout.SAMPLE_LOOKUP_NAME)]
    assert main(["load-preset", str(path), "computerease"]) == 0
    assert lookups(path) == get_preset("computerease").lookups


def test_the_ribbon_asks_before_replacing_the_clerks_lookups(engine: MemoryEngine) -> None:
    book = clicked_stac_book(engine)
    assert ribbon.run_action("load_preset.quickbooks-iif", book, ScriptedDialogs())  # nothing of theirs: no question
    live = LiveWorkbook(book)
    grid = live.read_grid(layout.LOOKUPS)
    grid[4:6] = [list(r) for r in CLERK_ACCOUNTS]
    live.write_grid(layout.LOOKUPS, grid, clear=True)
    keep = ScriptedDialogs(ribbon.KEEP_LOOKUPS)
    assert ribbon.run_action("load_preset.xero-csv", book, keep), keep.told
    assert keep.offered == [[ribbon.KEEP_LOOKUPS, ribbon.REPLACE_LOOKUPS]]
    assert all(row in live.read_grid(layout.LOOKUPS) for row in CLERK_ACCOUNTS)
    assert "your rows on Lookups were kept (Accounts)" in keep.told[-1]
    replace = ScriptedDialogs(ribbon.REPLACE_LOOKUPS)
    assert ribbon.run_action("load_preset.xero-csv", book, replace), replace.told
    assert live.read_grid(layout.LOOKUPS) == get_preset("xero-csv").lookups


# --- A re-fetch keeps the clerk's corrections on Invoices -------------------------------------

def test_a_refetch_keeps_a_correction_and_flags_it_when_servicetrade_changes(tmp_path: Path, sandbox: Sandbox,
                                                                              capsys) -> None:
    path = new_book(tmp_path)
    assert fetch(path, sandbox) == 0
    invoice, line = a_line_of_many(path)
    sheet = InvoicesSheet(path)
    servicetrade_po = sheet.cell(invoice, line, C.CUSTOMER_PO).value or ""
    sheet.cell(invoice, line, C.CUSTOMER_PO).value = "PO-CLERK-17"  # README step 2: fix a missing PO
    sheet.save()
    capsys.readouterr()

    assert fetch(path, sandbox) == 0
    assert "Kept 1 correction of yours on Invoices" in capsys.readouterr().out
    sheet = InvoicesSheet(path)
    kept = sheet.cell(invoice, line, C.CUSTOMER_PO)
    assert kept.value == "PO-CLERK-17" and fill(kept) == EDITED_FILL
    assert list(sheet.noted().values()) == [f"Your correction, kept by Fetch (ServiceTrade has "
                                            f"{repr(servicetrade_po) if servicetrade_po else 'empty'})."]

    sandbox.api.store.edit(int(invoice), {"customerPo": "PO-ST-99"})  # someone fixes it in ServiceTrade too
    assert fetch(path, sandbox) == 0
    assert "1 yellow: ServiceTrade changed it since" in capsys.readouterr().out
    sheet = InvoicesSheet(path)
    flagged = sheet.cell(invoice, line, C.CUSTOMER_PO)
    assert flagged.value == "PO-CLERK-17" and fill(flagged) == FLAGGED_FILL
    was = f"'{servicetrade_po}'" if servicetrade_po else "empty"
    assert flagged.comment.text == (f"ServiceTrade changed this since your correction: it was {was}, it is now "
                                    "'PO-ST-99'; your 'PO-CLERK-17' is kept. Type 'PO-ST-99' here to take "
                                    "ServiceTrade's value.")
    others = [sheet.sheet.cell(r, sheet.header.index(C.CUSTOMER_PO) + 1).value
              for r in range(2, sheet.sheet.max_row + 1) if sheet.sheet.cell(r, 1).value == invoice]
    assert others.count("PO-ST-99") == len(others) - 1  # the rows the clerk left alone follow ServiceTrade

    assert fetch(path, sandbox) == 0  # still flagged: the clerk has not decided
    assert fill(InvoicesSheet(path).cell(invoice, line, C.CUSTOMER_PO)) == FLAGGED_FILL


def test_typing_servicetrades_value_back_ends_the_correction(tmp_path: Path, sandbox: Sandbox) -> None:
    path = new_book(tmp_path)
    assert fetch(path, sandbox) == 0
    invoice, line = a_line_of_many(path)
    sheet = InvoicesSheet(path)
    original = sheet.cell(invoice, line, C.DESCRIPTION).value
    sheet.cell(invoice, line, C.DESCRIPTION).value = "Replaced 3 heads"
    sheet.save()
    assert fetch(path, sandbox) == 0
    sheet = InvoicesSheet(path)
    sheet.cell(invoice, line, C.DESCRIPTION).value = original
    sheet.save()
    assert fetch(path, sandbox) == 0
    sheet = InvoicesSheet(path)
    assert sheet.cell(invoice, line, C.DESCRIPTION).value == original and sheet.noted() == {}
    assert FileWorkbook.open(path).read_grid(layout.INVOICES_CORRECTIONS)[1:] == []


def test_the_clerks_edit_and_servicetrades_change_to_other_cells_of_a_row_are_told_apart(
        tmp_path: Path, sandbox: Sandbox) -> None:
    path = new_book(tmp_path)
    assert fetch(path, sandbox) == 0
    invoice, line = a_line_of_many(path)
    sheet = InvoicesSheet(path)
    sheet.cell(invoice, line, C.UNIT_PRICE).value = 99.5  # a real number cell, as Excel stores it
    sheet.save()
    sandbox.api.store.edit(int(invoice), {"description": "Sprinkler heads, per NFPA 25"}, line_id=int(line))
    assert fetch(path, sandbox) == 0
    sheet = InvoicesSheet(path)
    assert sheet.cell(invoice, line, C.UNIT_PRICE).value == 99.5
    assert sheet.cell(invoice, line, C.DESCRIPTION).value == "Sprinkler heads, per NFPA 25"
    assert list(sheet.noted()) == [sheet.cell(invoice, line, C.UNIT_PRICE).coordinate]
    assert fill(sheet.cell(invoice, line, C.UNIT_PRICE)) == EDITED_FILL


@pytest.mark.parametrize(("column", "typed", "kept"), [
    (C.UNIT_PRICE, "$1,234.50", 1234.5),            # text as a clerk types an amount: a number now
    (C.LINE_TOTAL, "(744.60)", -744.6),
    (C.DUE_DATE, "12/1/2026", datetime(2026, 12, 1)),  # text in the workbook's date order: a date now
    (C.DUE_DATE, datetime(2026, 12, 2), datetime(2026, 12, 2)),  # a real date cell
    (C.CUSTOMER_PO, "000451", "000451"),             # text with its zeros
    (C.DUE_DATE, "13/45/24", "13/45/24"),            # not a date: kept as typed, for Preview to name
])
def test_a_correction_is_kept_in_its_columns_form(tmp_path: Path, sandbox: Sandbox, column: str, typed: Any,
                                                  kept: Any) -> None:
    path = new_book(tmp_path)
    assert fetch(path, sandbox) == 0
    invoice, line = a_line_of_many(path)
    sheet = InvoicesSheet(path)
    sheet.cell(invoice, line, column).value = typed
    sheet.save()
    for _ in range(2):  # and the kept value, read back, is not taken for another edit
        assert fetch(path, sandbox) == 0
        cell = InvoicesSheet(path).cell(invoice, line, column)
        assert (cell.value, fill(cell)) == (kept, EDITED_FILL)
    assert len(FileWorkbook.open(path).read_grid(layout.INVOICES_CORRECTIONS)) == 2


def test_the_clerk_and_servicetrade_changing_the_same_cell_at_once_keeps_the_clerks_flagged(
        tmp_path: Path, sandbox: Sandbox) -> None:
    path = new_book(tmp_path)
    assert fetch(path, sandbox) == 0
    invoice, line = a_line_of_many(path)
    sheet = InvoicesSheet(path)
    sheet.cell(invoice, line, C.DESCRIPTION).value = "The clerk's words"
    sheet.save()
    sandbox.api.store.edit(int(invoice), {"description": "ServiceTrade's words"}, line_id=int(line))
    assert fetch(path, sandbox) == 0
    cell = InvoicesSheet(path).cell(invoice, line, C.DESCRIPTION)
    assert cell.value == "The clerk's words" and fill(cell) == FLAGGED_FILL
    assert "ServiceTrade now has 'ServiceTrade's words', the cell 'The clerk's words' (kept)" in cell.comment.text


LAST = {"a": "a0", "b": "b0", "c": "c0"}  # what the last fetch wrote


@pytest.mark.parametrize(("sheet", "now", "corrected", "told"), [
    ({"a": "A"}, {}, (), (["a"], [])),                 # the clerk typed; ServiceTrade still has a0
    ({"a": "A"}, {"b": "B"}, (), (["a"], [])),         # ... and ServiceTrade changed another cell
    ({}, {"b": "B"}, (), ([], [])),                    # ServiceTrade alone (the hash matches: never asked)
    ({"a": "A", "c": "C"}, {"b": "B"}, (), (["a", "c"], [])),
    ({"a": "A"}, {"a": "X"}, (), ([], ["a"])),         # both changed the same cell: cannot be told
    ({"a": "A", "b": "B2"}, {"a": "X", "b": "B"}, (), ([], ["a", "b"])),
    ({"a": "A2"}, {"b": "B"}, ("a",), (["a"], [])),   # a correction typed over again: certain
])
def test_the_split_that_gives_the_stored_hash_back_tells_who_changed_what(
        sheet: dict[str, str], now: dict[str, str], corrected: tuple[str, ...],
        told: tuple[list[str], list[str]]) -> None:
    from stac_xl.invoices.corrections import split_edits
    from stac_xl.invoices.fetch_memory import row_hash

    assert split_edits({**LAST, **sheet}, row_hash(LAST.values()), {**LAST, **now}, corrected) == told


def test_the_clerks_one_edit_is_found_among_many_servicetrade_changes_and_too_many_are_unsure() -> None:
    from stac_xl.invoices.corrections import split_edits
    from stac_xl.invoices.fetch_memory import row_hash

    last = {f"c{n}": "old" for n in range(30)}
    # ServiceTrade moved the whole line (a new customer, location, job…) but for the cells the clerk typed in
    one = dict(last, c7="typed")
    assert split_edits(one, row_hash(last.values()), dict(dict.fromkeys(last, "new"), c7="old"), ()) == (["c7"], [])
    typed = [f"c{n}" for n in range(8)]
    many = dict(last, **dict.fromkeys(typed, "typed"))  # past the tries: unsure, not slow
    now = dict(dict.fromkeys(last, "new"), **dict.fromkeys(typed, "old"))
    assert split_edits(many, row_hash(last.values()), now, ()) == ([], list(last))


def test_a_sorted_sheet_keeps_each_correction_on_its_own_line(tmp_path: Path, sandbox: Sandbox) -> None:
    path = new_book(tmp_path)
    assert fetch(path, sandbox) == 0
    first, second = InvoicesSheet(path).lines()[0], InvoicesSheet(path).lines()[-1]
    sheet = InvoicesSheet(path)
    sheet.cell(*first, C.CUSTOMER_PO).value = "FIRST"
    sheet.cell(*second, C.CUSTOMER_PO).value = "LAST"
    rows = [[c.value for c in r] for r in sheet.sheet.iter_rows(min_row=2)]
    for number, values in enumerate(reversed(rows), start=2):  # the clerk sorts Z to A
        for column, value in enumerate(values, start=1):
            sheet.sheet.cell(number, column).value = value
    sheet.save()
    assert fetch(path, sandbox) == 0
    sheet = InvoicesSheet(path)
    assert sheet.lines()[0] == first  # Fetch writes its own order again
    assert (sheet.cell(*first, C.CUSTOMER_PO).value, sheet.cell(*second, C.CUSTOMER_PO).value) == ("FIRST", "LAST")
    assert len(sheet.noted()) == 2


def test_an_invoice_gone_from_the_fetch_takes_its_corrections_aside_and_back(tmp_path: Path, sandbox: Sandbox,
                                                                             capsys) -> None:
    path = new_book(tmp_path)
    assert fetch(path, sandbox) == 0
    invoice, line = a_line_of_many(path)
    sheet = InvoicesSheet(path)
    sheet.cell(invoice, line, C.CUSTOMER_PO).value = "PO-ASIDE"  # typed, then the invoice leaves 'ok'
    sheet.save()
    sandbox.api.store.edit(int(invoice), {"status": "pending_accounting"})
    capsys.readouterr()
    assert fetch(path, sandbox) == 0
    assert "Put aside your corrections on 1 invoice this fetch did not find" in capsys.readouterr().out
    sheet = InvoicesSheet(path)
    assert invoice not in {inv for inv, _ in sheet.lines()}
    everything = [c.value for row in sheet.sheet.iter_rows() for c in row]
    assert "PO-ASIDE" not in everything and sheet.noted() == {}  # shown nowhere, on no other row

    sandbox.api.store.edit(int(invoice), {"status": "ok"})
    assert fetch(path, sandbox) == 0
    back = InvoicesSheet(path).cell(invoice, line, C.CUSTOMER_PO)
    assert back.value == "PO-ASIDE" and fill(back) == EDITED_FILL


def test_an_unedited_sheet_fetched_again_has_no_corrections(tmp_path: Path, sandbox: Sandbox, capsys) -> None:
    """Every cell as Fetch wrote it reads back as the same value: awkward text, ids with
    leading zeros, money, dates, TRUE/FALSE, text near Excel's cell limit."""
    invoice = sandbox.api.store.data.invoices[-1]
    sandbox.api.store.edit(invoice["id"], {"customerPo": "000123", "description": "Bell\x07 rung\r\nline 2 "},
                           line_id=invoice["items"][0]["id"])
    sandbox.api.store.edit(invoice["id"], {"description": "=x" * 16_000}, line_id=invoice["items"][-1]["id"])
    path = new_book(tmp_path)
    assert fetch(path, sandbox) == 0
    for _ in range(2):
        assert fetch(path, sandbox) == 0
        assert "Kept" not in capsys.readouterr().out
    assert InvoicesSheet(path).noted() == {}
    assert FileWorkbook.open(path).read_grid(layout.INVOICES_CORRECTIONS)[1:] == []


def test_the_memory_is_a_hash_per_row_and_hidden(tmp_path: Path, sandbox: Sandbox) -> None:
    path = new_book(tmp_path)
    assert fetch(path, sandbox) == 0
    book = openpyxl.load_workbook(path)
    rows = book[layout.INVOICES].max_row
    fetched = book[layout.INVOICES_FETCHED]
    assert fetched.sheet_state == book[layout.INVOICES_CORRECTIONS].sheet_state == "hidden"
    assert fetched.max_row == rows
    assert [c.value for c in fetched[1]][:4] == [C.INVOICE_ID, C.LINE_ID, "Copy", "Row hash"]


def test_a_correction_typed_in_excel_is_kept_by_the_ribbons_fetch(engine: MemoryEngine, memory_keyring: MemoryKeyring,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from stac_xl.servicetrade.credentials import store_credentials

    for name in ("STAC_USERNAME", "STAC_PASSWORD"):
        monkeypatch.delenv(name)
    data = SandboxData.generate(invoices=40, seed=2, today=datetime.now(Settings().tz).date())
    with Sandbox(data) as running:
        url = running.start(0)
        store_credentials("demo", "demo", base_url=url)
        book = clicked_stac_book(engine)
        assert ribbon.run_action("load_preset.generic-csv", book, ScriptedDialogs())
        set_setting(book, "Base URL", url)
        set_setting(book, "Days to fetch", "30")
        assert ribbon.run_action("fetch", book, ScriptedDialogs())
        sheet = book.sheets[layout.INVOICES]
        header = sheet.range((1, 1)).expand("right").value
        quantity = (2, header.index(C.QUANTITY) + 1)
        sheet.range(quantity).value = 7  # Excel hands numbers over as floats, dates as datetimes
        ui = ScriptedDialogs()
        assert ribbon.run_action("fetch", book, ui)
        assert "Kept 1 correction of yours on Invoices" in ui.told[-1]
        assert sheet.range(quantity).value == 7 and sheet.range(quantity).color == MARK_COLORS["edited"]
        assert ribbon.run_action("fetch", book, ui := ScriptedDialogs())
        assert ui.told[-1].count("Kept 1 correction") == 1  # no round trip made a second one


# --- A fetch that finds nothing --------------------------------------------------------------

def test_an_empty_fetch_over_unexported_invoices_is_refused_and_changes_nothing(tmp_path: Path, sandbox: Sandbox,
                                                                               capsys) -> None:
    path = new_book(tmp_path)
    assert fetch(path, sandbox) == 0
    invoices = len({inv for inv, _ in InvoicesSheet(path).lines()})
    before = path.read_bytes()
    capsys.readouterr()
    code = main(["fetch", str(path), *NOTHING_CREATED, "--base-url", sandbox.base_url], clock=VirtualClock())
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("stac-xl:")]
    assert code == 4 and path.read_bytes() == before
    assert err == [f"stac-xl: ServiceTrade has no 'ok' invoices created {TODAY - timedelta(days=200)} to "
                   f"{TODAY - timedelta(days=190)}, and the Invoices sheet holds {invoices} invoices not exported yet; "
                   "the sheet was left as it is: export them first, or fetch again with --replace to empty it."]
    code = main(["fetch", str(path), *NOTHING_CREATED, "--base-url", sandbox.base_url, "--replace"], clock=VirtualClock())
    assert code == 0 and InvoicesSheet(path).lines() == []


def test_an_empty_fetch_over_exported_invoices_empties_the_sheet(tmp_path: Path, sandbox: Sandbox) -> None:
    path = new_book(tmp_path)
    assert fetch(path, sandbox) == 0
    book = FileWorkbook.open(path)
    fill_sandbox_lookups(book)
    book.save()
    assert main(["preview", str(path)]) == 0
    assert main(["export", str(path), "--out", str(tmp_path)]) == 0
    assert main(["fetch", str(path), *NOTHING_CREATED, "--base-url", sandbox.base_url], clock=VirtualClock()) == 0
    assert InvoicesSheet(path).lines() == []


def test_the_ribbon_asks_before_an_empty_fetch_empties_the_sheet(engine: MemoryEngine, memory_keyring: MemoryKeyring,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from stac_xl.servicetrade.credentials import store_credentials

    for name in ("STAC_USERNAME", "STAC_PASSWORD"):
        monkeypatch.delenv(name)
    data = SandboxData.generate(invoices=40, seed=2, today=datetime.now(Settings().tz).date())
    with Sandbox(data) as running:
        url = running.start(0)
        store_credentials("demo", "demo", base_url=url)
        book: xw.Book = clicked_stac_book(engine)
        set_setting(book, "Base URL", url)
        set_setting(book, "Days to fetch", "30")
        assert ribbon.run_action("fetch", book, ScriptedDialogs())
        live = LiveWorkbook(book)
        rows = live.read_grid(layout.INVOICES)
        for invoice in data.invoices:  # everything moves on in ServiceTrade: nothing is 'ok' now
            running.api.store.edit(invoice["id"], {"status": "processed"})
        keep = ScriptedDialogs(ribbon.KEEP_INVOICES)
        assert ribbon.run_action("fetch", book, keep), keep.told
        assert keep.offered == [[ribbon.KEEP_INVOICES, ribbon.EMPTY_INVOICES]]
        assert keep.told[-1].endswith("not exported yet; the sheet was kept as it is.")
        assert live.read_grid(layout.INVOICES) == rows
        empty = ScriptedDialogs(ribbon.EMPTY_INVOICES)
        assert ribbon.run_action("fetch", book, empty), empty.told
        assert live.read_grid(layout.INVOICES)[1:] == []
