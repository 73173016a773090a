"""Validation's fast pass gives exactly what a record-by-record check gives.

``validate_records`` tests every record in one generated loop, checks the encoding of the
non-ASCII records as one text, and groups and checks invoices with loops of its own. The
reference here is the straightforward version it replaced: each record's pass test (count,
required, limits, the whole text within a cell, forms, encoding) and, for a record failing
it, the checks' own sentences; ``itertools.groupby`` for the invoices; a Counter for the
numbers. Each adversarial batch must give identical problems, field for field, in order.
"""

from __future__ import annotations

import codecs
import dataclasses
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal
from itertools import groupby
from operator import methodcaller
from typing import Any

import pytest

from stac_xl.book.cells import MAX_CELL_TEXT
from stac_xl.book.values import as_text
from stac_xl.checks import check_duplicate_numbers, check_invoice_balance, validate_records
from stac_xl.checks.records import _RecordChecks
from stac_xl.invoices.grouping import InvoiceRows, group_invoices
from stac_xl.mapping import MappedField
from stac_xl.mapping.forms import date_form, number_form, yesno_form
from stac_xl.problems import Problem, Severity
from stac_xl.records import FieldSpec, Grain, OutputRecord, RecordSpec
from stac_xl.writers.base import unencodable

# --- the reference: record by record ----------------------------------------------------------


def reference_groups(rows: Sequence[Mapping[str, Any]]) -> list[InvoiceRows]:
    invoices = []
    for _, group in groupby(rows, methodcaller("get", "Invoice id")):
        found = list(group)
        only_header = len(found) == 1 and all(found[0].get(c) in (None, "") for c in
                                               ("Line id", "Description", "Quantity", "Line total"))
        invoices.append(InvoiceRows(found, [] if only_header else found))
    return invoices


def reference_duplicates(invoices: Sequence[InvoiceRows]) -> list[Problem]:
    numbers = [invoice.number for invoice in invoices]
    counts = Counter(n for n in numbers if n)
    problems, seen = [], set()
    for invoice, number in zip(invoices, numbers):
        if counts.get(number, 0) >= 2:
            if number in seen:
                problems.append(Problem("error", f"invoice number {number} is in this batch {counts[number]} times.",
                                        number, invoice.invoice_id, None))
            seen.add(number)
    return problems


def reference_passes(check: _RecordChecks, v: list[str], encoding: str | None) -> bool:
    if len(v) != check.count or not all(v[i].strip() for i in check.required):
        return False
    if any(len(v[i]) > limit for i, limit in check.limits) or len("".join(v)) > MAX_CELL_TEXT:
        return False
    if not all(not v[i] or form.fast(v[i]) for i, form in check.forms):
        return False
    if encoding is None:
        return True
    text = "".join(v)
    holds_ascii = not unencodable("".join(map(chr, range(128))), encoding)
    return (holds_ascii and text.isascii()) or not unencodable(text, encoding)


def reference(specs: Sequence[RecordSpec], records: Sequence[OutputRecord], *, encoding: str,
              rows: Sequence[Mapping[str, Any]] | None = None, unbalanced: Severity = "error",
              check_forms: bool = False) -> list[Problem]:
    check_encoding = None if codecs.lookup(encoding).name.startswith("utf") else encoding
    checks = {spec.name: _RecordChecks(spec, check_encoding, check_forms) for spec in specs}
    invoices = reference_groups(rows) if rows is not None else []
    numbers = {invoice.invoice_id: invoice.number for invoice in invoices}
    problems: list[Problem] = []
    for index, record in enumerate(records):
        check = checks.get(record.record)
        if check is None:
            problems.append(Problem("error", f"record type '{record.record}' is not on the Mapping sheet.",
                                    numbers.get(record.invoice_id), record.invoice_id, index, record=record.record))
        elif not reference_passes(check, record.values, check_encoding):
            problems.extend(check.run(index, record, numbers))
    found = check_invoice_balance(invoices, severity=unbalanced) + reference_duplicates(invoices)
    first: dict[str, int] = {}
    for index, record in enumerate(records):
        if record.invoice_id is not None:
            first.setdefault(record.invoice_id, index)
    return problems + [dataclasses.replace(p, record_index=first.get(p.invoice_id or "")) for p in found]


def every_field(problems: Sequence[Problem]) -> list[tuple[Any, ...]]:
    """Problems with the fields equality leaves out (cause, subject, cell) too."""
    return [dataclasses.astuple(p) for p in problems]


def assert_same(specs: Sequence[RecordSpec], records: Sequence[OutputRecord], **options: Any) -> list[Problem]:
    expected = reference(specs, records, **options)
    assert every_field(validate_records(specs, records, **options)) == every_field(expected)
    return expected


# --- adversarial batches ----------------------------------------------------------------------

