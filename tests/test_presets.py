"""Target profiles end to end: each preset's Mapping and Lookups compiled by the mapping
engine, applied to the shared test invoices, written by the writer its Settings choose, and
compared byte for byte with a golden file (the vendor samples of import-formats.md where
there is one). Each file is then read back with an independent reader (csv, xmlschema, a
small IIF reader here) and checked against the format's invariants. Vendor headers are
hard-coded below, never taken from the presets.
"""

from __future__ import annotations

import csv
import io
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from invoice_fixtures import EXPORT_DATE, SHARED_ROWS, Row, credit_memo_rows

import stac_xl
from stac_xl.actions.profile_settings import invoice_policies, writer_for
from stac_xl.book.port import CellMark
from stac_xl.book.table import Table
from stac_xl.checks import validate_records
from stac_xl.errors import ConfigError, WorkbookError
from stac_xl.invoices.columns import DEFAULT_COLUMNS
from stac_xl.mapping import BatchInfo, compile_mapping
from stac_xl.presets import get_preset, load_preset, merge_settings, preset_names
from stac_xl.problems import Problem
from stac_xl.settings import SETTINGS_ROWS, read_settings
from stac_xl.writers import Writer
from stac_xl.writers.iif import check_sums_to_zero

GOLDEN = Path(__file__).parent / "golden"
XSD = Path(stac_xl.__file__).parent / "schemas" / "generic-invoice.xsd"
COLUMNS = [c.name for c in DEFAULT_COLUMNS]

# preset → (golden file, the writer's file extension)
GOLDEN_FILES = {
    "generic-csv": (GOLDEN / "profiles" / "generic-csv.csv", ".csv"),
    "quickbooks-iif": (GOLDEN / "quickbooks.iif", ".iif"),
    "xero-csv": (GOLDEN / "xero.csv", ".csv"),
    "sage50-csv": (GOLDEN / "sage50.csv", ".csv"),
    "sage300cre": (GOLDEN / "sage300cre.txt", ".txt"),
    "computerease": (GOLDEN / "profiles" / "computerease.cei", ".cei"),
    "generic-xml": (GOLDEN / "generic.xml", ".xml"),
    "fixed-width-example": (GOLDEN / "profiles" / "fixed-width-example.txt", ".txt"),
}
XERO_HEADER = [
    "*ContactName", "EmailAddress", "POAddressLine1", "POAddressLine2", "POAddressLine3", "POAddressLine4",
    "POCity", "PORegion", "POPostalCode", "POCountry", "*InvoiceNumber", "Reference", "*InvoiceDate",
    "*DueDate", "Total", "InventoryItemCode", "*Description", "*Quantity", "*UnitAmount", "Discount",
    "*AccountCode", "*TaxType", "TaxAmount", "TrackingName1", "TrackingOption1", "TrackingName2",
    "TrackingOption2", "Currency", "BrandingTheme",
]
SAGE50_HEADER = [
    "Customer ID", "Invoice/CM #", "Date", "Date Due", "Accounts Receivable Account", "Number of Distributions",
    "Invoice/CM Distribution", "Quantity", "Item ID", "Description", "G/L Account", "Unit Price", "Tax Type",
    "Amount", "Job ID",
]
GENERIC_HEADER = [
    "InvoiceNumber", "InvoiceDate", "DueDate", "CustomerId", "CustomerName", "JobNumber", "CustomerPO", "Terms",
    "LineNo", "LineCount", "ItemCode", "Description", "Quantity", "UnitPrice", "Amount", "Taxable", "Account",
    "Subtotal", "Tax", "Total", "ServiceTradeId",
]
IIF_TRNS = "!TRNS\tTRNSID\tTRNSTYPE\tDATE\tACCNT\tNAME\tCLASS\tAMOUNT\tDOCNUM\tMEMO\tCLEAR\tTOPRINT\tNAMEISTAXABLE\tDUEDATE\tTERMS"
IIF_SPL = "!SPL\tSPLID\tTRNSTYPE\tDATE\tACCNT\tNAME\tCLASS\tAMOUNT\tDOCNUM\tMEMO\tCLEAR\tQNTY\tPRICE\tINVITEM\tTAXABLE"
TOTALS = {"10041": Decimal("556.50"), "10042": Decimal("362.50")}


