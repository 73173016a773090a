"""Mapping sheets applied to the shared test invoices: the exact records of each target."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from stac_xl.errors import MappingError
from stac_xl.mapping import BatchInfo, compile_mapping
from stac_xl.problems import Problem
from stac_xl.records import Grain

COLUMNS = [
    "Invoice id", "Invoice number", "Type", "Status", "Transaction date", "Due date", "Created",
    "Customer id", "Customer", "Location id", "Location", "Street", "City", "State", "Postal code",
    "Job id", "Job number", "Customer PO", "Terms", "Line id", "Line no", "Description", "Quantity",
    "Unit price", "Line total", "Taxable", "Item code", "Item name", "Service line", "Subtotal", "Tax",
    "Invoice total", "location.address.city",
]
RECORDS_HEADER = ["Record", "When", "Header row", "Notes"]
RULES_HEADER = ["Record", "Field", "Source", "Transform", "Default", "Required", "Max length", "Notes"]
BATCH = BatchInfo(export_date=date(2024, 3, 19), batch_id="B-7")


def mapping_grid(records: list[list[Any]], rules: list[list[Any]]) -> list[list[Any]]:
    """A Mapping sheet as the port reads it: Records, an empty row, Rules."""
    return [["Records"], RECORDS_HEADER, *records, [], ["Rules"], RULES_HEADER, *rules]


LOOKUPS = [
    ["Income and GL accounts for ServiceTrade item codes"],
    [],
    ["Table: GL accounts"], ["Key", "Value"], ["INSPECTION", 40000], ["PARTS", 41000.0],
    [],
    ["Table: Income accounts"], ["Key", "Value", "Notes"],
    ["inspection", "Service Income", "QuickBooks matches accounts by name"], ["PARTS", "Parts Income"],
]


def invoice(invoice_id: str, number: str, customer_id: str, customer: str, day: date, due: date,
            job: str, total: str, lines: list[tuple[str, str, str, str, str]]) -> list[dict[str, Any]]:
    """Rows of one invoice as the Invoices sheet gives them (typed)."""
    head = dict.fromkeys(COLUMNS) | {
        "Invoice id": invoice_id, "Invoice number": number, "Type": "invoice", "Status": "ok",
        "Transaction date": day, "Due date": due, "Customer id": customer_id, "Customer": customer,
        "Job number": job, "Terms": "Net 30", "Subtotal": Decimal(total), "Tax": Decimal("0.00"),
        "Invoice total": Decimal(total), "location.address.city": "Raleigh",
    }
    if not lines:
        return [head]
    return [head | {"Line id": line_id, "Line no": n, "Description": text, "Quantity": Decimal(qty),
                    "Unit price": Decimal(price), "Line total": Decimal(qty) * Decimal(price),
                    "Taxable": False, "Item code": item}
            for n, (line_id, item, text, qty, price) in enumerate(lines, start=1)]


def shared_rows() -> list[dict[str, Any]]:
    """INV 10041 and 10042 of import-formats.md."""
    return [
        *invoice("700123", "10041", "ACME01", "Acme Property Mgmt", date(2024, 3, 15), date(2024, 4, 14),
                 "24-1001", "556.50", [("900001", "INSPECTION", "Quarterly fire sprinkler inspection", "1", "450.00"),
                                       ("900002", "PARTS", "Replace sprinkler head", "3", "35.50")]),
        *invoice("700124", "10042", "BAKER01", "Baker Street Bistro, LLC", date(2024, 3, 18), date(2024, 4, 17),
                 "24-1002", "362.50", [("900003", "INSPECTION", "Kitchen hood suppression inspection", "1", "325.00"),
                                       ("900004", "PARTS", "Fusible link, 165F", "2", "18.75")]),
    ]


SIGN = 'if_negative("CREDIT MEMO","INVOICE")'
IIF_MAPPING = mapping_grid(
    [["TRNS", "invoice", "yes", "one per invoice: the A/R side"], ["SPL", "line", "yes", ""],
     ["ENDTRNS", "invoice end", "yes", ""]],
    [["TRNS", "TRNSID", "", "", "", "", "", ""],
     ["TRNS", "TRNSTYPE", "[invoice total]", SIGN, "", "yes", "", ""],
     ["TRNS", "DATE", "Transaction date", "date(MM/DD/YY)", "", "yes", "", ""],
     ["TRNS", "ACCNT", '"Accounts Receivable"', "", "", "yes", "", ""],
     ["TRNS", "NAME", "Customer", "strip_newlines | truncate(41)", "", "yes", 41, ""],
     ["TRNS", "CLASS", "", "", "", "", "", ""],
     ["TRNS", "AMOUNT", "[invoice total]", "number(2)", "", "yes", "", ""],
     ["TRNS", "DOCNUM", "Invoice number", "", "", "yes", 11.0, ""],
     ["TRNS", "MEMO", "Job {Job number}", "", "", "", "", ""],
     ["TRNS", "CLEAR", '"N"', "", "", "", "", ""],
     ["TRNS", "TOPRINT", '"N"', "", "", "", "", ""],
     ["TRNS", "NAMEISTAXABLE", '"N"', "", "", "", "", ""],
     ["TRNS", "DUEDATE", "Due date", "date(MM/DD/YY)", "", "", "", ""],
     ["TRNS", "TERMS", "Terms", "", "", "", "", ""],
     ["SPL", "SPLID", "", "", "", "", "", ""],
     ["SPL", "TRNSTYPE", "[invoice total]", SIGN, "", "", "", ""],
     ["SPL", "DATE", "Transaction date", "date(MM/DD/YY)", "", "", "", ""],
     ["SPL", "ACCNT", "Item code", "lookup(Income accounts)", "", "yes", "", ""],
     ["SPL", "NAME", "Customer", "", "", "", "", ""],
     ["SPL", "CLASS", "", "", "", "", "", ""],
     ["SPL", "AMOUNT", "[line amount]", "negate | number(2)", "", "yes", "", "credit: negative"],
     ["SPL", "DOCNUM", "Invoice number", "", "", "", "", ""],
     ["SPL", "MEMO", "Description", "strip_newlines", "", "", "", ""],
     ["SPL", "CLEAR", '"N"', "", "", "", "", ""],
     ["SPL", "QNTY", "Quantity", "negate", "", "", "", ""],
     ["SPL", "PRICE", "Unit price", "number(2)", "", "", "", ""],
     ["SPL", "INVITEM", "Item code", "", "", "", "", ""],
     ["SPL", "TAXABLE", "Taxable", 'yesno("Y","N")', "", "", "", ""],
     [],
     ["ENDTRNS", None, None, None, None, None, None, "IIF's ENDTRNS has no fields"]],
)

# import-formats.md §3, without the keyword column (the writer adds it)
IIF_SAMPLE = """\
TRNS		INVOICE	03/15/24	Accounts Receivable	Acme Property Mgmt		556.50	10041	Job 24-1001	N	N	N	04/14/24	Net 30
SPL		INVOICE	03/15/24	Service Income	Acme Property Mgmt		-450.00	10041	Quarterly fire sprinkler inspection	N	-1	450.00	INSPECTION	N
SPL		INVOICE	03/15/24	Parts Income	Acme Property Mgmt		-106.50	10041	Replace sprinkler head	N	-3	35.50	PARTS	N
ENDTRNS
TRNS		INVOICE	03/18/24	Accounts Receivable	Baker Street Bistro, LLC		362.50	10042	Job 24-1002	N	N	N	04/17/24	Net 30
SPL		INVOICE	03/18/24	Service Income	Baker Street Bistro, LLC		-325.00	10042	Kitchen hood suppression inspection	N	-1	325.00	INSPECTION	N
SPL		INVOICE	03/18/24	Parts Income	Baker Street Bistro, LLC		-37.50	10042	Fusible link, 165F	N	-2	18.75	PARTS	N
ENDTRNS"""


def test_iif_mapping_gives_the_vendor_sample_records():
    result = compile_mapping(IIF_MAPPING, LOOKUPS, invoice_columns=COLUMNS).build(shared_rows(), batch=BATCH)
    lines = ["\t".join([r.record, *r.values]) for r in result.records]
    assert lines == IIF_SAMPLE.splitlines()
    assert result.problems == []


def test_iif_specs_follow_the_records_list_with_fields_in_rule_order():
    specs = compile_mapping(IIF_MAPPING, LOOKUPS, invoice_columns=COLUMNS).specs
    assert [(s.name, s.grain, s.header, len(s.fields)) for s in specs] == [
        ("TRNS", Grain.INVOICE, True, 14), ("SPL", Grain.LINE, True, 14), ("ENDTRNS", Grain.INVOICE_END, True, 0)]
    trns = specs[0]
    assert trns.field_names[:4] == ["TRNSID", "TRNSTYPE", "DATE", "ACCNT"]
    assert (trns.fields[4].max_length, trns.fields[4].required) == (41, True)
    assert (trns.fields[7].name, trns.fields[7].max_length) == ("DOCNUM", 11)


def test_iif_spl_values_by_name():
    result = compile_mapping(IIF_MAPPING, LOOKUPS, invoice_columns=COLUMNS).build(shared_rows(), batch=BATCH)
    spl = dict(zip(result.specs[1].field_names, result.records[1].values))
    assert (spl["AMOUNT"], spl["QNTY"], spl["DATE"], spl["ACCNT"]) == ("-450.00", "-1", "03/15/24", "Service Income")


def test_records_carry_invoice_and_line_ids_for_the_export_sheet():
    result = compile_mapping(IIF_MAPPING, LOOKUPS, invoice_columns=COLUMNS).build(shared_rows(), batch=BATCH)
    assert [(r.record, r.invoice_id, r.line_id) for r in result.records[:4]] == [
        ("TRNS", "700123", None), ("SPL", "700123", "900001"), ("SPL", "700123", "900002"), ("ENDTRNS", "700123", None)]


def test_a_credit_memo_signs_flip_and_its_type_changes():
    rows = invoice("700200", "10050", "ACME01", "Acme Property Mgmt", date(2024, 3, 20), date(2024, 4, 19),
                   "24-1001", "-35.50", [("900010", "PARTS", "Returned sprinkler head", "-1", "35.50")])
    result = compile_mapping(IIF_MAPPING, LOOKUPS, invoice_columns=COLUMNS).build(rows, batch=BATCH)
    trns, spl = result.records[0].values, result.records[1].values
    assert (trns[1], trns[6]) == ("CREDIT MEMO", "-35.50")
    assert (spl[1], spl[6], spl[10]) == ("CREDIT MEMO", "35.50", "1")


SAGE_300_MAPPING = mapping_grid(
    [["I", "invoice", "no", "Activity"], ["D", "line", "no", "Distribution"]],
    [["I", "RecID", '"I"', "", "", "yes", "", ""],
     ["I", "Customer", "Customer id", "upper", "", "yes", "10", ""],
     ["I", "Invoice", "ST{Invoice number}", "", "", "yes", "15", ""],
     ["I", "Description", "Job number", "truncate(30)", "", "", "30", ""],
     ["I", "InvDate", "Transaction date", "date(MM/DD/YYYY)", "", "yes", "", ""],
     ["I", "AcctDate", "Transaction date", "date(MM/DD/YYYY)", "", "", "", ""],
     ["I", "DueDate", "Due date", "date(MM/DD/YYYY)", "", "", "", ""],
     ["I", "Amount", "[invoice total]", "number(2)", "", "yes", "", ""],
     ["D", "RecID", '"D"', "", "", "", "", ""],
     ["D", "Job", "Job number", "", "", "", "", ""],
     ["D", "CostCode", "", "", "", "", "", ""],
     ["D", "Category", "", "", "", "", "", ""],
     ["D", "RevenueAcct", "Item code", "lookup(GL accounts)", "", "yes", "", ""],
     ["D", "Amount", "[line amount]", "number(2)", "", "", "", ""],
     ["D", "Description", "Description", "strip_newlines", "", "", "", ""]],
)

SAGE_300_SAMPLE = [
    ["I", "ACME01", "ST10041", "24-1001", "03/15/2024", "03/15/2024", "04/14/2024", "556.50"],
    ["D", "24-1001", "", "", "40000", "450.00", "Quarterly fire sprinkler inspection"],
    ["D", "24-1001", "", "", "41000", "106.50", "Replace sprinkler head"],
    ["I", "BAKER01", "ST10042", "24-1002", "03/18/2024", "03/18/2024", "04/17/2024", "362.50"],
    ["D", "24-1002", "", "", "40000", "325.00", "Kitchen hood suppression inspection"],
    ["D", "24-1002", "", "", "41000", "37.50", "Fusible link, 165F"],
]


def test_sage_300_cre_activity_and_distribution_records():
    result = compile_mapping(SAGE_300_MAPPING, LOOKUPS, invoice_columns=COLUMNS).build(shared_rows(), batch=BATCH)
    assert [r.values for r in result.records] == SAGE_300_SAMPLE
    assert result.problems == []


FILE_LEVEL = mapping_grid(
    [["H", "file start", "no", ""], ["INV", "invoice", "no", ""], ["LN", "line", "no", ""],
     ["END", "invoice end", "no", ""], ["T", "file end", "no", ""]],
    [["H", "Date", "[batch date]", "date(YYYY-MM-DD)", "", "", "", ""],
     ["H", "Batch", "[batch id]", "", "", "", "", ""],
     ["H", "Invoices", "[invoice count]", "", "", "", "", ""],
     ["H", "Total", "[batch total]", "number(2)", "", "", "", ""],
     ["INV", "Seq", "[sequence]", "", "", "", "", ""],
     ["INV", "No", "[invoice index]", "", "", "", "", ""],
     ["INV", "Lines", "[line count]", "", "", "", "", ""],
     ["INV", "PO", "Customer PO", "", "NO PO", "", "", ""],
     ["INV", "City", "location.address.city", "upper", "", "", "", ""],
     ["LN", "Seq", "[sequence]", "", "", "", "", ""],
     ["LN", "Index", "[line index]", "", "", "", "", ""],
     ["LN", "Amount", "[line amount]", "", "", "", "", ""],
     ["LN", "Ref", "{Invoice number}-{[line index]}", "", "", "", "", ""],
     ["END", "Total", "[invoice total]", "implied(2)", "", "", "", ""],
     ["END", "Tax", "[tax total]", "number(2)", "", "", "", ""],
     ["END", "Subtotal", "[invoice subtotal]", "number(2)", "", "", "", ""],
     ["T", "Records", "[sequence]", "", "", "", "", ""],
     ["T", "Total", "[batch total]", "implied(2) | pad_left(12,\"0\")", "", "", "", ""]],
)


def test_every_grain_in_file_order_with_computed_values():
    rows = shared_rows() + invoice("700125", "10043", "ACME01", "Acme Property Mgmt", date(2024, 3, 19),
                                   date(2024, 4, 18), "", "0.00", [])
    result = compile_mapping(FILE_LEVEL, [], invoice_columns=COLUMNS).build(rows, batch=BATCH)
    assert [[r.record, *r.values] for r in result.records] == [
        ["H", "2024-03-19", "B-7", "3", "919.00"],
        ["INV", "2", "1", "2", "NO PO", "RALEIGH"],
        ["LN", "3", "1", "450.00", "10041-1"],
        ["LN", "4", "2", "106.50", "10041-2"],
        ["END", "55650", "0.00", "556.50"],
        ["INV", "6", "2", "2", "NO PO", "RALEIGH"],
        ["LN", "7", "1", "325.00", "10042-1"],
        ["LN", "8", "2", "37.50", "10042-2"],
        ["END", "36250", "0.00", "362.50"],
        ["INV", "10", "3", "0", "NO PO", "RALEIGH"],
        ["END", "0", "0.00", "0.00"],
        ["T", "12", "000000091900"],
    ]


@pytest.mark.parametrize("source, expected", [
    ("Customer", "Baker Street Bistro, LLC"),
    ("location.address.city", "Raleigh"),                      # an extra column headed by its JSON path
    ('"AR"', "AR"),
    ('"say ""hi"""', 'say "hi"'),
    ('""', ""),
    ("“AR”", "AR"),                                            # Excel's curly quotes
    (11000, "11000"),                                          # a number typed in Source is a literal
    (11000.0, "11000"),
    ("", ""),
    ("{Invoice number}/{Customer id}", "10042/BAKER01"),
    ("{{{Invoice number}}}", "{10042}"),
    ("Job {Job number} for {Customer}", "Job 24-1002 for Baker Street Bistro, LLC"),
    ("[invoice total]", "362.50"),
    ("[ Invoice  Total ]", "362.50"),                          # computed names ignore case and spacing
    ("[line count]", "2"),
    ("[invoice index]", "2"),
    ("[batch date]", "2024-03-19"),
    ("Transaction date", "2024-03-18"),                        # dates are ISO unless transformed
    ("Taxable", "FALSE"),                                      # booleans TRUE/FALSE unless transformed
    ("Quantity", "1"),
    ("Customer PO", ""),
])
def test_sources(source, expected):
    grid = mapping_grid([["I", "invoice", "", ""]], [["I", "Value", source, "", "", "", "", ""]])
    result = compile_mapping(grid, [], invoice_columns=COLUMNS).build(shared_rows(), batch=BATCH)
    assert result.records[1].values == [expected]


