"""Problems with records and invoices, collected as a list: never just the first one.

Each :class:`Problem` says where it is (record index and field index, so the *Export* sheet
can mark the cell; the invoice number, so the clerk can find it in ServiceTrade) and what
is wrong, in a sentence. ``error`` blocks an export; ``warning`` is shown and allowed.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from itertools import chain
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, Mapping, Sequence

from stac_xl.errors import ConfigError
from stac_xl.mapping.sources import InvoiceRows, group_invoices, line_amount
from stac_xl.mapping.transforms import ValueProblem, is_empty
from stac_xl.records import OutputRecord, RecordSpec

Severity = Literal["error", "warning"]
Policy = Literal["export", "skip"]
HALF_CENT = Decimal("0.005")


@dataclass(frozen=True)
class Problem:
    """One problem; ``str(problem)`` is the line a clerk reads."""

    severity: Severity
    message: str
    invoice_number: str | None = None
    invoice_id: str | None = None
    record_index: int | None = None   # position in the record list (Export row - 2)
    field_index: int | None = None    # position in the record's values
    record: str | None = None         # record type: TRNS, I, …
    field: str | None = None          # field name: AMOUNT, Customer, …

    def __str__(self) -> str:
        where = []
        if self.invoice_number:
            where.append(f"Invoice {self.invoice_number}")
        elif self.record_index is not None:
            where.append(f"Record {self.record_index + 1}")
        label = " ".join(part for part in (self.record, self.field) if part)
        if label:
            where.append(label)
        return f"{', '.join(where)}: {self.message}" if where else self.message


def has_errors(problems: Sequence[Problem]) -> bool:
    """True if any problem blocks the export."""
    return any(p.severity == "error" for p in problems)


def attach_issues(records: Sequence[OutputRecord], problems: Sequence[Problem]) -> None:
    """Copy each record's problems into its ``issues`` (the *Issues* column on *Export*)."""
    for problem in problems:
        if problem.record_index is not None and 0 <= problem.record_index < len(records):
            prefix = f"{problem.field}: " if problem.field else ""
            records[problem.record_index].issues.append(prefix + problem.message)


