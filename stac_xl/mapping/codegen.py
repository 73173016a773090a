"""One generated Python function per record type: every field of a record in one call.

Compile turns each rule into a field function ``(row, state) -> str``; calling one per
field, each calling its source and transforms, is most of a 100,000-line build. So compile
also hands the rules of a record type, as :class:`FieldPlan` objects, to
:func:`record_function`, which writes one function doing all of them inline and ``exec``s
it once. For the Mapping rules ::

    Line | InvoiceNumber | Invoice number   |
    Line | InvoiceDate   | Transaction date | date(YYYY-MM-DD)
    Line | Amount        | [line amount]    | number(2)

the generated source is (``b0``, ``b1``… are bound objects: column names, defaults, the
transform functions and their caches; nothing the clerk typed is pasted into the code)::

    def _make(b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, fallback):
        def record(row, state):
            get = row.get
            try:
                v0 = row[b0]
                if v0.__class__ is not str:
                    if v0.__class__ is Decimal:
                        v0_ = str(v0)
                        v0 = format(v0, "f") if "E" in v0_ else v0_
                    else:
                        v0 = b1 if v0 is None else as_text(v0)
                v1 = row[b2]
                if v1.__class__ is date:
                    v1 = b4.get(v1) or b3(v1, row)
                else:
                    v1 = b3(v1, row)
                if v1.__class__ is not str:
                    if v1.__class__ is Decimal:
                        v1_ = str(v1)
                        v1 = format(v1, "f") if "E" in v1_ else v1_
                    else:
                        v1 = str(v1) if v1.__class__ is int else as_text(v1)
                v2 = get(b6)
                if v2.__class__ is not Decimal:
                    v2 = b5(row, state)
                if v2.__class__ is Decimal:
                    v2_ = str(v2)
                    if v2_[b9] == "." and "E" not in v2_ and v2_ != b10:
                        v2 = v2_
                    else:
                        v2 = v2.quantize(b8, ROUND_HALF_UP)
                        if not v2:
                            v2 = v2.copy_abs()
                        v2 = str(v2)
                else:
                    v2 = b7(v2, row)
                if v2.__class__ is not str:
                    if v2.__class__ is Decimal:
                        v2_ = str(v2)
                        v2 = format(v2, "f") if "E" in v2_ else v2_
                    else:
                        v2 = str(v2) if v2.__class__ is int else as_text(v2)
            except (ValueProblem, KeyError):
                return fallback(row, state)
            return [v0, v1, v2]
        return record

Each field does what its field function does (source, Default when empty, transforms,
plain text); where a transform or computed source offers a fast path
(:mod:`stac_xl.mapping.inline`) that is pasted in, else it is called. When a value cannot
be made (``ValueProblem``: a missing lookup key) or a row lacks a column (``KeyError``:
the field function reads it as empty), the record is made again by the field functions,
one by one, which report each problem with its field exactly as before; records without
problems never pay for that.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from stac_xl.book.values import ValueProblem, as_text
from stac_xl.mapping.inline import PLAIN_DECIMAL, inline_of
from stac_xl.mapping.sources import CompiledSource
from stac_xl.mapping.text_memo import TextMemo
from stac_xl.mapping.transform_types import Transform, ValueChanged

if TYPE_CHECKING:
    from stac_xl.mapping.run_state import RunState

_ROW_GET = re.compile(r"(?<![.\w])get\(")
RecordFunction = Callable[[Mapping[str, Any], "RunState"], list[str]]

# What generated code may name besides its bound objects (see inline.py).
_GLOBALS: dict[str, Any] = {
    "Decimal": Decimal, "ROUND_HALF_UP": ROUND_HALF_UP, "date": date, "as_text": as_text,
    "ValueProblem": ValueProblem,
}


@dataclass(frozen=True)
class FieldPlan:
    """One compiled rule, in the pieces code generation needs: source, Default, transform steps."""

    source: CompiledSource
    default: str | None
    steps: tuple[Transform, ...]
    name: str = ""  # the field's name, for what a remembered chain told
    memo: TextMemo | None = None  # the steps' results by text, when they depend on the text alone


class _Writer:
    """Accumulates the generated lines and the objects they name (``b0``, ``b1``…)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.bound: list[Any] = []
        self._names: dict[int, str] = {}
        self.told = False  # a field reports what its remembered steps told

    def bind(self, value: Any) -> str:
        """The parameter name under which ``value`` reaches the generated code."""
        key = id(value)
        if key not in self._names:
            self._names[key] = f"b{len(self.bound)}"
            self.bound.append(value)
        return self._names[key]

    def emit(self, code: str) -> None:
        self.lines.extend(code.splitlines())

    def fast_path(self, func: Callable[..., Any], var: str, fallback: str) -> None:
        """``func``'s inline snippet with ``{v}`` = ``var``, or ``fallback`` (a call) if it has none."""
        inline = inline_of(func)
        if inline is None:
            self.emit(fallback)
            return
        names = {key: self.bind(value) if "{" + key + "}" in inline.code else "" for key, value in inline.bound.items()}
        self.emit(inline.code.format(v=var, call=self.bind(func), **names))

    def field(self, index: int, plan: FieldPlan) -> None:
        v, source, default = f"v{index}", plan.source, plan.default
        if source.constant is not None:
            if not plan.steps:
                self.emit(f"{v} = {self.bind(source.constant or default or '')}")
                return
            self.emit(f"{v} = {self.bind(source.constant if source.constant else default)}")
        else:
            if source.column is not None:
                self.emit(f"{v} = row[{self.bind(source.column)}]")
                if not plan.steps:  # the commonest rule: a column as it is
                    d = self.bind(default or "")
                    # text (nearly every value) costs one test; empty text stays empty without a Default
                    self.emit(_as_text(v, f"{v} = {d} if {v} is None else as_text({v})")
                              + (f"\nelif not {v}:\n    {v} = {d}" if default else ""))
                    return
            else:
                getter = source.getter
                self.fast_path(getter, v, f"{v} = {self.bind(getter)}(row, state)")
            if default:  # with none, an empty value stays as it is: every step passes "" and None alike
                self.emit(f"if {v} is None or {v}.__class__ is str and not {v}:\n    {v} = {self.bind(default)}")
        if plan.memo is None:
            self.steps(v, plan.steps)
            return
        # text made before is one look-up; what its steps told is reported when the record is made
        self.told = True
        memo, told = plan.memo, f"({index}, {self.bind(plan.name)}, {v}[1])"
        self.emit(f"if {v}.__class__ is str and {v}:\n"
                  f"    {v} = {self.bind(memo.made)}.get({v}) or {self.bind(memo.remember)}({v})\n"
                  f"    if {v}.__class__ is tuple:\n"
                  f"        told = [{told}] if told is None else [*told, {told}]\n"
                  f"        {v} = {v}[0]\n"
                  "else:")
        start = len(self.lines)
        self.steps(v, plan.steps)
        self.lines[start:] = ["    " + line for line in self.lines[start:]]

    def steps(self, v: str, steps: Sequence[Transform]) -> None:
        """The transform steps on ``v``, then its plain text."""
        for step in steps:
            self.fast_path(step, v, f"{v} = {self.bind(step)}({v}, row)")
        # a number the steps kept (negate alone) is written plain here, not through as_text
        self.emit(_as_text(v, f"{v} = str({v}) if {v}.__class__ is int else as_text({v})"))