def test_line_amount_is_quantity_times_price_rounded_half_up_when_line_total_is_empty():
    rows = invoice("1", "1", "C", "C", date(2024, 3, 15), date(2024, 3, 15), "J", "1.01",
                   [("11", "PARTS", "Odd price", "3", "0.335")])
    rows[0]["Line total"] = None
    grid = mapping_grid([["LN", "line", "", ""]], [["LN", "Amount", "[line amount]", "", "", "", "", ""]])
    result = compile_mapping(grid, [], invoice_columns=COLUMNS).build(rows, batch=BATCH)
    assert result.records[0].values == ["1.01"]


def test_a_missing_lookup_key_is_a_problem_naming_the_invoice_and_the_key():
    rows = shared_rows()
    rows[3]["Item code"] = "SERVICE"
    result = compile_mapping(SAGE_300_MAPPING, LOOKUPS, invoice_columns=COLUMNS).build(rows, batch=BATCH)
    assert result.records[5].values[4] == ""
    assert result.problems == [Problem(
        "error", "'SERVICE' is not in lookup table 'GL accounts'; add it on the Lookups sheet or give the "
        "lookup a default.", "10042", "700124", 5, 4, "D", "RevenueAcct")]
    assert str(result.problems[0]) == ("Invoice 10042, D RevenueAcct: 'SERVICE' is not in lookup table "
                                       "'GL accounts'; add it on the Lookups sheet or give the lookup a default.")