SPECS = [
    RecordSpec("H", Grain.INVOICE, (MappedField("Customer", 8, required=True), MappedField("Number", required=True),
                                    MappedField("Date", form=date_form("MM/DD/YY")), FieldSpec("Memo"))),
    RecordSpec("L", Grain.LINE, (MappedField("Item", 5, required=True), MappedField("Amount", form=number_form(2)),
                                 MappedField("Taxable", 1, form=yesno_form("Y", "N")))),
    RecordSpec("END", Grain.INVOICE_END, ()),
    RecordSpec("T", Grain.FILE_END, (FieldSpec("Count", 3), FieldSpec("Note"))),
]
TEXTS = [
    "ACME01", "LABOR", "12.50", "-3.00", "Y", "N", "02/29/24", "13/45/24", "", " ", "\t\n", "\xa0", "\u3000", "50%",
    "TOOLONGVALUE", "café", "165°F", "naïve résumé",  # cp1252 holds these
    "→", "中文", "Ω", "\u2126",                          # it does not (the ohm sign composes to Ω)
    "e", "\u0301", "e\u0301", "\u0301x",               # a combining accent: é only when composed in one record
    "\u0958\u0958", "\u0958" * 3,                       # NFC makes each of these two characters
    "\u1100", "\u1161",                                 # Hangul jamo that compose when adjacent
    "x" * (MAX_CELL_TEXT // 2 + 1), "y" * (MAX_CELL_TEXT + 1),
]
KINDS = ["H", "L", "L", "L", "END", "T", "X"]


def random_record(rng: random.Random) -> OutputRecord:
    kind = rng.choice(KINDS)
    count = {"H": 4, "L": 3, "END": 0, "T": 2, "X": 2}[kind] + rng.choice([0, 0, 0, 0, 0, 0, -1, 1])
    values = [rng.choice(TEXTS) if rng.random() < 0.4 else rng.choice(TEXTS[:8]) for _ in range(max(count, 0))]
    return OutputRecord(kind, values, rng.choice(["700001", "700002", None]))


# cp864 holds every ASCII character but '%': an ASCII record is not known to fit it
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "Windows-1252", "ascii", "latin-1", "cp864"])
@pytest.mark.parametrize("check_forms", [False, True])
def test_random_batches_give_the_reference_problems(encoding, check_forms):
    rng = random.Random(f"{encoding}-{check_forms}")
    for _ in range(120):
        records = [random_record(rng) for _ in range(rng.randrange(0, 12))]
        specs = rng.sample(SPECS, rng.randrange(0, len(SPECS) + 1))
        assert_same(specs, records, encoding=encoding, check_forms=check_forms)


def test_records_that_pass_give_no_problems_in_bulk():
    records = [OutputRecord("H", ["ACME01", "10041", "02/29/24", "café"]), OutputRecord("L", ["LABOR", "12.50", "Y"]),
               OutputRecord("END", [])] * 500
    assert assert_same(SPECS, records, encoding="cp1252", check_forms=True) == []


def test_a_combining_accent_composes_within_a_record_never_across_records():
    within = [OutputRecord("T", ["e", "\u0301"])]  # é, which cp1252 holds
    assert assert_same(SPECS, within, encoding="cp1252") == []
    across = [OutputRecord("T", ["", "naïve"]), OutputRecord("T", ["", "\u0301"])]  # both need the encoding test
    problems = assert_same(SPECS, across, encoding="cp1252")
    assert [(p.record_index, p.field) for p in problems] == [(1, "Note")]


def test_an_ascii_record_is_tested_when_the_encoding_does_not_hold_all_of_ascii():
    records = [OutputRecord("T", ["1", "50%"]), OutputRecord("T", ["1", "50"])]
    problems = assert_same(SPECS, records, encoding="cp864")
    assert [(p.record_index, p.message) for p in problems] == [(0, "'50%' has characters cp864 cannot hold: '%'. "
                                                                   "Add ansi to the rule's Transform (it spells them "
                                                                   "out, or writes ?), or change Encoding on Settings.")]


def test_a_value_within_its_limit_only_before_composing_is_told_only_with_another_problem():
    # '\u0958' composes to two characters: the pass test counts 3 of Item's limit 5, the
    # record's own check 6, as a writer would write them
    item = "\u0958" * 3
    assert assert_same(SPECS, [OutputRecord("L", [item, "1.00", "Y"])], encoding="utf-8") == []
    problems = assert_same(SPECS, [OutputRecord("L", [item, "1.00", "YY"])], encoding="utf-8")
    assert [(p.field, p.message) for p in problems] == [("Item", f"'{item}' is 3 characters long; the limit is 5."),
                                                        ("Taxable", "'YY' is 2 characters long; the limit is 1.")]


