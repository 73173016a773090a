"""Problems with records and invoices, collected as a list: never just the first one.

:func:`validate_records` checks every record against its record type (required, max
length, encoding, unknown types; with ``check_forms``, the form of dates, numbers and yes/no
values, :mod:`stac_xl.mapping.forms`) and, given the *Invoices* rows, the invoices
themselves (:mod:`stac_xl.checks.invoices`). The problem type lives in
:mod:`stac_xl.problems`.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from stac_xl.book.cells import MAX_CELL_TEXT
from stac_xl.checks.invoices import check_duplicate_numbers, check_invoice_balance
from stac_xl.errors import ConfigError
from stac_xl.gc_pause import gc_paused
from stac_xl.invoices.grouping import InvoiceRows, group_invoices
from stac_xl.mapping.forms import ValueForm
from stac_xl.problems import EMPTY_REQUIRED, REQUIRED_BUT_EMPTY, TOO_LONG, Problem, Severity
from stac_xl.records import Grain, OutputRecord, RecordSpec
from stac_xl.writers.base import composed, unencodable

_SHOWN_CHARACTERS = 5
# Longer than this, a value cannot stand whole on the Export sheet (Excel's cell limit).
CELL_LIMIT_WHY = f"an Excel cell holds at most {MAX_CELL_TEXT:,} characters"
# A record the scan hands back to look at again: its index, the record, and its text when
# only the encoding test is left (None when it failed a test).
_Flagged = tuple[int, OutputRecord, str | None]


def _utf(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        raise ConfigError(f"Settings: Encoding '{encoding}' is not known; use utf-8, utf-8-sig or cp1252.") from None


def _holds_ascii(encoding: str) -> bool:
    """True when ``encoding`` holds all of ASCII: then an ASCII record (nearly every one)
    needs no encoding test."""
    return not unencodable("".join(map(chr, range(128))), encoding)


def _all_encode(texts: Sequence[str], encoding: str) -> bool:
    """True when every text, composed, encodes in ``encoding`` (the writer's own test),
    tested as one text, one line each: NFC never joins characters across a line break
    (U+000A composes with nothing and stops any reordering), so the lines compose as each
    text would alone, and a text encodes when each of its characters does. A quarter of the
    benchmark's records hold an accented letter; :func:`unencodable` on each costs a
    microsecond. False means some text may not encode: each is then tested on its own, for
    the characters. ``encoding`` is one validation accepted (a codec Python knows)."""
    try:
        composed("\n".join(texts)).encode(encoding)
    except UnicodeError:  # UnicodeEncodeError, or a codec's own refusal (idna's label rules)
        return False
    return True


def _named(chars: Sequence[str]) -> str:
    shown = ", ".join(f"'{c}'" for c in chars[:_SHOWN_CHARACTERS])
    return shown + (", …" if len(chars) > _SHOWN_CHARACTERS else "")


def _scanner(checks: Iterable[_RecordChecks], encoding: str | None, holds_ascii: bool) -> Callable[
        [Sequence[OutputRecord]], list[_Flagged]]:
    """``records -> flagged``: one loop over the records with each record type's test
    written out in it, so a record that passes (nearly all of 100,000) costs its tests and no
    call. Flagged are the records to look at again, in file order, as (index, record, text):
    text None for one failing a test or of a type not on the Mapping sheet; the record's text
    for one passing them all whose characters still need the ``encoding`` test (non-ASCII,
    or every one when the encoding does not hold all of ASCII). Generated from numbers only:
    the record type names and form tests are bound as ``kind0``, ``f0_2``…"""
    if encoding is None:
        keep = "pass"
    elif holds_ascii:
        keep = "if not t.isascii(): flagged.append((index, record, t))"
    else:
        keep = "flagged.append((index, record, t))"
    namespace: dict[str, Any] = {}
    source = ["def scan(records):",
              "    flagged = []",
              "    for index, record in enumerate(records):",
              "        kind, v = record.record, record.values"]
    for n, check in enumerate(checks):
        test, forms = check.test(n, text=encoding is not None)
        namespace.update(forms)
        namespace[f"kind{n}"] = check.spec.name
        source += [f"        {'elif' if n else 'if'} kind == kind{n}:",
                   f"            if {test}:",
                   f"                {keep}",
                   "                continue"]
    source += ["        flagged.append((index, record, None))",
               "    return flagged"]
    exec("\n".join(source), namespace)
    scan: Callable[[Sequence[OutputRecord]], list[_Flagged]] = namespace["scan"]
    return scan


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

    def test(self, n: int, *, text: bool) -> tuple[str, dict[str, Any]]:
        """This type's test of a record's values ``v``, one expression, and the form tests it
        calls (bound as ``f{n}_{i}``): the right number of values, no empty required one, none
        over its limit, the whole text within a cell's limit (no value over it when the whole
        record is not: one join, not a len() per value; with ``text``, kept as ``t`` for the
        encoding test) and every value with a form in it. E.g. ``len(v) == 4 and v[0].strip()
        and len(v[0]) <= 10 and len(t := ''.join(v)) <= 32767 and (not v[2] or f0_2(v[2]))``."""
        terms = [f"len(v) == {int(self.count)}"]
        terms += [f"v[{int(i)}].strip()" for i in self.required]
        terms += [f"len(v[{int(i)}]) <= {int(limit)}" for i, limit in self.limits]
        terms.append(f"len({'t := ' if text else ''}''.join(v)) <= {MAX_CELL_TEXT}")
        terms += [f"(not v[{int(i)}] or f{int(n)}_{int(i)}(v[{int(i)}]))" for i, _ in self.forms]
        return " and ".join(terms), {f"f{int(n)}_{int(i)}": form.fast for i, form in self.forms}

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
                     check_forms: bool = False, invoices: Sequence[InvoiceRows] | None = None) -> list[Problem]:
    """Every problem with ``records`` (required, max length, encoding, unknown record types)
    and, when the Invoices ``rows`` are given, with the invoices themselves (balance,
    duplicate numbers). ``invoices``: those rows already grouped (:func:`group_invoices`),
    instead of ``rows``, for a caller holding them. ``check_forms``: also each value against
    the form its rule gives it (dates, numbers, yes/no; see forms.py), for records that may
    hold hand edits; the mapping's own values have their form by construction."""
    if rows is not None and invoices is not None:
        raise TypeError("validate_records takes the Invoices rows or the invoices, not both")
    with gc_paused(promote=True):
        check_encoding = None if _utf(encoding) else encoding  # UTF-8 writes every character
        checks = {spec.name: _RecordChecks(spec, check_encoding, check_forms) for spec in specs}
        holds_ascii = check_encoding is not None and bool(checks) and _holds_ascii(check_encoding)
        scan = _scanner(sorted(checks.values(), key=_after_lines), check_encoding, holds_ascii)
        if invoices is None:
            invoices = group_invoices(rows) if rows is not None else []
        flagged = scan(records)
        if check_encoding is not None:
            flagged = _without_encodable(flagged, check_encoding)
        problems = _record_problems(flagged, checks, _Numbers(invoices))
        if invoices:
            # where each invoice's first record is, worked out only when an invoice has a problem
            found = check_invoice_balance(invoices, severity=unbalanced) + check_duplicate_numbers(invoices)
            if found:
                first = _first_records(records)
                found = [replace(p, record_index=first.get(p.invoice_id or "")) for p in found]
            problems.extend(found)
    return problems


