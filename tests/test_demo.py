"""``stac-xl demo`` end to end on a small sandbox: every shipped profile ends with an import
file, and each file is accepted by an independent reader holding it to its format's
invariants (csv parse and balance, the XSD, IIF transactions summing to zero, positions)."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import xmlschema
from test_presets import XSD, read_iif

from stac_xl.demo import DemoOutcome, run_demo
from stac_xl.presets import preset_names

TODAY = date(2024, 3, 20)


def rows_of(path: Path, encoding: str) -> list[list[str]]:
    text = path.read_bytes().decode(encoding)
    assert text.endswith("\r\n")
    return list(csv.reader(io.StringIO(text, newline="")))


def grouped(rows: list[list[str]], head: str) -> list[tuple[list[str], list[list[str]]]]:
    """Header rows (first cell ``head``) with the rows after each."""
    out: list[tuple[list[str], list[list[str]]]] = []
    for row in rows:
        if row[0] == head:
            out.append((row, []))
        else:
            out[-1][1].append(row)
    return out


def read_quickbooks(path: Path) -> int:
    transactions = read_iif(path.read_bytes())
    for entries in transactions:
        assert sum(Decimal(e["AMOUNT"]) for e in entries) == 0, entries[0]["DOCNUM"]
        assert all(len(e["NAME"]) <= 41 for e in entries)
    return sum(1 for entries in transactions if entries[-1]["ACCNT"] == "Sales Tax Payable")


def read_sage300(path: Path) -> int:
    invoices = grouped(rows_of(path, "cp1252"), "I")
    for head, lines in invoices:
        assert {d[0] for d in lines} == {"D"} and sum(Decimal(d[5]) for d in lines) == Decimal(head[7]), head
    return sum(1 for _, lines in invoices if lines[-1][6] == "Sales tax")


def read_computerease(path: Path) -> int:
    invoices = grouped(rows_of(path, "cp1252"), "H")
    for head, lines in invoices:
        assert sum(Decimal(line[4]) for line in lines) == Decimal(head[-1]), head
    return sum(1 for _, lines in invoices if lines[-1][2] == "SALESTAX")


def records_by(path: Path, encoding: str, column: str) -> dict[str, list[dict[str, str]]]:
    """A headed CSV's rows as dicts, grouped by the value of ``column`` (the invoice number)."""
    header, *rows = rows_of(path, encoding)
    grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        record = dict(zip(header, row))
        grouped[record[column]].append(record)
    return grouped


def read_sage50(path: Path) -> int:
    by_invoice = records_by(path, "cp1252", "Invoice/CM #")
    for records in by_invoice.values():
        assert {r["Number of Distributions"] for r in records} == {str(len(records))}
        assert all(Decimal(r["Amount"]) <= 0 for r in records)  # credits to income and tax; no credit memos
    return sum(1 for records in by_invoice.values() if records[-1]["Invoice/CM Distribution"] == "0")


def read_fixed_width(path: Path) -> int:
    lines = path.read_bytes().decode("cp1252").split("\r\n")[:-1]
    taxed, total = 0, Decimal(0)
    for line in [*lines, "H"]:
        if line[0] == "H":
            assert total == 0
            total = Decimal(line[37:49]) if len(line) > 1 else Decimal(0)
        else:
            assert len(line) == 80
            total -= Decimal(line[68:80])
            taxed += line[11:26] == "SALESTAX       "
    return taxed


def read_generic_csv(path: Path) -> int:
    by_invoice = records_by(path, "utf-8", "InvoiceNumber")
    for records in by_invoice.values():
        first = records[0]
        assert sum(Decimal(r["Amount"] or "0") for r in records) + Decimal(first["Tax"]) == Decimal(first["Total"])
    return sum(1 for records in by_invoice.values() if Decimal(records[0]["Tax"]))


def read_generic_xml(path: Path) -> int:
    xmlschema.XMLSchema(str(XSD)).validate(str(path))
    taxed = 0
    for invoice in ET.parse(path).getroot().findall("Invoice"):
        tax = Decimal(invoice.findtext("Tax", "0"))
        amounts = sum(Decimal(line.findtext("Amount", "")) for line in invoice.findall("Line"))
        assert amounts + tax == Decimal(invoice.findtext("Total", ""))
        taxed += bool(tax)
    return taxed


def read_xero(path: Path) -> int:
    header, *rows = rows_of(path, "utf-8")
    records = [dict(zip(header, row)) for row in rows]
    assert {r["*TaxType"] for r in records} <= {"Tax on Sales", "Tax Exempt"}
    return sum(1 for r in records if r["*TaxType"] == "Tax on Sales")


# profile → its independent reader, which returns how many taxed invoices (or lines) it saw
READERS: dict[str, Callable[[Path], int]] = {
    "quickbooks-iif": read_quickbooks, "sage300cre": read_sage300, "computerease": read_computerease,
    "sage50-csv": read_sage50, "fixed-width-example": read_fixed_width, "generic-csv": read_generic_csv,
    "generic-xml": read_generic_xml, "xero-csv": read_xero,
}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> list[DemoOutcome]:
    said: list[str] = []
    found = run_demo(tmp_path_factory.mktemp("demo"), invoices=150, seed=7, echo=said.append, today=TODAY)
    assert said[0].startswith("Sandbox (a local stand-in for ServiceTrade, not ServiceTrade) with 150 generated invoices")
    return found


def test_every_profile_ends_with_an_import_file(outcomes: list[DemoOutcome]) -> None:
    assert [o.profile for o in outcomes] == preset_names() == sorted(READERS)
    assert [(o.profile, o.note) for o in outcomes if o.file is None] == []
    assert all(o.file is not None and o.file.is_file() and o.file.stat().st_size for o in outcomes)


@pytest.mark.parametrize("profile", sorted(READERS))
def test_each_file_is_accepted_by_its_reader_with_taxed_invoices_in_it(outcomes: list[DemoOutcome], profile: str) -> None:
    outcome = next(o for o in outcomes if o.profile == profile)
    assert outcome.file is not None
    assert READERS[profile](outcome.file) > 0  # the sandbox's taxed invoices are in the file, balanced
