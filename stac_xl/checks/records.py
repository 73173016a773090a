"""Problems with records and invoices, collected as a list: never just the first one.

:func:`validate_records` checks every record against its record type (required, max
length, encoding, unknown types; with ``check_forms``, the form of dates, numbers and yes/no
values, :mod:`stac_xl.mapping.forms`) and, given the *Invoices* rows, the invoices
themselves (:mod:`stac_xl.checks.invoices`). The problem type lives in
:mod:`stac_xl.problems`.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from stac_xl.book.cells import MAX_CELL_TEXT
from stac_xl.checks.invoices import check_duplicate_numbers, check_invoice_balance
from stac_xl.errors import ConfigError
from stac_xl.gc_pause import gc_paused
from stac_xl.invoices.grouping import InvoiceRows, group_invoices
from stac_xl.mapping.forms import ValueForm
from stac_xl.problems import EMPTY_REQUIRED, REQUIRED_BUT_EMPTY, TOO_LONG, Problem, Severity
from stac_xl.records import OutputRecord, RecordSpec
from stac_xl.writers.base import composed, unencodable

_SHOWN_CHARACTERS = 5
# Longer than this, a value cannot stand whole on the Export sheet (Excel's cell limit).
CELL_LIMIT_WHY = f"an Excel cell holds at most {MAX_CELL_TEXT:,} characters"


def _utf(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        raise ConfigError(f"Settings: Encoding '{encoding}' is not known; use utf-8, utf-8-sig or cp1252.") from None


def _fits(encoding: str) -> Callable[[list[str]], bool]:
    """``values -> bool``: True if a record's values can all be written in ``encoding``."""
    # ASCII text (nearly every record) needs no encoding when the codec holds all of ASCII
    ascii_fits = not unencodable("".join(map(chr, range(128))), encoding)

    def fits(values: list[str]) -> bool:
        text = "".join(values)
        return (ascii_fits and text.isascii()) or not unencodable(text, encoding)
    return fits


def _named(chars: Sequence[str]) -> str:
    shown = ", ".join(f"'{c}'" for c in chars[:_SHOWN_CHARACTERS])
    return shown + (", …" if len(chars) > _SHOWN_CHARACTERS else "")


def _passes(count: int, required: Sequence[int], limits: Sequence[tuple[int, int]],
            encoding: str | None, forms: Sequence[tuple[int, ValueForm]] = ()) -> Callable[[list[str]], Any]:
    """``values -> truthy`` when a record has the right number of values, no empty required
    one, none over its limit, (with an ``encoding``) every character writable and every
    value with a form in it: one expression, so the 100,000 records that pass cost a call
    each. Generated from numbers only (positions and limits; the form tests are bound as
    ``f0``, ``f1``…), e.g.
    ``lambda v: len(v) == 4 and v[0].strip() and len(v[0]) <= 10 and (not v[2] or f2(v[2])) and fits(v)``."""
    terms = [f"len(v) == {int(count)}"]
    terms += [f"v[{int(i)}].strip()" for i in required]
    terms += [f"len(v[{int(i)}]) <= {int(limit)}" for i, limit in limits]
    # no value over a cell's limit when the whole record is not: one join, not a len() per value
    terms.append(f"len(''.join(v)) <= {MAX_CELL_TEXT}")
    terms += [f"(not v[{int(i)}] or f{int(i)}(v[{int(i)}]))" for i, _ in forms]
    namespace: dict[str, Any] = {f"f{int(i)}": form.fast for i, form in forms}
    if encoding is not None:
        namespace["fits"] = _fits(encoding)
        terms.append("fits(v)")
    passes: Callable[[list[str]], Any] = eval("lambda v: " + " and ".join(terms), namespace)
    return passes