def export(name: str, rows: Sequence[Row]) -> tuple[bytes, Writer, list[Problem]]:
    """Compile preset ``name``, build ``rows``, validate, write: the Export action's path."""
    preset = get_preset(name)
    mapping = compile_mapping(preset.mapping, preset.lookups, invoice_columns=COLUMNS)
    result = mapping.build(rows, batch=BatchInfo(EXPORT_DATE), **invoice_policies(preset.settings))
    writer = writer_for(preset.settings)
    problems = result.problems + validate_records(
        result.specs, result.records, encoding=writer.options.encoding, rows=rows)
    stream = io.BytesIO()
    writer.write(result.specs, result.records, stream)
    return stream.getvalue(), writer, problems


def csv_rows(data: bytes, encoding: str) -> list[list[str]]:
    text = data.decode(encoding)
    assert text.endswith("\r\n")
    return list(csv.reader(io.StringIO(text, newline="")))


def group_under(rows: list[list[str]], head: str) -> list[tuple[list[str], list[list[str]]]]:
    """Rows grouped under the ``head`` record before them: ``[(head row, [its rows]), …]``."""
    groups: list[tuple[list[str], list[list[str]]]] = []
    for row in rows:
        if row[0] == head:
            groups.append((row, []))
        else:
            groups[-1][1].append(row)
    return groups


def read_iif(data: bytes) -> list[list[dict[str, str]]]:
    """A tiny IIF reader: ``!`` rows name the columns; a transaction is TRNS, SPLs, ENDTRNS."""
    text = data.decode("cp1252")
    lines = text.split("\r\n")
    assert lines[-1] == "" and all("\n" not in line and "\r" not in line for line in lines)
    columns: dict[str, list[str]] = {}
    transactions: list[list[dict[str, str]]] = []
    current: list[dict[str, str]] | None = None
    for line in lines[:-1]:
        cells = line.split("\t")
        if cells[0].startswith("!"):
            columns[cells[0][1:]] = cells[1:]
            continue
        assert len(cells) - 1 == len(columns[cells[0]]), line
        entry = {"type": cells[0], **dict(zip(columns[cells[0]], cells[1:]))}
        if cells[0] == "TRNS":
            assert current is None, "a TRNS before the previous ENDTRNS"
            current = [entry]
        elif cells[0] == "SPL":
            assert current is not None, "an SPL outside a transaction"
            current.append(entry)
        else:
            assert cells[0] == "ENDTRNS" and current is not None
            transactions.append(current)
            current = None
    assert current is None, "the last transaction has no ENDTRNS"
    return transactions


# --- the list of presets ------------------------------------------------------------------

def test_preset_names_are_the_eight_profiles() -> None:
    assert preset_names() == sorted([
        "generic-csv", "quickbooks-iif", "xero-csv", "sage50-csv", "sage300cre", "computerease",
        "generic-xml", "fixed-width-example",
    ])


def test_unknown_preset_is_a_config_error_listing_the_presets() -> None:
    with pytest.raises(ConfigError) as caught:
        get_preset("peachtree")
    assert "'peachtree'" in str(caught.value)
    assert all(name in str(caught.value) for name in preset_names())


def test_preset_names_forgive_case_spaces_and_underscores() -> None:
    assert get_preset(" QuickBooks_IIF ").name == "quickbooks-iif"


def test_get_preset_returns_a_fresh_copy() -> None:
    first = get_preset("xero-csv")
    first.mapping[0][0] = "changed"
    first.settings["Encoding"] = "cp1252"
    again = get_preset("xero-csv")
    assert again.mapping[0] == ["Records"] and again.settings["Encoding"] == "utf-8"


def test_preset_files_are_package_data() -> None:
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert "presets/*.json" in pyproject["tool"]["setuptools"]["package-data"]["stac_xl"]
    folder = Path(stac_xl.__file__).parent / "presets"
    assert sorted(p.stem for p in folder.glob("*.json")) == preset_names()