@pytest.mark.parametrize("transform, expected", [
    ('lookup(GL accounts, default="49000")', "49000"),
    ('lookup("GL accounts", default=49000)', "49000"),
])
def test_a_lookup_default_fills_a_missing_key_without_a_problem(transform, expected):
    rows = shared_rows()
    rows[0]["Item code"] = "SERVICE"
    grid = mapping_grid([["D", "line", "", ""]], [["D", "Acct", "Item code", transform, "", "", "", ""]])
    result = compile_mapping(grid, LOOKUPS, invoice_columns=COLUMNS).build(rows, batch=BATCH)
    assert [r.values[0] for r in result.records] == [expected, "41000", "40000", "41000"]
    assert result.problems == []


def test_lookup_on_two_keys_uses_another_invoices_column():
    lookups = [["Table: GL by state"], ["Key 1", "Key 2", "Value"],
               ["PARTS", "NC", "41000-NC"], ["PARTS", "SC", "41000-SC"], ["INSPECTION", "NC", "40000-NC"]]
    rows = shared_rows()
    for row in rows:
        row["State"] = "NC"
    grid = mapping_grid([["D", "line", "", ""]], [["D", "Acct", "Item code", 'lookup(GL by state, "State")', "", "", "", ""]])
    result = compile_mapping(grid, lookups, invoice_columns=COLUMNS).build(rows, batch=BATCH)
    assert [r.values[0] for r in result.records] == ["40000-NC", "41000-NC", "40000-NC", "41000-NC"]