def _utf(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        raise ConfigError(f"Settings: Encoding '{encoding}' is not known; use utf-8, utf-8-sig or cp1252.") from None


def _encodes(records: Sequence[OutputRecord], encoding: str) -> bool:
    """True if every value can be written in ``encoding``: one encode for the whole batch,
    so the record-by-record search runs only when something cannot be."""
    try:
        "".join(chain.from_iterable(r.values for r in records)).encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _unencodable(value: str, encoding: str) -> str:
    bad = []
    for char in value:
        try:
            char.encode(encoding)
        except UnicodeEncodeError:
            if char not in bad:
                bad.append(char)
    return ", ".join(f"'{c}'" for c in bad)


class _RecordChecks:
    """The checks of one record type, worked out once: which fields are required, which
    have a limit. Most fields have neither, so a record costs a few comparisons."""

    def __init__(self, spec: RecordSpec, encoding: str | None):
        self.spec, self.encoding = spec, encoding
        self.count = len(spec.fields)
        self.required = tuple(i for i, f in enumerate(spec.fields) if getattr(f, "required", False))
        self.limits = tuple((i, f.max_length) for i, f in enumerate(spec.fields) if f.max_length is not None)

    def run(self, index: int, record: OutputRecord, numbers: Mapping[str | None, str]) -> list[Problem]:
        """The problems of one record (an empty list, nearly always)."""
        values = record.values
        if len(values) != self.count:
            return [self._problem(index, record, numbers, None,
                                  f"has {len(values)} values, but the Mapping gives it {self.count} fields.")]
        found = [self._problem(index, record, numbers, i, "required, but empty.")
                 for i in self.required if not values[i].strip()]
        found += [self._problem(index, record, numbers, i,
                                f"'{values[i]}' is {len(values[i])} characters long; the limit is {limit}.")
                  for i, limit in self.limits if len(values[i]) > limit]
        if self.encoding is not None:
            try:
                "".join(values).encode(self.encoding)
            except UnicodeEncodeError:
                found += self._encoding_problems(index, record, numbers)
        return found

    def _encoding_problems(self, index: int, record: OutputRecord, numbers: Mapping[str | None, str]) -> list[Problem]:
        found = []
        for i, value in enumerate(record.values):
            bad = _unencodable(value, self.encoding or "")
            if bad:
                found.append(self._problem(index, record, numbers, i,
                                           f"'{value}' has characters {self.encoding} cannot hold: {bad}. "
                                           "Use the ascii transform, or change Encoding on Settings."))
        return found

    def _problem(self, index: int, record: OutputRecord, numbers: Mapping[str | None, str],
                 field_index: int | None, message: str) -> Problem:
        name = None if field_index is None else self.spec.fields[field_index].name
        return Problem("error", message, numbers.get(record.invoice_id), record.invoice_id, index, field_index,
                       self.spec.name, name)


def validate_records(specs: Sequence[RecordSpec], records: Sequence[OutputRecord], *, encoding: str,
                     rows: Sequence[Mapping[str, Any]] | None = None, unbalanced: Severity = "error",
                     ) -> list[Problem]:
    """Every problem with ``records`` (required, max length, encoding, unknown record types)
    and, when the Invoices ``rows`` are given, with the invoices themselves (balance,
    duplicate numbers)."""
    check_encoding = None if _utf(encoding) or _encodes(records, encoding) else encoding
    checks = {spec.name: _RecordChecks(spec, check_encoding) for spec in specs}
    invoices = group_invoices(rows) if rows is not None else []
    numbers: dict[str | None, str] = {inv.invoice_id: inv.number for inv in invoices}
    problems: list[Problem] = []
    for index, record in enumerate(records):
        check = checks.get(record.record)
        if check is None:
            problems.append(Problem("error", f"record type '{record.record}' is not on the Mapping sheet.",
                                    numbers.get(record.invoice_id), record.invoice_id, index, record=record.record))
            continue
        found = check.run(index, record, numbers)
        if found:
            problems.extend(found)
    if invoices:
        first = _first_records(records)
        problems.extend(check_invoice_balance(invoices, severity=unbalanced, first_record=first))
        problems.extend(check_duplicate_numbers(invoices, first_record=first))
    return problems


def _first_records(records: Sequence[OutputRecord]) -> dict[str, int]:
    first: dict[str, int] = {}
    for index, record in enumerate(records):
        if record.invoice_id is not None:
            first.setdefault(record.invoice_id, index)
    return first


def _money(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


def _amount(value: Any) -> Decimal:
    return Decimal(0) if is_empty(value) else Decimal(str(value))


def check_invoice_balance(invoices: Sequence[InvoiceRows], *, severity: Severity = "error",
                          first_record: Mapping[str, int] | None = None) -> list[Problem]:
    """Each invoice's line amounts plus tax must equal its total, within half a cent."""
    problems = []
    for invoice in invoices:
        where = dict(invoice_number=invoice.number, invoice_id=invoice.invoice_id,
                     record_index=(first_record or {}).get(invoice.invoice_id or ""))
        try:
            total = invoice.first.get("Invoice total")
            if is_empty(total):
                continue
            lines = sum((line_amount(row) or Decimal(0) for row in invoice.lines), Decimal(0))
            tax, total = _amount(invoice.first.get("Tax")), _amount(total)
        except (ValueProblem, InvalidOperation) as exc:
            problems.append(Problem("error", str(exc) or "an amount is not a number.", **where))
            continue
        if abs(lines + tax - total) > HALF_CENT:
            problems.append(Problem(severity, f"the lines ({_money(lines)}) plus tax ({_money(tax)}) come to "
                                    f"{_money(lines + tax)}, but the invoice total is {_money(total)}.", **where))
    return problems


def check_duplicate_numbers(invoices: Sequence[InvoiceRows], *,
                            first_record: Mapping[str, int] | None = None) -> list[Problem]:
    """An invoice number may appear once in a batch: the accounting system would refuse
    (or, worse, merge) the second one."""
    counts: dict[str, int] = {}
    for invoice in invoices:
        if invoice.number:
            counts[invoice.number] = counts.get(invoice.number, 0) + 1
    problems, seen = [], set()
    for invoice in invoices:
        if counts.get(invoice.number, 0) < 2:
            continue
        if invoice.number in seen:
            problems.append(Problem(
                "error", f"invoice number {invoice.number} is in this batch {counts[invoice.number]} times.",
                invoice.number, invoice.invoice_id, (first_record or {}).get(invoice.invoice_id or "")))
        seen.add(invoice.number)
    return problems


def apply_invoice_policy(invoices: Sequence[InvoiceRows], *, zero_invoices: Policy = "export",
                         credit_memos: Policy = "export") -> tuple[list[InvoiceRows], list[Problem]]:
    """Leave out $0 invoices and/or credit memos (negative total) when set to ``skip``;
    each one left out is a warning naming it."""
    for name, policy in (("zero_invoices", zero_invoices), ("credit_memos", credit_memos)):
        if policy not in ("export", "skip"):
            raise ValueError(f"{name} must be 'export' or 'skip', not {policy!r}")
    kept, problems = [], []
    for invoice in invoices:
        raw = invoice.first.get("Invoice total")
        try:
            total = None if is_empty(raw) else _amount(raw)
        except InvalidOperation:
            total = None  # the balance check reports it
        reason = None
        if total is not None and total == 0 and zero_invoices == "skip":
            reason = "its total is 0.00 and $0 invoices are set to skip"
        elif total is not None and total < 0 and credit_memos == "skip":
            reason = f"it is a credit memo ({_money(total)}) and credit memos are set to skip"
        if reason is None:
            kept.append(invoice)
        else:
            problems.append(Problem("warning", f"left out of the file: {reason}.",
                                    invoice.number, invoice.invoice_id))
    return kept, problems


def check_sums_to_zero(specs: Sequence[RecordSpec], records: Sequence[OutputRecord], *,
                       record_names: Sequence[str] = ("TRNS", "SPL"), amount_field: str = "AMOUNT",
                       end_record: str = "ENDTRNS") -> list[Problem]:
    """IIF: each transaction (a ``TRNS`` up to its ``ENDTRNS``) must add up to zero.

    Amounts are read back from the formatted values, so hand edits on *Export* count."""
    positions = {s.name: s.field_names.index(amount_field) for s in specs
                 if s.name in record_names and amount_field in s.field_names}
    problems: list[Problem] = []
    start, total = None, Decimal(0)

    def close() -> None:
        if start is not None and total != 0:
            opener = records[start]
            problems.append(Problem(
                "error", f"the transaction does not balance: its {' and '.join(record_names)} amounts "
                f"add up to {total}, not 0.", None, opener.invoice_id, start,
                positions.get(opener.record), opener.record, amount_field))

    for index, record in enumerate(records):
        if record.record == record_names[0]:
            close()
            start, total = index, Decimal(0)
        if record.record in positions and start is not None:
            at = positions[record.record]
            raw = record.values[at].strip() if at < len(record.values) else ""
            try:
                total += Decimal(raw.replace(",", ""))
            except InvalidOperation:
                problems.append(Problem("error", f"'{raw}' is not an amount.", None, record.invoice_id,
                                        index, at, record.record, amount_field))
        if record.record == end_record:
            close()
            start = None
    close()
    return problems