@pytest.mark.parametrize("name", sorted(GOLDEN_FILES))
def test_every_preset_sets_the_file_settings_and_says_how_sure_it_is(name: str) -> None:
    preset = get_preset(name)
    for key in ("File type", "File extension", "Encoding", "Delimiter", "Quoting", "Line ending",
                "Zero invoices", "Credit memos"):
        assert key in preset.settings
    assert preset.title and preset.description and preset.confidence
    assert "replace" in str(preset.lookups[0][0]).lower()


def test_verified_flags() -> None:
    verified = {name: get_preset(name).verified for name in preset_names()}
    assert verified == {
        "computerease": False, "fixed-width-example": False, "generic-csv": True, "generic-xml": True,
        "quickbooks-iif": True, "sage300cre": False, "sage50-csv": True, "xero-csv": True,
    }


@pytest.mark.parametrize(("name", "words"), [
    ("sage300cre", ("placeholder", "print template")),
    ("computerease", ("starting layout", "not public")),
])
def test_unverified_layouts_say_so_on_every_record_row(name: str, words: tuple[str, ...]) -> None:
    grid = get_preset(name).mapping
    notes = grid[1].index("Notes")  # columns are found by header (Only if came before Notes)
    records = grid[2:grid.index(["Rules"]) - 1]
    assert len(records) == 3  # invoice, line, and the sales-tax line
    for row in records:
        assert all(word in row[notes].lower() for word in words), row


def test_fixture_rows_have_exactly_the_invoices_columns() -> None:
    assert all(list(row) == COLUMNS for row in SHARED_ROWS + credit_memo_rows())


# --- golden files ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(GOLDEN_FILES))
def test_preset_writes_its_golden_file_byte_for_byte(name: str) -> None:
    golden, extension = GOLDEN_FILES[name]
    data, writer, problems = export(name, SHARED_ROWS)
    assert problems == []
    assert writer.extension == extension
    assert data == golden.read_bytes()


def test_generic_csv_reads_back() -> None:
    data, _, _ = export("generic-csv", SHARED_ROWS)
    assert not data.startswith(b"\xef\xbb\xbf")
    header, *rows = csv_rows(data, "utf-8")
    assert header == GENERIC_HEADER
    records = [dict(zip(header, row)) for row in rows]
    for number, total in TOTALS.items():
        lines = [r for r in records if r["InvoiceNumber"] == number]
        assert [r["LineNo"] for r in lines] == ["1", "2"] and {r["LineCount"] for r in lines} == {"2"}
        assert sum(Decimal(r["Amount"]) for r in lines) + Decimal(lines[0]["Tax"]) == total
        assert {Decimal(r["Total"]) for r in lines} == {total}
    assert records[0]["InvoiceDate"] == "2024-03-15" and records[3]["Description"] == "Fusible link, 165F"


def test_quickbooks_iif_reads_back_and_every_transaction_sums_to_zero() -> None:
    data, _, _ = export("quickbooks-iif", SHARED_ROWS)
    assert data.decode("cp1252").split("\r\n")[:3] == [IIF_TRNS, IIF_SPL, "!ENDTRNS"]
    transactions = read_iif(data)
    assert [t[0]["DOCNUM"] for t in transactions] == ["10041", "10042"]
    for entries in transactions:
        assert sum(Decimal(e["AMOUNT"]) for e in entries) == 0
        assert entries[0]["ACCNT"] == "Accounts Receivable"
        assert Decimal(entries[0]["AMOUNT"]) == TOTALS[entries[0]["DOCNUM"]]
        assert {e["TRNSTYPE"] for e in entries} == {"INVOICE"}
    assert [e["ACCNT"] for e in transactions[1][1:]] == ["Service Income", "Parts Income"]
    assert transactions[1][0]["DATE"] == "03/18/24" and transactions[1][0]["NAME"] == "Baker Street Bistro, LLC"