def test_default_applies_before_transforms_and_to_an_all_empty_template():
    rows = shared_rows()
    for row in rows[:2]:
        row["Job number"] = None
    grid = mapping_grid([["I", "invoice", "", ""]], [
        ["I", "Memo", "Job {Job number}", "upper", "no job", "", "", ""],
        ["I", "Amount", "Customer PO", "number(2)", "0", "", "", ""],
    ])
    result = compile_mapping(grid, [], invoice_columns=COLUMNS).build(rows, batch=BATCH)
    assert [r.values for r in result.records] == [["NO JOB", "0.00"], ["JOB 24-1002", "0.00"]]


def test_a_value_a_transform_cannot_take_is_a_problem_and_the_rest_goes_on():
    rows = shared_rows()
    rows[0]["Transaction date"] = "15 March"
    grid = mapping_grid([["I", "invoice", "", ""]], [["I", "Date", "Transaction date", "date(MM/DD/YY)", "", "", "", ""]])
    result = compile_mapping(grid, [], invoice_columns=COLUMNS).build(rows, batch=BATCH)
    assert [r.values for r in result.records] == [[""], ["03/18/24"]]
    assert [str(p) for p in result.problems] == ["Invoice 10041, I Date: date(MM/DD/YY) needs a date, not '15 March'."]


