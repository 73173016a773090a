"""Delimited writer: the Sage 300 CRE, Xero and Sage 50 samples byte for byte, read back
with Python's csv module, plus quoting, delimiter, header and error behaviour."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from test_writers_testdata import INVOICES, money

from stac_xl.errors import ConfigError, WriteProblem
from stac_xl.records import FieldSpec, Grain, OutputRecord, RecordSpec
from stac_xl.writers.delimited import DelimitedWriter

GOLDEN = Path(__file__).parent / "golden"

# Hard-coded from import-formats.md, never derived from the writer.
XERO_HEADER = ["*ContactName", "EmailAddress", "POAddressLine1", "POAddressLine2", "POAddressLine3", "POAddressLine4", "POCity", "PORegion", "POPostalCode", "POCountry", "*InvoiceNumber", "Reference", "*InvoiceDate", "*DueDate", "Total", "InventoryItemCode", "*Description", "*Quantity", "*UnitAmount", "Discount", "*AccountCode", "*TaxType", "TaxAmount", "TrackingName1", "TrackingOption1", "TrackingName2", "TrackingOption2", "Currency", "BrandingTheme"]
SAGE50_HEADER = ["Customer ID", "Invoice/CM #", "Date", "Date Due", "Accounts Receivable Account", "Number of Distributions", "Invoice/CM Distribution", "Quantity", "Item ID", "Description", "G/L Account", "Unit Price", "Tax Type", "Amount", "Job ID"]
CRE_I = ["RecID", "Customer", "Invoice", "Description", "InvDate", "AcctDate", "DueDate", "Amount"]
CRE_D = ["RecID", "Job", "CostCode", "Category", "RevenueAcct", "Amount", "Description"]
XERO_ACCOUNTS = {"40000": "400", "41000": "410"}


def spec(name: str, fields: list[str], header: bool = False, grain: Grain = Grain.LINE) -> RecordSpec:
    return RecordSpec(name, grain, tuple(FieldSpec(f) for f in fields), header=header)


def write(writer: DelimitedWriter, specs: list[RecordSpec], records: list[OutputRecord]) -> bytes:
    stream = io.BytesIO()
    summary = writer.write(specs, records, stream)
    assert summary.bytes == len(stream.getvalue())
    return stream.getvalue()


def sage300_records() -> list[OutputRecord]:
    records = []
    for inv in INVOICES:
        mdy = inv.issued.strftime("%m/%d/%Y")
        records.append(OutputRecord("I", [
            "I", inv.customer_id, "ST" + inv.number, inv.job, mdy, mdy, inv.due.strftime("%m/%d/%Y"), money(inv.total),
        ]))
        for line in inv.lines:
            records.append(OutputRecord("D", ["D", inv.job, "", "", line.account, money(line.amount), line.description]))
    return records


def xero_records() -> list[OutputRecord]:
    records = []
    for inv in INVOICES:
        head = [inv.customer_name, inv.email, inv.street, "", "", "", inv.city, inv.state, inv.postal_code, "USA",
                inv.number, f"Job {inv.job}", inv.issued.strftime("%m/%d/%Y"), inv.due.strftime("%m/%d/%Y"), ""]
        for line in inv.lines:
            records.append(OutputRecord("Line", [
                *head, line.item, line.description, str(line.quantity), money(line.price), "",
                XERO_ACCOUNTS[line.account], "Tax Exempt", "", "", "", "", "", "USD", "",
            ]))
    return records


def sage50_records() -> list[OutputRecord]:
    records = []
    for inv in INVOICES:
        for n, line in enumerate(inv.lines, start=1):
            records.append(OutputRecord("Sales", [
                inv.customer_id, inv.number, inv.issued.strftime("%m/%d/%y"), inv.due.strftime("%m/%d/%y"), "11000",
                str(len(inv.lines)), str(n), f"{line.quantity:.2f}", line.item, line.description, line.account,
                money(line.price), "2", money(-line.amount), inv.job,
            ]))
    return records


def test_sage300_cre_sample_byte_for_byte() -> None:
    writer = DelimitedWriter({"quoting": "all", "newline": "CRLF", "encoding": "cp1252", "extension": "txt"})
    data = write(writer, [spec("I", CRE_I, grain=Grain.INVOICE), spec("D", CRE_D)], sage300_records())
    assert data == (GOLDEN / "sage300cre.txt").read_bytes()
    assert writer.extension == ".txt"


def test_sage300_cre_reads_back_with_d_rows_summing_to_their_i_row() -> None:
    rows = list(csv.reader(io.StringIO((GOLDEN / "sage300cre.txt").read_bytes().decode("cp1252"), newline="")))
    assert {row[0] for row in rows} == {"I", "D"} and rows[0][0] == "I"
    totals: list[tuple[Decimal, Decimal]] = []
    for row in rows:
        if row[0] == "I":
            totals.append((Decimal(row[7]), Decimal("0")))
        else:
            total, running = totals[-1]
            totals[-1] = (total, running + Decimal(row[5]))
    assert all(total == lines for total, lines in totals) and len(totals) == 2
    assert rows[-1][6] == "Fusible link, 165F"


def test_xero_sample_byte_for_byte_with_its_29_column_header() -> None:
    data = write(DelimitedWriter(), [spec("Line", XERO_HEADER, header=True)], xero_records())
    assert data == (GOLDEN / "xero.csv").read_bytes()


def test_xero_reads_back_by_header_name() -> None:
    reader = csv.DictReader(io.StringIO((GOLDEN / "xero.csv").read_bytes().decode("utf-8"), newline=""))
    rows = list(reader)
    assert reader.fieldnames == XERO_HEADER and len(XERO_HEADER) == 29
    assert [r["*ContactName"] for r in rows][2:] == ["Baker Street Bistro, LLC"] * 2
    assert [r["*Description"] for r in rows][-1] == "Fusible link, 165F"


def test_sage50_sample_byte_for_byte_with_headings() -> None:
    data = write(DelimitedWriter({"encoding": "cp1252"}), [spec("Sales", SAGE50_HEADER, header=True)], sage50_records())
    assert data == (GOLDEN / "sage50.csv").read_bytes()


def test_sage50_reads_back_with_distributions_counted_and_credits_negative() -> None:
    rows = list(csv.DictReader(io.StringIO((GOLDEN / "sage50.csv").read_bytes().decode("cp1252"), newline="")))
    for number, expected in (("10041", Decimal("-556.50")), ("10042", Decimal("-362.50"))):
        mine = [r for r in rows if r["Invoice/CM #"] == number]
        assert sum(Decimal(r["Amount"]) for r in mine) == expected
        assert {r["Number of Distributions"] for r in mine} == {str(len(mine))}


def test_header_row_only_for_record_types_that_ask_and_only_once() -> None:
    specs = [spec("H", ["Kind", "Number"], header=True, grain=Grain.INVOICE), spec("L", ["Kind", "Text"])]
    records = [OutputRecord("H", ["H", "1"]), OutputRecord("L", ["L", "a"]), OutputRecord("H", ["H", "2"])]
    assert write(DelimitedWriter({"newline": "LF"}), specs, records) == b"Kind,Number\nH,1\nL,a\nH,2\n"


@pytest.mark.parametrize(("word", "expected"), [("TAB", b"a\tb c\n"), (";", b"a;b c\n"), ("|", b"a|b c\n")])
def test_delimiter_words_and_characters(word: str, expected: bytes) -> None:
    data = write(DelimitedWriter({"delimiter": word, "newline": "\n"}), [spec("R", ["x", "y"])], [OutputRecord("R", ["a", "b c"])])
    assert data == expected


def test_minimal_quoting_doubles_quotes_and_quotes_line_breaks_even_with_lf() -> None:
    records = [OutputRecord("R", ['say "hi"', "two\rlines"])]
    data = write(DelimitedWriter({"newline": "LF"}), [spec("R", ["x", "y"])], records)
    assert data == b'"say ""hi""","two\rlines"\n'
    assert list(csv.reader(io.StringIO(data.decode(), newline=""))) == [['say "hi"', "two\rlines"]]