def test_quickbooks_credit_memo_is_a_credit_memo_and_still_sums_to_zero() -> None:
    preset = get_preset("quickbooks-iif")
    mapping = compile_mapping(preset.mapping, preset.lookups, invoice_columns=COLUMNS)
    rows = SHARED_ROWS + credit_memo_rows()
    result = mapping.build(rows, batch=BatchInfo(EXPORT_DATE), **invoice_policies(preset.settings))
    assert result.problems == []
    assert check_sums_to_zero(result.specs, result.records) == []
    data, _, problems = export("quickbooks-iif", rows)
    assert problems == []
    memo = read_iif(data)[2]
    assert [(e["type"], e["TRNSTYPE"], e["AMOUNT"]) for e in memo] == [
        ("TRNS", "CREDIT MEMO", "-35.50"), ("SPL", "CREDIT MEMO", "35.50")]
    assert memo[1]["QNTY"] == "1" and memo[1]["ACCNT"] == "Parts Income"
    assert sum(Decimal(e["AMOUNT"]) for e in memo) == 0


def test_xero_csv_reads_back() -> None:
    data, _, _ = export("xero-csv", SHARED_ROWS)
    header, *rows = csv_rows(data, "utf-8")
    assert header == XERO_HEADER
    records = [dict(zip(header, row)) for row in rows]
    assert [r["*InvoiceNumber"] for r in records] == ["10041", "10041", "10042", "10042"]
    assert records[2]["*ContactName"] == "Baker Street Bistro, LLC"
    assert records[2]["EmailAddress"] == "ap@bakerst.example" and records[2]["*InvoiceDate"] == "03/18/2024"
    assert [r["*AccountCode"] for r in records] == ["400", "410", "400", "410"]
    for number, total in TOTALS.items():
        lines = [r for r in records if r["*InvoiceNumber"] == number]
        assert sum(Decimal(r["*Quantity"]) * Decimal(r["*UnitAmount"]) for r in lines) == total


def test_xero_and_sage50_leave_credit_memos_out_with_a_warning() -> None:
    for name in ("xero-csv", "sage50-csv"):
        data, _, problems = export(name, SHARED_ROWS + credit_memo_rows())
        assert data == GOLDEN_FILES[name][0].read_bytes()
        assert [(p.severity, p.invoice_number) for p in problems] == [("warning", "10043")]


def test_sage50_csv_reads_back() -> None:
    data, _, _ = export("sage50-csv", SHARED_ROWS)
    header, *rows = csv_rows(data, "cp1252")
    assert header == SAGE50_HEADER
    records = [dict(zip(header, row)) for row in rows]
    for number, total in TOTALS.items():
        lines = [r for r in records if r["Invoice/CM #"] == number]
        assert {r["Number of Distributions"] for r in lines} == {str(len(lines))}
        assert [r["Invoice/CM Distribution"] for r in lines] == ["1", "2"]
        assert sum(Decimal(r["Amount"]) for r in lines) == -total
    assert records[0]["Date"] == "03/15/24" and records[3]["G/L Account"] == "41000"


def test_sage300cre_reads_back() -> None:
    data, _, _ = export("sage300cre", SHARED_ROWS)
    text = data.decode("cp1252")
    assert all(line.startswith('"') and line.endswith('"') for line in text.split("\r\n")[:-1])
    rows = csv_rows(data, "cp1252")
    assert [r[0] for r in rows] == ["I", "D", "D", "I", "D", "D"]
    invoices = group_under(rows, "I")
    for head, lines in invoices:
        assert sum(Decimal(d[5]) for d in lines) == Decimal(head[7])
    assert [head[2] for head, _ in invoices] == ["ST10041", "ST10042"]


def test_computerease_reads_back() -> None:
    data, _, _ = export("computerease", SHARED_ROWS)
    rows = csv_rows(data, "cp1252")
    assert [r[0] for r in rows] == ["H", "L", "L", "H", "L", "L"]
    assert rows[0][:3] == ["H", "ACME01", "10041"] and rows[5][3] == "Fusible link, 165F"
    assert Decimal(rows[0][-1]) == Decimal(rows[1][4]) + Decimal(rows[2][4])