@pytest.mark.parametrize("zero, credit, kept, warnings", [
    ("export", "export", ["10041", "10043", "10044"], []),
    ("skip", "export", ["10041", "10044"],
     ["Invoice 10043: left out of the file: its total is 0.00 and $0 invoices are set to skip."]),
    ("export", "skip", ["10041", "10043"],
     ["Invoice 10044: left out of the file: it is a credit memo (-35.50) and credit memos are set to skip."]),
    ("skip", "skip", ["10041"],
     ["Invoice 10043: left out of the file: its total is 0.00 and $0 invoices are set to skip.",
      "Invoice 10044: left out of the file: it is a credit memo (-35.50) and credit memos are set to skip."]),
])
def test_zero_invoices_and_credit_memos_follow_the_policy(zero, credit, kept, warnings):
    rows = [*shared_rows()[:2],
            *invoice("3", "10043", "C", "C", date(2024, 3, 19), date(2024, 3, 19), "J", "0.00", []),
            *invoice("4", "10044", "C", "C", date(2024, 3, 19), date(2024, 3, 19), "J", "-35.50",
                     [("41", "PARTS", "Return", "-1", "35.50")])]
    grid = mapping_grid([["I", "invoice", "", ""]], [["I", "No", "Invoice number", "", "", "", "", ""]])
    result = compile_mapping(grid, [], invoice_columns=COLUMNS).build(
        rows, batch=BATCH, zero_invoices=zero, credit_memos=credit)
    assert [r.values[0] for r in result.records] == kept
    assert [str(p) for p in result.problems] == warnings
    assert all(p.severity == "warning" for p in result.problems)