def _as_text(v: str, otherwise: str) -> str:
    """Code making ``v`` its text: a text as it is, a Decimal plain (PLAIN_DECIMAL), any other
    value by the statement ``otherwise``."""
    plain = "\n        ".join(line.format(v=v) for line in PLAIN_DECIMAL)
    return (f"if {v}.__class__ is not str:\n"
            f"    if {v}.__class__ is Decimal:\n"
            f"        {plain}\n"
            f"    else:\n"
            f"        {otherwise}")


def report_told(state: RunState, told: Sequence[tuple[int, str, ValueChanged]]) -> None:
    """What remembered steps told of a record's fields, reported as its field function would."""
    for index, name, change in told:
        state.report(index, name, str(change), cause=change.cause, subject=change.subject, severity=change.severity)


def record_source(plans: Sequence[FieldPlan]) -> tuple[str, list[Any]]:
    """The generated source of a record type's function and the objects it binds, in order."""
    out = _Writer()
    for index, plan in enumerate(plans):
        out.field(index, plan)
    values = ", ".join(f"v{i}" for i in range(len(plans)))
    uses_get = any(_ROW_GET.search(line) for line in out.lines)  # an inline snippet's row.get
    told = ["told = None"] if out.told else []
    body = [*(["get = row.get"] if uses_get else []), *told, "try:", *("    " + line for line in out.lines),
            "except (ValueProblem, KeyError):", "    return fallback(row, state)"] if plans else []
    if out.told:
        body += ["if told is not None:", f"    {out.bind(report_told)}(state, told)"]
    params = ", ".join([*(f"b{i}" for i in range(len(out.bound))), "fallback"])
    source = "\n".join([f"def _make({params}):", "    def record(row, state):",
                        *("        " + line for line in body), f"        return [{values}]", "    return record", ""])
    return source, out.bound


def record_function(plans: Sequence[FieldPlan], fallback: RecordFunction) -> RecordFunction:
    """One function making a whole record's values, as the field functions would.

    ``fallback`` makes the record field by field; it runs when a value raises ValueProblem,
    so each problem is reported on its own field. The source is kept on the function as
    ``generated_source`` for whoever debugs it."""
    source, bound = record_source(plans)
    namespace = dict(_GLOBALS)
    exec(compile(source, "<stac_xl generated record>", "exec"), namespace)
    func: RecordFunction = namespace["_make"](*bound, fallback)
    func.generated_source = source  # type: ignore[attr-defined]  # kept for whoever debugs it
    return func