def test_generic_xml_is_valid_against_the_xsd_and_adds_up() -> None:
    data, _, _ = export("generic-xml", SHARED_ROWS)
    xmlschema.XMLSchema(str(XSD)).validate(io.BytesIO(data))
    root = ET.fromstring(data)
    for invoice in root.findall("Invoice"):
        amounts = [Decimal(line.findtext("Amount", "")) for line in invoice.findall("Line")]
        assert sum(amounts) + Decimal(invoice.findtext("Tax", "0")) == Decimal(invoice.findtext("Total", ""))
    assert [i.findtext("CustomerId") for i in root.findall("Invoice")] == ["ACME01", "BAKER01"]


# Positions (0-based, half-open) written down from the layout, not read from the preset.
FW_H = {"RecType": (0, 1), "Customer": (1, 11), "Invoice": (11, 21), "Date": (21, 29), "DueDate": (29, 37),
        "Total": (37, 49)}
FW_D = {"RecType": (0, 1), "Invoice": (1, 11), "Item": (11, 26), "Description": (26, 61), "Qty": (61, 68),
        "Amount": (68, 80)}


def test_fixed_width_reads_back_by_position_with_implied_decimals() -> None:
    data, _, _ = export("fixed-width-example", SHARED_ROWS)
    lines = data.decode("cp1252").split("\r\n")[:-1]
    assert [len(line) for line in lines] == [49, 80, 80, 49, 80, 80]
    parsed = [{k: line[a:b] for k, (a, b) in (FW_H if line[0] == "H" else FW_D).items()} for line in lines]
    assert parsed[0]["Customer"] == "ACME01    " and parsed[0]["Total"] == "000000055650"
    assert Decimal(parsed[0]["Total"]) / 100 == TOTALS["10041"]
    assert Decimal(parsed[5]["Qty"]) / 100 == 2 and parsed[5]["Description"].rstrip() == "Fusible link, 165F"
    assert sum(Decimal(p["Amount"]) for p in parsed[4:6]) / 100 == TOTALS["10042"]


def test_fixed_width_negative_amounts_keep_the_sign_before_the_zeros() -> None:
    data, _, problems = export("fixed-width-example", credit_memo_rows())
    assert problems == []
    head, line = data.decode("cp1252").split("\r\n")[:2]
    assert head[37:49] == "-00000003550" and line[61:68] == "-000100" and line[68:80] == "-00000003550"


# --- load_preset over a workbook ----------------------------------------------------------------

class MemoryBook:
    """A test double of the WorkbookPort: sheets as grids in a dict; records writes."""

    def __init__(self, sheets: dict[str, list[list[Any]]]):
        self.sheets = {name: [list(row) for row in grid] for name, grid in sheets.items()}
        self.writes: list[tuple[str, bool]] = []
        self.messages: list[str] = []

    def sheet_names(self) -> list[str]:
        return list(self.sheets)

    def read_grid(self, sheet: str) -> list[list[Any]]:
        if sheet not in self.sheets:
            raise WorkbookError(f"The workbook has no sheet called '{sheet}'.")
        rows = []
        for row in self.sheets[sheet]:
            cells = list(row)
            while cells and cells[-1] in (None, ""):
                cells.pop()
            rows.append(cells)
        while rows and not rows[-1]:
            rows.pop()
        return rows

    def write_table(self, sheet: str, table: Table, *, hidden_columns: Sequence[str] = ()) -> None:
        self.sheets[sheet] = [table.headers, *[list(r) for r in table.rows]]

    def write_grid(self, sheet: str, rows: list[list[Any]], *, start_row: int = 1, start_column: int = 1,
                   clear: bool = False) -> None:
        self.writes.append((sheet, clear))
        grid = [] if clear or sheet not in self.sheets else self.sheets[sheet]
        while len(grid) < start_row - 1 + len(rows):
            grid.append([])
        for offset, row in enumerate(rows):
            target = grid[start_row - 1 + offset]
            while len(target) < start_column - 1 + len(row):
                target.append(None)
            target[start_column - 1:start_column - 1 + len(row)] = list(row)
        self.sheets[sheet] = grid

    def mark_cells(self, sheet: str, marks: Sequence[CellMark]) -> None:
        raise AssertionError("load_preset marks no cells")

    def status(self, message: str) -> None:
        self.messages.append(message)

    def save(self) -> None:
        raise AssertionError("load_preset leaves saving to its caller")