def test_quoting_none_refuses_a_value_holding_the_delimiter_naming_the_field() -> None:
    records = [OutputRecord("R", ["ok", "ok"]), OutputRecord("R", ["fine", "Baker Street Bistro, LLC"])]
    with pytest.raises(WriteProblem) as err:
        write(DelimitedWriter({"quoting": "none"}), [spec("R", ["Code", "Customer"])], records)
    assert (err.value.record_index, err.value.field) == (1, "Customer")
    assert str(err.value).startswith("Record 2 (R), field Customer: ',' cannot be written with quoting 'none'")


def test_quoting_none_writes_plain_values() -> None:
    data = write(DelimitedWriter({"quoting": "none", "delimiter": "|"}), [spec("R", ["x", "y"])], [OutputRecord("R", ["a,b", ""])])
    assert data == b"a,b|\r\n"


def test_record_type_not_in_the_mapping_is_named() -> None:
    with pytest.raises(WriteProblem, match=r"Record 1 is of type 'X', which the Mapping does not define \(record types: R\)"):
        write(DelimitedWriter(), [spec("R", ["x"])], [OutputRecord("X", ["a"])])


def test_wrong_number_of_values_is_named() -> None:
    with pytest.raises(WriteProblem, match=r"Record 1 \(R\) has 1 values but R has 2 fields"):
        write(DelimitedWriter(), [spec("R", ["x", "y"])], [OutputRecord("R", ["a"])])


@pytest.mark.parametrize(("options", "message"), [
    ({"delimiter": ",,"}, "option 'delimiter' value error, must be one character"),
    ({"quoting": "some"}, "option 'quoting' input should be 'minimal', 'all' or 'none'"),
    ({"extension": "a/b"}, "option 'extension' value error"),
    ({"delimitr": ";"}, "unknown option 'delimitr'"),
])
def test_bad_options_are_config_errors_naming_the_option(options: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        DelimitedWriter(options)
    assert message in str(err.value) and "Known options: encoding, newline, delimiter" in str(err.value)
