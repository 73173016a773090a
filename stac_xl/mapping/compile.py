"""The Mapping and Lookups sheets → a :class:`CompiledMapping`, or every mistake at once.

Each rule becomes one function ``(row, state) -> str``: source, then Default when the source
is empty, then the transform chain, then plain text. Each record type also gets one
generated function making all its fields at once (:mod:`stac_xl.mapping.codegen`), which
the build calls; the field functions make a record again, one by one, when one of its
values has a problem to report. A wrong rule is a ``MappingError`` naming its cell
(``Mapping!D14``); all of them are collected and raised together as
:class:`MappingErrors` (a single one is raised as itself).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stac_xl.errors import MappingError, MappingErrors
from stac_xl.mapping.build import CompiledMapping, CompiledRecord
from stac_xl.mapping.codegen import FieldPlan, RecordFunction, record_function
from stac_xl.mapping.field_types import AmountField, FieldKind, amount_of, kind_of, source_form
from stac_xl.mapping.forms import ValueForm, form_of
from stac_xl.mapping.lookup import read_lookups_sheet
from stac_xl.mapping.only_if import only_if_condition
from stac_xl.mapping.run_state import Condition, FieldFunction, RunState
from stac_xl.mapping.sheet import MappingSheet, RecordRow, RuleRow, read_mapping_sheet
from stac_xl.mapping.sources import CompiledSource, compile_source
from stac_xl.mapping.syntax import RuleProblem, parse_chain
from stac_xl.mapping.text_memo import TextMemo
from stac_xl.mapping.transform_types import is_of_text_alone
from stac_xl.mapping.transforms import (
    Transform,
    TransformContext,
    ValueChanged,
    ValueProblem,
    as_text,
    chain_steps,
    compile_steps,
)
from stac_xl.records import FieldSpec, RecordSpec


@dataclass(frozen=True)
class MappedField(FieldSpec):
    """A field as the Mapping sheet defines it: a :class:`FieldSpec` that knows if it is
    required, the form its value must have (checked on *Export*, where a hand edit may break
    it: from the last transform step, e.g. date(…), number(…), lookup(…), or from the Source
    when there is none; see field_types.py) and the amount it carries, if any."""

    required: bool = False
    form: ValueForm | None = field(default=None, compare=False)
    amount: AmountField | None = None

    @property
    def kind(self) -> FieldKind:
        """Text, number, date or code: what the field's value is."""
        return kind_of(self.form)


def _column_field(column: str, default: str) -> FieldFunction:
    def value_of(row: Mapping[str, Any], state: RunState) -> str:
        value = row.get(column)
        if value.__class__ is str:
            return value or default
        return default if value is None else as_text(value)
    return value_of


def field_function(source: CompiledSource, default: str | None, transform: Transform | None,
                   index: int, name: str) -> FieldFunction:
    """One rule as a function; problems met while running it are reported on the state."""
    if transform is None:
        if source.constant is not None:
            text = source.constant or default or ""
            return lambda row, state: text
        if source.column is not None:
            return _column_field(source.column, default or "")
    elif source.column is not None:
        return _column_transform_field(source.column, default, transform, index, name)
    getter = source.getter

    def value_of(row: Mapping[str, Any], state: RunState) -> str:
        try:
            value = getter(row, state)
            if value is None or (value.__class__ is str and not value):
                value = default
            if transform is not None:
                value = transform(value, row)
        except ValueChanged as change:
            value = _told(change, state, index, name)
        except ValueProblem as problem:
            state.report(index, name, str(problem), cause=problem.cause, subject=problem.subject)
            return ""
        return value if value.__class__ is str else as_text(value)
    return value_of


def _told(change: ValueChanged, state: RunState, index: int, name: str) -> Any:
    """The value a transform made after all (cut, characters spelled out), reported as a
    warning (or, for a name too long to match, as an error, the name kept whole)."""
    state.report(index, name, str(change), cause=change.cause, subject=change.subject, severity=change.severity)
    return change.value


def _column_transform_field(column: str, default: str | None, transform: Transform, index: int,
                            name: str) -> FieldFunction:
    # the same as the general case, minus one call per value: most rules look like this
    def value_of(row: Mapping[str, Any], state: RunState) -> str:
        value = row.get(column)
        if value is None or (value.__class__ is str and not value):
            value = default
        try:
            value = transform(value, row)
        except ValueChanged as change:
            value = _told(change, state, index, name)
        except ValueProblem as problem:
            state.report(index, name, str(problem), cause=problem.cause, subject=problem.subject)
            return ""
        return value if value.__class__ is str else as_text(value)
    return value_of