def new_book() -> MemoryBook:
    settings = [["Setting", "Value", "Notes"], *[[n, v, note] for n, v, note in SETTINGS_ROWS]]
    for row in settings:
        if row[0] == "Time zone":
            row[1] = "America/Chicago"  # the clerk's own choice
    settings.append(["My reminder", "call Sam", "a row the clerk added"])
    old_mapping = [["Records"], ["Record", "When", "Header row", "Notes"], ["OLD", "line", "no"],
                   [], ["Rules"], ["Record", "Field", "Source"], ["OLD", "X", '"x"'], ["OLD", "Y", '"y"']] * 3
    return MemoryBook({"Settings": settings, "Mapping": old_mapping,
                       "Lookups": [["Table: Old"], ["Key", "Value"], ["a", "b"]] * 10, "Invoices": [["Invoice id"]]})


def setting(book: MemoryBook, name: str) -> list[Any]:
    return next(row for row in book.read_grid("Settings") if row and row[0] == name)


def test_load_preset_sets_its_settings_and_keeps_every_other_row() -> None:
    book = new_book()
    before = book.read_grid("Settings")
    load_preset(book, "quickbooks-iif")
    after = book.read_grid("Settings")
    # the one row a preset adds to a sheet without it: its Balance check, with its note
    added = 0 if any(row and row[0] == "Balance check" for row in before) else 1
    assert len(after) == len(before) + added
    assert setting(book, "Balance check")[:2] == ["Balance check", "sum(TRNS.AMOUNT, SPL.AMOUNT, SPL tax.AMOUNT) = 0"]
    assert added == 0 or "Preview and Export" in after[-1][2]
    assert setting(book, "Target profile")[1] == "quickbooks-iif"
    assert setting(book, "File type")[:2] == ["File type", "iif"] and setting(book, "Encoding")[1] == "cp1252"
    assert setting(book, "Time zone")[1] == "America/Chicago"
    assert setting(book, "My reminder") == ["My reminder", "call Sam", "a row the clerk added"]
    assert setting(book, "Base URL") == list(SETTINGS_ROWS[0])
    changed = {"Target profile", "File type", "File extension", "Encoding", "Delimiter", "Quoting",
               "Line ending", "Zero invoices", "Credit memos", "Balance check"}
    for old, new in zip(before, after):
        if old[0] not in changed:
            assert new == old
        else:
            assert new[0] == old[0] and new[2:] == old[2:]  # the note stays


def test_load_preset_replaces_mapping_and_lookups() -> None:
    book = new_book()
    load_preset(book, "xero-csv", replace_lookups=True)  # Lookups replaced only when asked (test_keep_clerk_work)
    preset = get_preset("xero-csv")
    assert book.read_grid("Mapping") == preset.mapping
    assert book.read_grid("Lookups") == preset.lookups
    assert ("Mapping", True) in book.writes and ("Lookups", True) in book.writes and ("Settings", True) in book.writes
    assert book.read_grid("Invoices") == [["Invoice id"]]
    assert book.messages and "Lookups" in book.messages[-1]


def test_loaded_workbook_exports_the_golden_file() -> None:
    book = new_book()
    load_preset(book, "sage300cre", replace_lookups=True)
    settings = read_settings(book.read_grid("Settings"))
    mapping = compile_mapping(book.read_grid("Mapping"), book.read_grid("Lookups"), invoice_columns=COLUMNS)
    result = mapping.build(SHARED_ROWS, batch=BatchInfo(EXPORT_DATE), **invoice_policies(settings))
    stream = io.BytesIO()
    writer_for(settings).write(result.specs, result.records, stream)
    assert stream.getvalue() == GOLDEN_FILES["sage300cre"][0].read_bytes()