def _after_lines(check: _RecordChecks) -> bool:
    """Sort key: line record types first in the scan's chain of tests, where five records to
    an invoice find their test at the first comparison."""
    return check.spec.grain != Grain.LINE


def _without_encodable(flagged: list[_Flagged], encoding: str) -> list[_Flagged]:
    """``flagged`` without the records that passed every test and whose text, after all,
    ``encoding`` holds."""
    unsure = [text for _, _, text in flagged if text is not None]
    if not unsure:
        return flagged
    if _all_encode(unsure, encoding):
        return [entry for entry in flagged if entry[2] is None]
    return [entry for entry in flagged if entry[2] is None or unencodable(entry[2], encoding)]


def _record_problems(flagged: list[_Flagged], checks: Mapping[str, _RecordChecks],
                     numbers: Mapping[str | None, str]) -> list[Problem]:
    """The problems of the flagged records, in file order and, within a record, in the order
    :meth:`_RecordChecks.run` finds them."""
    problems: list[Problem] = []
    for index, record, _ in flagged:
        check = checks.get(record.record)
        if check is None:
            problems.append(Problem("error", f"record type '{record.record}' is not on the Mapping sheet.",
                                    numbers.get(record.invoice_id), record.invoice_id, index,
                                    record=record.record))
        else:
            problems.extend(check.run(index, record, numbers))
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
