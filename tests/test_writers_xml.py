"""XML writer: the generic profile byte for byte, validated against generic-invoice.xsd with
xmlschema and read back with ElementTree, plus nesting, escaping, names and streaming."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import xmlschema
from test_writers_testdata import INVOICES, money

from stac_xl.errors import ConfigError, WriteProblem
from stac_xl.records import FieldSpec, Grain, OutputRecord, RecordSpec
from stac_xl.writers.xml import XmlWriter

GOLDEN = Path(__file__).parent / "golden"
XSD = Path(__file__).parent.parent / "stac_xl" / "schemas" / "generic-invoice.xsd"

# Hard-coded element names of the generic XML profile, in schema order.
INVOICE_FIELDS = ["InvoiceNumber", "InvoiceDate", "DueDate", "CustomerId", "CustomerName", "JobNumber",
                  "CustomerPO", "Terms", "Subtotal", "Tax", "Total"]
LINE_FIELDS = ["LineNo", "ItemCode", "Description", "Quantity", "UnitPrice", "Amount", "Taxable", "Account"]
INVOICE = RecordSpec("Invoice", Grain.INVOICE, tuple(FieldSpec(f) for f in INVOICE_FIELDS))
LINE = RecordSpec("Line", Grain.LINE, tuple(FieldSpec(f) for f in LINE_FIELDS))


def generic_records() -> list[OutputRecord]:
    records = []
    for inv in INVOICES:
        records.append(OutputRecord("Invoice", [
            inv.number, inv.issued.isoformat(), inv.due.isoformat(), inv.customer_id, inv.customer_name, inv.job,
            "", "Net 30", money(inv.total), "0.00", money(inv.total),
        ]))
        for n, line in enumerate(inv.lines, start=1):
            records.append(OutputRecord("Line", [
                str(n), line.item, line.description, str(line.quantity), money(line.price), money(line.amount),
                "false", line.account,
            ]))
    return records


def write(records: list[OutputRecord], specs: list[RecordSpec] | None = None, **options: object) -> bytes:
    stream = io.BytesIO()
    XmlWriter(options).write(specs or [INVOICE, LINE], records, stream)
    return stream.getvalue()


def test_generic_sample_byte_for_byte() -> None:
    assert write(generic_records()) == (GOLDEN / "generic.xml").read_bytes()


def test_generic_sample_is_valid_against_the_schema() -> None:
    xmlschema.XMLSchema(str(XSD)).validate(str(GOLDEN / "generic.xml"))


def test_generic_sample_reads_back_with_lines_summing_to_total() -> None:
    root = ET.fromstring((GOLDEN / "generic.xml").read_bytes())
    invoices = root.findall("Invoice")
    assert [i.findtext("InvoiceNumber") for i in invoices] == ["10041", "10042"]
    for inv in invoices:
        assert sum(Decimal(x.text or "") for x in inv.iterfind("Line/Amount")) == Decimal(inv.findtext("Total") or "")
        assert inv.find("CustomerPO") is None  # empty values are omitted
    assert invoices[1].findtext("Line[2]/Description") == "Fusible link, 165F"


def test_schema_rejects_an_invoice_without_a_total() -> None:
    records = generic_records()[:1]
    records[0].values[10] = ""
    assert not xmlschema.XMLSchema(str(XSD)).is_valid(write(records).decode())


def test_markup_characters_are_escaped_and_survive_a_round_trip() -> None:
    records = generic_records()[:2]
    records[1].values[2] = 'Pipe & fittings <2"> \'x\'\r\nnext'
    root = ET.fromstring(write(records))
    assert root.findtext("Invoice/Line/Description") == 'Pipe & fittings <2"> \'x\'\r\nnext'


def test_without_nesting_every_record_is_a_child_of_the_root() -> None:
    root = ET.fromstring(write(generic_records(), nest=False, root="Batch"))
    assert root.tag == "Batch" and [c.tag for c in root][:3] == ["Invoice", "Line", "Line"]


def test_file_start_and_end_records_are_children_of_the_root() -> None:
    start = RecordSpec("Batch", Grain.FILE_START, (FieldSpec("Count"),))
    end = RecordSpec("End", Grain.FILE_END, ())
    records = [OutputRecord("Batch", ["2"]), *generic_records(), OutputRecord("End", [])]
    root = ET.fromstring(write(records, [start, INVOICE, LINE, end]))
    assert [c.tag for c in root] == ["Batch", "Invoice", "Invoice", "End"]
    assert len(root.findall("Invoice/Line")) == 4


def test_empty_elements_are_kept_when_asked() -> None:
    root = ET.fromstring(write(generic_records(), omit_empty=False))
    assert root.find("Invoice/CustomerPO") is not None and root.findtext("Invoice/CustomerPO") == ""


def test_line_before_any_invoice_is_refused() -> None:
    with pytest.raises(WriteProblem, match=r"Record 1 \(Line\) belongs inside an invoice record, but none comes before it"):
        write(generic_records()[1:])


@pytest.mark.parametrize("bad", ["Unit Price", "1stLine", "G/L", "xmlThing", "ns:Tag"])
def test_field_name_that_is_not_an_xml_name_is_refused(bad: str) -> None:
    spec = RecordSpec("Line", Grain.LINE, (FieldSpec(bad),))
    with pytest.raises(WriteProblem) as err:
        write([], [spec], nest=False)
    assert err.value.field == bad and "is not a valid XML element name" in str(err.value)


def test_bad_root_name_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="option 'root' value error, 'My Invoices' is not a valid XML element name"):
        XmlWriter({"root": "My Invoices"})


def test_control_character_is_refused_naming_the_field() -> None:
    records = generic_records()[:1]
    records[0].values[4] = "Acme\x0bMgmt"
    with pytest.raises(WriteProblem, match=r"Record 1 \(Invoice\), field CustomerName: '\\x0b' \(U\+000B"):
        write(records)


def test_cp1252_is_declared_in_the_xml_declaration() -> None:
    data = write(generic_records()[:1], encoding="cp1252")
    assert data.startswith(b'<?xml version="1.0" encoding="windows-1252"?>\n')
    assert ET.fromstring(data).findtext("Invoice/CustomerId") == "ACME01"


def test_hundred_thousand_records_stream_to_the_file() -> None:
    def many() -> Iterator[OutputRecord]:
        for n in range(50_000):
            yield OutputRecord("Invoice", [str(n), "2024-03-15", "", "C1", "", "", "", "", "", "", "1.00"])
            yield OutputRecord("Line", ["1", "", "Work", "1", "1.00", "1.00", "", ""])

    stream = io.BytesIO()
    summary = XmlWriter().write([INVOICE, LINE], many(), stream)
    assert summary.records == 100_000 and summary.bytes == len(stream.getvalue())
    ends = sum(1 for event, el in ET.iterparse(io.BytesIO(stream.getvalue()), events=("end",)) if el.tag == "Line")
    assert ends == 50_000