def test_a_record_over_the_cell_limit_only_in_total_is_looked_at_value_by_value():
    half = "x" * (MAX_CELL_TEXT // 2 + 1)
    assert assert_same(SPECS, [OutputRecord("T", ["1", half + half])], encoding="utf-8")  # one value over it
    assert assert_same(SPECS, [OutputRecord("H", ["ACME01", "1", half, half])], encoding="utf-8") == []


def test_unknown_record_types_between_known_ones_keep_file_order():
    records = [OutputRecord("L", ["", "1", "Y"]), OutputRecord("Q", []), OutputRecord("H", ["", "", "", ""]),
               OutputRecord("Q", ["a"], "700001"), OutputRecord("L", ["LABOR", "12.50"])]
    problems = assert_same(SPECS, records, encoding="utf-8")
    assert [p.record_index for p in problems] == [0, 1, 2, 2, 3, 4]


def test_the_last_spec_of_a_name_is_the_one_checked():
    specs = [RecordSpec("T", Grain.LINE, (FieldSpec("A", 1),)), RecordSpec("T", Grain.LINE, (FieldSpec("A", 9),))]
    assert assert_same(specs, [OutputRecord("T", ["abcde"])], encoding="utf-8") == []


# --- invoices ---------------------------------------------------------------------------------

def line_rows(invoice_id: Any, number: Any, total: Any, tax: Any, amounts: Sequence[Any]) -> list[dict[str, Any]]:
    head = {"Invoice id": invoice_id, "Invoice number": number, "Invoice total": total, "Tax": tax,
            "Line id": None, "Description": None, "Quantity": None, "Unit price": None, "Line total": None}
    return [head | {"Line id": f"{invoice_id}-{n}", "Description": "work", "Line total": amount,
                    "Quantity": Decimal(1), "Unit price": amount} for n, amount in enumerate(amounts)] or [head]


def random_rows(rng: random.Random) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    nan = float("nan")
    for _ in range(rng.randrange(0, 9)):
        invoice_id = rng.choice(["700001", "700002", "700003", None, nan, 700001])
        number = rng.choice(["10041", "10042", "", None, 10041, Decimal("10041")])
        amounts = [rng.choice([Decimal("10.00"), Decimal("5.005"), None, "abc", "2.50", 3])
                   for _ in range(rng.randrange(0, 4))]
        total = rng.choice([Decimal("20.00"), Decimal("10.00"), None, "", "x"])
        rows += line_rows(invoice_id, number, total, rng.choice([Decimal(0), Decimal("0.01")]), amounts)
    return rows


def test_random_invoices_give_the_reference_problems():
    rng = random.Random(7)
    specs = SPECS[:2]
    for _ in range(400):
        rows = random_rows(rng)
        records = [OutputRecord("H", ["ACME01", "1", "", ""], row["Invoice id"] if isinstance(row["Invoice id"], str)
                                else None) for row in rows[::2]]
        assert_same(specs, records, encoding="utf-8", rows=rows, unbalanced=rng.choice(["error", "warning"]))


def test_grouping_is_groupbys_for_any_rows():
    nan = float("nan")
    rows = [*line_rows("1", "a", None, None, [1, 2]), *line_rows(nan, "b", None, None, [1]),
            *line_rows(nan, "c", None, None, [1]), *line_rows(float("nan"), "d", None, None, []),
            *line_rows("1", "e", None, None, []), *line_rows(None, "f", None, None, [1]), {}]
    for sample in (rows, rows[:0], rows[:1], rows[3:], list(reversed(rows))):
        assert group_invoices(sample) == reference_groups(sample)
        assert group_invoices(iter(sample)) == reference_groups(sample)
    # one NaN object is one invoice (groupby: the same object), another NaN a new one; {} has no id, as None
    assert [len(invoice.rows) for invoice in group_invoices(rows)] == [2, 2, 1, 1, 2]


def test_duplicate_numbers_are_the_counters_for_any_numbers():
    rng = random.Random(11)
    for _ in range(300):
        invoices = group_invoices([row for n in range(rng.randrange(0, 8)) for row in
                                   line_rows(str(n), rng.choice(["1", "2", "", None, 1, Decimal("1.0")]), None, None, [])])
        assert check_duplicate_numbers(invoices) == reference_duplicates(invoices)


def test_given_invoices_stand_for_their_rows():
    rows = [*line_rows("1", "10041", Decimal("9.00"), Decimal(0), [Decimal("10.00")]),
            *line_rows("2", "10041", Decimal("10.00"), Decimal(0), [Decimal("10.00")])]
    records = [OutputRecord("L", ["", "1", "Y"], "2")]
    by_rows = validate_records(SPECS, records, encoding="utf-8", rows=rows)
    assert len(by_rows) == 3
    assert every_field(validate_records(SPECS, records, encoding="utf-8", invoices=group_invoices(rows))) == \
        every_field(by_rows)
    with pytest.raises(TypeError):
        validate_records(SPECS, records, encoding="utf-8", rows=rows, invoices=group_invoices(rows))


def test_as_text_numbers_count_as_the_same_number():
    invoices = group_invoices([*line_rows("1", 10041, None, None, []), *line_rows("2", "10041", None, None, [])])
    assert [as_text(i.rows[0]["Invoice number"]) for i in invoices] == ["10041", "10041"]
    assert [p.message for p in check_duplicate_numbers(invoices)] == ["invoice number 10041 is in this batch 2 times."]