class _RecordChecks:
    """The checks of one record type, worked out once: which fields are required, which
    have a limit. Most fields have neither, so a record costs a few comparisons."""

    def __init__(self, spec: RecordSpec, encoding: str | None, check_forms: bool = False):
        self.spec, self.encoding = spec, encoding
        self.count = len(spec.fields)
        self.required = tuple(i for i, f in enumerate(spec.fields) if getattr(f, "required", False))
        self.limits = tuple((i, f.max_length) for i, f in enumerate(spec.fields) if f.max_length is not None)
        self.forms: tuple[tuple[int, ValueForm], ...] = tuple(
            (i, form) for i, f in enumerate(spec.fields)
            if check_forms and (form := getattr(f, "form", None)) is not None)
        self.passes = _passes(self.count, self.required, self.limits, encoding, self.forms)

    def run(self, index: int, record: OutputRecord, numbers: Mapping[str | None, str]) -> list[Problem]:
        """The problems of one record (an empty list, nearly always)."""
        values = record.values
        if len(values) != self.count:
            return [self._problem(index, record, numbers, None,
                                  f"has {len(values)} values, but the Mapping gives it {self.count} fields.")]
        found = [self._problem(index, record, numbers, i, REQUIRED_BUT_EMPTY, cause=EMPTY_REQUIRED)
                 for i in self.required if not values[i].strip()]
        found += [self._problem(index, record, numbers, i,
                                f"'{values[i]}' is {len(values[i])} characters long; the limit is {limit}.",
                                cause=TOO_LONG, subject=f"'{values[i]}'")
                  for i, limit in self.limits if len(composed(values[i])) > limit]
        found += [self._problem(index, record, numbers, i,
                                f"this text is {len(value):,} characters long, and {CELL_LIMIT_WHY}, so the Export "
                                "sheet cannot hold it whole; shorten it on Mapping (truncate) or in ServiceTrade.")
                  for i, value in enumerate(values) if len(value) > MAX_CELL_TEXT]
        for i, form in self.forms:
            wrong = form.problem(values[i]) if values[i] else None
            if wrong is not None:
                found.append(self._problem(index, record, numbers, i, wrong))
        if self.encoding is not None and unencodable("".join(values), self.encoding):
            found += self._encoding_problems(index, record, numbers)
        return found

    def _encoding_problems(self, index: int, record: OutputRecord, numbers: Mapping[str | None, str]) -> list[Problem]:
        found = []
        for i, value in enumerate(record.values):
            bad = unencodable(value, self.encoding or "")
            if bad:
                found.append(self._problem(index, record, numbers, i,
                                           f"'{value}' has characters {self.encoding} cannot hold: {_named(bad)}. "
                                           "Add ansi to the rule's Transform (it spells them out, or writes ?), "
                                           "or change Encoding on Settings."))
        return found

    def _problem(self, index: int, record: OutputRecord, numbers: Mapping[str | None, str],
                 field_index: int | None, message: str, cause: str | None = None,
                 subject: str | None = None) -> Problem:
        name = None if field_index is None else self.spec.fields[field_index].name
        return Problem("error", message, numbers.get(record.invoice_id), record.invoice_id, index, field_index,
                       self.spec.name, name, cause=cause, subject=subject)


def validate_records(specs: Sequence[RecordSpec], records: Sequence[OutputRecord], *, encoding: str,
                     rows: Sequence[Mapping[str, Any]] | None = None, unbalanced: Severity = "error",
                     check_forms: bool = False) -> list[Problem]:
    """Every problem with ``records`` (required, max length, encoding, unknown record types)
    and, when the Invoices ``rows`` are given, with the invoices themselves (balance,
    duplicate numbers). ``check_forms``: also each value against the form its rule gives it
    (dates, numbers, yes/no; see forms.py), for records that may hold hand edits; the
    mapping's own values have their form by construction."""
    with gc_paused(promote=True):
        check_encoding = None if _utf(encoding) else encoding  # UTF-8 writes every character
        checks = {spec.name: _RecordChecks(spec, check_encoding, check_forms) for spec in specs}
        invoices = group_invoices(rows) if rows is not None else []
        numbers = _Numbers(invoices)
        problems: list[Problem] = []
        for index, record in enumerate(records):
            check = checks.get(record.record)
            if check is None:
                problems.append(Problem("error", f"record type '{record.record}' is not on the Mapping sheet.",
                                        numbers.get(record.invoice_id), record.invoice_id, index,
                                        record=record.record))
            elif not check.passes(record.values):
                problems.extend(check.run(index, record, numbers))
        if invoices:
            # where each invoice's first record is, worked out only when an invoice has a problem
            found = check_invoice_balance(invoices, severity=unbalanced) + check_duplicate_numbers(invoices)
            if found:
                first = _first_records(records)
                found = [replace(p, record_index=first.get(p.invoice_id or "")) for p in found]
            problems.extend(found)
    return problems


class _Numbers(Mapping[str | None, str]):
    """Invoice id → invoice number, made on first use: only a problem needs it."""

    def __init__(self, invoices: Sequence[InvoiceRows]):
        self._invoices = invoices
        self._numbers: dict[str | None, str] | None = None

    def _made(self) -> dict[str | None, str]:
        if self._numbers is None:
            self._numbers = {inv.invoice_id: inv.number for inv in self._invoices}
        return self._numbers

    def __getitem__(self, key: str | None) -> str:
        return self._made()[key]

    def __iter__(self) -> Iterator[str | None]:
        return iter(self._made())

    def __len__(self) -> int:
        return len(self._made())


def _first_records(records: Sequence[OutputRecord]) -> dict[str, int]:
    first: dict[str, int] = {}
    for index, record in enumerate(records):
        if record.invoice_id is not None:
            first.setdefault(record.invoice_id, index)
    return first