def test_build_rejects_an_unknown_policy_word():
    mapping = compile_mapping(mapping_grid([["I", "invoice", "", ""]], [["I", "No", "Invoice number", "", "", "", "", ""]]),
                              [], invoice_columns=COLUMNS)
    with pytest.raises(ValueError, match="zero_invoices must be 'export' or 'skip', not 'drop'"):
        mapping.build([], batch=BATCH, zero_invoices="drop")  # type: ignore[arg-type]


def test_an_empty_batch_still_writes_file_records():
    result = compile_mapping(FILE_LEVEL, [], invoice_columns=COLUMNS).build([], batch=BATCH)
    assert [[r.record, *r.values] for r in result.records] == [
        ["H", "2024-03-19", "B-7", "0", "0.00"], ["T", "2", "000000000000"]]


def test_mapping_errors_name_sheet_row_and_column():
    grid = mapping_grid([["I", "invoice", "", ""]], [["I", "No", "Invoice nmber", "", "", "", "", ""]])
    with pytest.raises(MappingError) as caught:
        compile_mapping(grid, [], invoice_columns=COLUMNS)
    assert (caught.value.sheet, caught.value.row, caught.value.column) == ("Mapping", 7, "C")


def test_a_hundred_thousand_lines_map_to_the_expected_records():
    # Speed is measured by bench/pipeline.py, not here: this checks the behaviour at that size.
    rows = []
    for n in range(20_000):
        for line in invoice(str(n), str(10_000 + n), "ACME01", "Acme Property Mgmt", date(2024, 3, 15),
                            date(2024, 4, 14), "24-1001", "556.50",
                            [(f"{n}-{i}", "PARTS" if i % 2 else "INSPECTION", "Replace sprinkler head", "3", "35.50")
                             for i in range(5)]):
            rows.append(line)
    mapping = compile_mapping(IIF_MAPPING, LOOKUPS, invoice_columns=COLUMNS)
    result = mapping.build(rows, batch=BATCH)
    assert len(result.records) == 140_000
    assert [r.record for r in result.records[:7]] == ["TRNS", "SPL", "SPL", "SPL", "SPL", "SPL", "ENDTRNS"]
    assert result.problems == []
