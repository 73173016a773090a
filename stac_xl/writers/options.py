"""Typed option models without pydantic: a frozen dataclass per writer, checked on creation.

Writer options come from the Settings sheet and from profiles, so every value is checked
against its annotation and a refused one is reported in the words the clerk has always
seen (pydantic's, which these models replaced to keep every ribbon click from importing
it): ``Input should be 'minimal', 'all' or 'none'``, ``Value error, must be one character…``.

A subclass declares fields as a dataclass does (``delimiter: str = ","``); it becomes a
frozen, keyword-only dataclass by inheriting. Two class-level tables adjust values:
``clerk_words`` (before the type check: ``"tab"`` → ``"\\t"``) and ``value_checks`` (after
it: raise ``ValueError`` with the reason, or return the value to keep). A subclass's tables
extend its parents' (:func:`rules` makes one). Annotations may be ``str``, ``bool``, ``list[str]`` or a ``Literal``
of strings; anything else is refused when the class is made, so a new writer learns at once.

``model_validate``, ``model_dump`` and ``model_fields`` keep the names callers used with pydantic.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar, Literal, TypeVar, dataclass_transform

Adjust = Callable[[Any], Any]
ModelT = TypeVar("ModelT", bound="TypedOptions")

# The texts pydantic's lax mode reads as a boolean.
_TRUE = {"1", "on", "t", "true", "y", "yes"}
_FALSE = {"0", "off", "f", "false", "n", "no"}


@dataclass(frozen=True)
class OptionError:
    """One refused value: where (option name, then list position), a kind and the reason."""

    loc: tuple[str | int, ...]
    type: str
    msg: str


class InvalidOptions(ValueError):
    """Raised when options break their model's rules; ``errors`` lists every problem found."""

    def __init__(self, errors: list[OptionError]) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, e.loc))}: {e.msg}" for e in errors))
        self.errors = errors


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(dataclasses.field,))
@dataclass(frozen=True, kw_only=True)
class TypedOptions:
    """A frozen dataclass whose fields are checked (and the clerk's words read) on creation."""

    clerk_words: ClassVar[Mapping[str, Adjust]] = {}
    value_checks: ClassVar[Mapping[str, Adjust]] = {}
    model_fields: ClassVar[dict[str, dataclasses.Field[Any]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclass(frozen=True, kw_only=True)(cls)
        for table in ("clerk_words", "value_checks"):
            merged: dict[str, Adjust] = {}
            for klass in reversed(cls.__mro__):
                merged.update(vars(klass).get(table, {}))
            setattr(cls, table, merged)
        cls.model_fields = {f.name: f for f in dataclasses.fields(cls)}
        cls._kinds = {name: _kind_of(hint, f"{cls.__name__}.{name}")
                      for name, hint in typing.get_type_hints(cls).items() if name in cls.model_fields}

    _kinds: ClassVar[dict[str, Adjust]] = {}

    def __post_init__(self) -> None:
        errors: list[OptionError] = []
        for name in self.model_fields:
            value = getattr(self, name)
            try:
                value = self.clerk_words.get(name, _same)(value)
                value = self._kinds[name](value)
                check = self.value_checks.get(name)
                if check is not None:
                    try:
                        value = check(value)
                    except ValueError as exc:
                        raise _Refused(OptionError((), "value_error", f"Value error, {exc}")) from None
            except _Refused as refused:
                errors.append(dataclasses.replace(refused.error, loc=(name, *refused.error.loc)))
                continue
            object.__setattr__(self, name, value)
        if errors:
            raise InvalidOptions(errors)

    @classmethod
    def model_validate(cls: type[ModelT], raw: Mapping[str, Any]) -> ModelT:
        """The model for ``raw`` (option name → value); every unknown or refused option is
        reported at once in :class:`InvalidOptions`."""
        errors: list[OptionError] = []
        try:
            made = cls(**{k: v for k, v in raw.items() if k in cls.model_fields})
        except InvalidOptions as exc:
            errors = list(exc.errors)
        unknown = [OptionError((k,), "extra_forbidden", "Extra inputs are not permitted")
                   for k in raw if k not in cls.model_fields]
        if errors or unknown:
            raise InvalidOptions(errors + unknown)
        return made

    def model_dump(self) -> dict[str, Any]:
        """The options as a plain dict (lists copied), as ``model_validate`` takes them."""
        return {name: _copied(getattr(self, name)) for name in self.model_fields}


class _Refused(Exception):
    def __init__(self, error: OptionError) -> None:
        self.error = error


def rules(**adjust: Adjust) -> Mapping[str, Adjust]:
    """A ``clerk_words`` or ``value_checks`` table: option name → function (read-only)."""
    return MappingProxyType(adjust)


def _same(value: Any) -> Any:
    return value


def _copied(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def _kind_of(hint: Any, where: str) -> Adjust:
    """The check of one annotation: the value to keep, or _Refused with pydantic's wording."""
    if hint is str:
        return _text
    if hint is bool:
        return _boolean
    if typing.get_origin(hint) is list and typing.get_args(hint) == (str,):
        return _text_list
    if typing.get_origin(hint) is Literal and all(isinstance(a, str) for a in typing.get_args(hint)):
        return _one_of(typing.get_args(hint))
    raise TypeError(f"{where}: options may be str, bool, list[str] or a Literal of strings, not {hint!r}")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Refused(OptionError((), "string_type", "Input should be a valid string"))
    return value


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    detail = ", unable to interpret input" if isinstance(value, str) else ""
    raise _Refused(OptionError((), "bool_parsing" if detail else "bool_type", f"Input should be a valid boolean{detail}"))


def _text_list(value: Any) -> list[str]:
    if not isinstance(value, list | tuple):
        raise _Refused(OptionError((), "list_type", "Input should be a valid list"))
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise _Refused(OptionError((index,), "string_type", "Input should be a valid string"))
    return list(value)


def _one_of(choices: tuple[str, ...]) -> Adjust:
    shown = [repr(c) for c in choices]
    wording = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"

    def check(value: Any) -> str:
        if isinstance(value, str) and value in choices:
            return value
        raise _Refused(OptionError((), "literal_error", f"Input should be {wording}"))
    return check
