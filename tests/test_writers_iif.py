"""IIF writer: the QuickBooks samples byte for byte, read back by a tiny IIF reader written
here (sharing no code with the writer), plus the TAB/line-break refusals."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from test_writers_testdata import INVOICES, money

from stac_xl.errors import WriteProblem
from stac_xl.records import FieldSpec, Grain, OutputRecord, RecordSpec
from stac_xl.writers.iif import IifWriter, check_sums_to_zero

GOLDEN = Path(__file__).parent / "golden"

# Hard-coded from import-formats.md §3 (the columns after the keyword).
TRNS = ["TRNSID", "TRNSTYPE", "DATE", "ACCNT", "NAME", "CLASS", "AMOUNT", "DOCNUM", "MEMO", "CLEAR", "TOPRINT", "NAMEISTAXABLE", "DUEDATE", "TERMS"]
SPL = ["SPLID", "TRNSTYPE", "DATE", "ACCNT", "NAME", "CLASS", "AMOUNT", "DOCNUM", "MEMO", "CLEAR", "QNTY", "PRICE", "INVITEM", "TAXABLE"]
CUST = ["NAME", "BADDR1", "BADDR2", "BADDR3", "PHONE1", "TERMS", "TAXABLE"]
PHONES = {"ACME01": "919-555-0100", "BAKER01": "919-555-0142"}


def spec(name: str, fields: list[str], grain: Grain) -> RecordSpec:
    return RecordSpec(name, grain, tuple(FieldSpec(f) for f in fields))


SPECS = [spec("TRNS", TRNS, Grain.INVOICE), spec("SPL", SPL, Grain.LINE), spec("ENDTRNS", [], Grain.INVOICE_END)]


def invoice_records() -> list[OutputRecord]:
    records = []
    for inv in INVOICES:
        day, due = inv.issued.strftime("%m/%d/%y"), inv.due.strftime("%m/%d/%y")
        records.append(OutputRecord("TRNS", [
            "", "INVOICE", day, "Accounts Receivable", inv.customer_name, "", money(inv.total), inv.number,
            f"Job {inv.job}", "N", "N", "N", due, "Net 30",
        ]))
        for line in inv.lines:
            records.append(OutputRecord("SPL", [
                "", "INVOICE", day, line.account_name, inv.customer_name, "", money(-line.amount), inv.number,
                line.description, "N", str(-line.quantity), money(line.price), line.item, "N",
            ]))
        records.append(OutputRecord("ENDTRNS", []))
    return records


def write(records: list[OutputRecord], specs: list[RecordSpec] = SPECS, **options: str) -> bytes:
    stream = io.BytesIO()
    IifWriter(options).write(specs, records, stream)
    return stream.getvalue()


def read_iif(data: bytes) -> list[list[dict[str, str]]]:
    """Independent reader: CRLF lines, TAB columns, '!' rows name the columns; one list per TRNS…ENDTRNS."""
    columns: dict[str, list[str]] = {}
    transactions: list[list[dict[str, str]]] = []
    for line in data.decode("cp1252").split("\r\n")[:-1]:
        keyword, *cells = line.split("\t")
        if keyword.startswith("!"):
            columns[keyword[1:]] = cells
        elif keyword == "TRNS":
            transactions.append([{"type": "TRNS", **dict(zip(columns["TRNS"], cells))}])
        elif keyword == "SPL":
            transactions[-1].append({"type": "SPL", **dict(zip(columns["SPL"], cells))})
        else:
            assert keyword == "ENDTRNS" and cells == []
    return transactions


def test_invoice_sample_byte_for_byte() -> None:
    assert write(invoice_records()) == (GOLDEN / "quickbooks.iif").read_bytes()


def test_invoice_sample_reads_back_balanced() -> None:
    transactions = read_iif((GOLDEN / "quickbooks.iif").read_bytes())
    assert len(transactions) == 2
    for entries in transactions:
        assert sum(Decimal(e["AMOUNT"]) for e in entries) == 0
        assert [e["type"] for e in entries] == ["TRNS", "SPL", "SPL"]
    assert transactions[1][0]["NAME"] == "Baker Street Bistro, LLC"
    assert transactions[1][2]["MEMO"] == "Fusible link, 165F"


def test_customer_list_sample_byte_for_byte() -> None:
    records = [
        OutputRecord("CUST", [
            inv.customer_name, inv.customer_name, inv.street, f"{inv.city}, {inv.state} {inv.postal_code}",
            PHONES[inv.customer_id], "Net 30", "N",
        ])
        for inv in INVOICES
    ]
    data = write(records, [spec("CUST", CUST, Grain.INVOICE)])
    assert data == (GOLDEN / "quickbooks-customers.iif").read_bytes()


def test_defaults_are_windows_1252_and_crlf() -> None:
    records = [OutputRecord("CUST", ["Café °F", "", "", "", "", "", ""])]
    data = write(records, [spec("CUST", CUST, Grain.INVOICE)])
    assert data.endswith(b"Caf\xe9 \xb0F\t\t\t\t\t\t\r\n")


def test_definition_rows_are_written_for_an_empty_file() -> None:
    assert write([]) == b"!TRNS\t" + "\t".join(TRNS).encode() + b"\r\n!SPL\t" + "\t".join(SPL).encode() + b"\r\n!ENDTRNS\r\n"


@pytest.mark.parametrize(("value", "what"), [("a\tb", "a TAB"), ("a\nb", "a line break"), ("a\rb", "a line break")])
def test_separator_inside_a_value_is_refused_naming_the_field(value: str, what: str) -> None:
    records = invoice_records()
    records[1].values[8] = value  # first SPL's MEMO
    with pytest.raises(WriteProblem) as err:
        write(records)
    assert (err.value.record_index, err.value.record, err.value.field) == (1, "SPL", "MEMO")
    assert f"{what} inside a value would break the IIF row" in str(err.value)


def test_transaction_without_endtrns_type_is_refused() -> None:
    with pytest.raises(WriteProblem, match="needs record types TRNS, SPL and ENDTRNS; the Mapping lacks ENDTRNS"):
        write([], SPECS[:2])


def test_column_name_with_a_tab_is_refused() -> None:
    with pytest.raises(WriteProblem, match="cannot be an IIF keyword or column name"):
        write([], [spec("CUST", ["NA\tME"], Grain.INVOICE)])


# --- the keyword is the record name's first word: a sales-tax split is an SPL ------------------

SPL_TAX = spec("SPL tax", SPL, Grain.INVOICE_END)
TAXED_SPECS = [SPECS[0], SPECS[1], SPL_TAX, SPECS[2]]


def taxed_records() -> list[OutputRecord]:
    """INV 10041 with 40.35 of sales tax as a split of its own, before ENDTRNS."""
    records = invoice_records()[:4]
    records[0].values[6] = "596.85"
    tax = ["", "INVOICE", "03/15/24", "Sales Tax Payable", "Acme Property Mgmt", "", "-40.35", "10041", "Sales tax",
           "N", "", "", "Sales Tax", "N"]
    return [*records[:3], OutputRecord("SPL tax", tax), records[3]]


def test_a_record_type_writes_the_first_word_of_its_name_with_one_definition_row_per_keyword() -> None:
    lines = write(taxed_records(), TAXED_SPECS).decode("cp1252").split("\r\n")
    assert [line.split("\t")[0] for line in lines] == ["!TRNS", "!SPL", "!ENDTRNS", "TRNS", "SPL", "SPL", "SPL",
                                                       "ENDTRNS", ""]
    entries = read_iif(write(taxed_records(), TAXED_SPECS))[0]
    assert entries[-1]["ACCNT"] == "Sales Tax Payable" and entries[-1]["INVITEM"] == "Sales Tax"
    assert sum(Decimal(e["AMOUNT"]) for e in entries) == 0


def test_record_types_sharing_a_keyword_need_the_same_fields() -> None:
    short = spec("SPL tax", SPL[:-1], Grain.INVOICE_END)
    with pytest.raises(WriteProblem) as err:
        write([], [SPECS[0], SPECS[1], short, SPECS[2]])
    assert str(err.value) == (
        "Record types 'SPL' and 'SPL tax' both write SPL lines, which share one !SPL definition row, so they need "
        "the same fields in the same order on the Mapping sheet; 'SPL' has " + ", ".join(SPL) + ", 'SPL tax' has "
        + ", ".join(SPL[:-1]) + ".")
    assert err.value.record == "SPL tax"


def test_a_transaction_counts_record_types_by_keyword() -> None:
    with pytest.raises(WriteProblem, match="the Mapping lacks SPL"):
        write([], [SPECS[0], spec("TRNS extra", TRNS, Grain.INVOICE), spec("ENDTRNS", [], Grain.INVOICE_END)])


def test_transactions_summing_to_zero_count_the_tax_split() -> None:
    records = taxed_records()
    assert check_sums_to_zero(TAXED_SPECS, records) == []
    records[3].values[6] = "-40.00"
    assert [(str(p), p.record_index) for p in check_sums_to_zero(TAXED_SPECS, records)] == [
        ("Record 1, TRNS AMOUNT: the transaction does not balance: its TRNS and SPL amounts add up to 0.35, not 0.", 0)]


def test_the_iif_writer_checks_its_transactions_for_preview_and_export() -> None:
    records = taxed_records()
    assert IifWriter().check(TAXED_SPECS, records) == []
    records[3].values[6] = "-40.00"
    assert IifWriter().check(TAXED_SPECS, records) == check_sums_to_zero(TAXED_SPECS, records) != []