def test_fixed_width_preset_appends_its_own_settings_rows_and_they_survive_another_preset() -> None:
    book = new_book()
    load_preset(book, "fixed-width-example")
    rows = book.read_grid("Settings")
    balance = setting(book, "Balance check")
    assert balance[:2] == ["Balance check", "H.Total = sum(D.Amount, D tax.Amount)"] and "Preview" in balance[2]
    assert rows[-2][:2] == ["Right-aligned fields", "H.Total, D.Qty, D.Amount, D tax.Amount"] and "Fixed-width" in rows[-2][2]
    assert rows[-1][:2] == ["Pad character", "0"]
    assert writer_for(read_settings(rows)).options.model_dump()["pad_char"] == "0"
    load_preset(book, "generic-csv")
    rows = book.read_grid("Settings")
    assert rows[-2][0] == "Right-aligned fields"  # kept, and ignored by a delimited file
    assert setting(book, "Balance check")[:2] == ["Balance check", None]  # every preset sets it: emptied here
    assert writer_for(read_settings(rows)).extension == ".csv"
    assert setting(book, "File extension")[1] == ".csv"


def test_load_preset_into_a_workbook_without_settings_is_a_workbook_error() -> None:
    with pytest.raises(WorkbookError):
        load_preset(MemoryBook({"Mapping": []}), "generic-csv")


def test_merge_settings_sets_every_row_of_a_repeated_name_and_starts_an_empty_sheet() -> None:
    grid = [["Setting", "Value", "Notes"], ["Encoding"], ["encoding", "utf-8", "again"]]
    assert merge_settings(grid, {"Encoding": "cp1252"}) == [
        ["Setting", "Value", "Notes"], ["Encoding", "cp1252"], ["encoding", "cp1252", "again"]]
    merged = merge_settings([], {"Quoting": "all"})
    assert merged[0] == ["Setting", "Value", "Notes"] and merged[1][:2] == ["Quoting", "all"]


# --- writer_for and the Settings it reads -------------------------------------------------------

@pytest.mark.parametrize(("settings", "words"), [
    ({"File type": "excel"}, ("File type 'excel'", "delimited, fixed-width, iif, xml")),
    ({"File type": "iif", "File extension": "txt"}, ("File extension 'txt'", "written as .iif")),
    ({"Encoding": "latin-1"}, ("Encoding 'latin-1'", "utf-8, utf-8-sig")),
    ({"Line ending": "CR"}, ("Line ending 'CR'", "CRLF or LF")),
    ({"Quoting": "sometimes"}, ("Quoting 'sometimes'",)),
    ({"Delimiter": '"'}, ("Delimiter", "quote character")),
    ({"Delimiter": "::"}, ("Delimiter '::'",)),
    ({"File type": "fixed-width", "Pad character": "x"}, ("Pad character 'x'", "0 or space")),
])
def test_writer_for_refuses_settings_that_cannot_work(settings: dict[str, str], words: tuple[str, ...]) -> None:
    with pytest.raises(ConfigError) as caught:
        writer_for(settings)
    assert str(caught.value).startswith("Settings: ")
    assert all(word in str(caught.value) for word in words), str(caught.value)


def test_writer_for_reads_the_clerks_words() -> None:
    tab = writer_for({"Delimiter": "TAB", "Quoting": "All", "Line ending": "lf", "Encoding": "Windows-1252",
                      "File extension": "txt"})
    assert tab.options.model_dump() == {"encoding": "cp1252", "newline": "\n", "delimiter": "\t",
                                        "quoting": "all", "quote_char": '"', "extension": ".txt"}
    assert tab.extension == ".txt"
    spaced = writer_for({"File type": "Fixed-Width", "Pad character": "space", "File extension": ".TXT"})
    assert spaced.options.model_dump()["pad_char"] == " "
    assert writer_for({"File type": "xml", "Delimiter": "", "Quoting": ""}).extension == ".xml"


def test_invoice_policies() -> None:
    assert invoice_policies({"Zero invoices": "Export", "Credit memos": "skip"}) == {
        "zero_invoices": "export", "credit_memos": "skip"}
    with pytest.raises(ConfigError, match="Credit memos must be export or skip, not 'maybe'"):
        invoice_policies({"Credit memos": "maybe"})