class _Compiler:
    """Compiles the rules of one Mapping sheet, collecting errors instead of stopping."""

    def __init__(self, sheet: MappingSheet, ctx: TransformContext, errors: list[MappingError]):
        self.sheet, self.ctx, self.errors = sheet, ctx, errors
        self.records: dict[str, RecordRow] = {}
        self.fields: dict[str, list[tuple[MappedField, FieldFunction, FieldPlan]]] = {}
        self.declared: set[str] = set()
        self.conditions: dict[str, Condition] = {}

    def fail(self, message: str, row: int, header: str, *, rules: bool = True) -> None:
        self.errors.append(self.sheet.error(message, row, header, rules=rules))

    def read_records(self) -> None:
        for record in self.sheet.records:
            if record.name in self.records:
                self.fail(f"record '{record.name}' is already listed (row {self.records[record.name].row}).",
                          record.row, "Record", rules=False)
            else:
                self.records[record.name] = record
                self.fields[record.name] = []
                self._condition(record)

    def _condition(self, record: RecordRow) -> None:
        """Compile the record's *Only if* cell, a Source like a rule's (None: always written)."""
        if record.only_if is None:
            return
        try:
            source = compile_source(record.only_if, grain=record.grain, record=record.name, columns=self.ctx.columns)
        except RuleProblem as problem:
            self.fail(f"Only if: {problem}", record.row, "Only if", rules=False)
            return
        self.conditions[record.name] = only_if_condition(source)

    def compile_rule(self, rule: RuleRow) -> None:
        if not rule.record:
            self.fail("the rule needs a record name in the Record column.", rule.row, "Record")
            return
        record = self.records.get(rule.record)
        if record is None:
            known = ", ".join(self.records) or "none"
            self.fail(f"record '{rule.record}' is not listed under Records. Records: {known}.", rule.row, "Record")
            return
        self.declared.add(record.name)
        if not rule.field:
            if as_text(rule.source).strip() or rule.transform or rule.default:
                self.fail("the field needs a name in the Field column.", rule.row, "Field")
            return  # a row with only the record name: a record without fields (IIF ENDTRNS)
        source = None
        steps: list[Transform] = []
        try:
            source = compile_source(rule.source, grain=record.grain, record=record.name, columns=self.ctx.columns)
        except RuleProblem as problem:
            self.fail(str(problem), rule.row, "Source")
        try:
            steps = compile_steps(rule.transform, self.ctx)
        except RuleProblem as problem:
            self.fail(str(problem), rule.row, "Transform")
        if source is not None:
            fields = self.fields[record.name]
            written = parse_chain(rule.transform) if steps else []  # compile_steps read it already
            spec = MappedField(rule.field, rule.max_length, rule.required,
                               form_of(steps[-1]) if steps else source_form(rule.source),
                               amount_of(rule.source, written))
            chain = chain_steps(steps)
            function = field_function(source, rule.default, chain, len(fields), rule.field)
            memo = TextMemo(chain) if chain is not None and all(map(is_of_text_alone, steps)) else None
            fields.append((spec, function, FieldPlan(source, rule.default, tuple(steps), rule.field, memo)))

    def compiled(self) -> list[CompiledRecord]:
        for record in self.records.values():
            if record.name not in self.declared:
                self.fail(f"record '{record.name}' has no rules; add its fields under Rules "
                          "(a rule row with only the record name makes a record without fields).",
                          record.row, "Record", rules=False)
        return [self._record(r) for r in self.records.values()]

    def _record(self, record: RecordRow) -> CompiledRecord:
        fields = self.fields[record.name]
        functions = tuple(f for _, f, _ in fields)
        spec = RecordSpec(record.name, record.grain, tuple(s for s, _, _ in fields), record.header)
        return CompiledRecord(spec, functions, record_function([p for _, _, p in fields], _one_by_one(functions)),
                              self.conditions.get(record.name))


def _one_by_one(functions: tuple[FieldFunction, ...]) -> RecordFunction:
    """A record made by its field functions: each reports its own problem."""
    return lambda row, state: [f(row, state) for f in functions]


def raise_if_any(errors: Sequence[MappingError]) -> None:
    """Raise the one error, or all of them as :class:`MappingErrors`, in sheet order."""
    if not errors:
        return
    ordered = sorted(errors, key=lambda e: (e.sheet != "Mapping", e.sheet, e.row or 0,
                                            len(e.column or ""), e.column or ""))
    raise ordered[0] if len(ordered) == 1 else MappingErrors(ordered)


def compile_mapping(mapping_grid: Sequence[Sequence[Any]], lookups_grid: Sequence[Sequence[Any]], *,
                    invoice_columns: Sequence[str]) -> CompiledMapping:
    """Read and compile both sheets; raise ``MappingError`` naming every bad cell."""
    sheet, errors = read_mapping_sheet(mapping_grid)
    tables, lookup_errors = read_lookups_sheet(lookups_grid)
    errors.extend(lookup_errors)
    if not sheet.readable:
        raise_if_any(errors)
    compiler = _Compiler(sheet, TransformContext(tables, frozenset(invoice_columns)), errors)
    compiler.read_records()
    for rule in sheet.rules:
        compiler.compile_rule(rule)
    records = compiler.compiled()
    raise_if_any(errors)
    return CompiledMapping(records)
