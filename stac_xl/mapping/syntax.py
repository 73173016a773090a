"""How a *Transform* cell is written: ``trim | truncate(30) | pad_left(10, "0")``.

Steps are separated by ``|``; a step is a name and, optionally, arguments in parentheses.
An argument is a quoted text (``"a, b"``; a doubled ``""`` is one quote; Excel's curly
quotes count as quotes), a bare word or number (``MM/DD/YY``, ``30``, ``Items``), or a
named argument (``default="40000"``). Names ignore case, and a space or ``-`` reads as
``_`` (``Pad left`` is ``pad_left``). Parsed once, at compile time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

_CURLY_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"'})


class RuleProblem(Exception):
    """A rule cannot be compiled; the message is the clerk's sentence, without the cell
    (compile adds ``Mapping!D14``)."""


@dataclass(frozen=True)
class Arg:
    """One argument: its text, whether it was quoted, and its name if written ``name=…``."""

    value: str
    quoted: bool = False
    key: str | None = None


@dataclass(frozen=True)
class Step:
    """One transform in a chain, with helpers that check its arguments."""

    name: str                 # normalised: "pad_left"
    written: str              # as the clerk typed it: "Pad left"
    args: tuple[Arg, ...] = ()
    usage: str = ""           # an example, for messages: 'pad_left(10,"0")'

    def with_usage(self, usage: str) -> Step:
        """The same step, knowing its example (set from the catalogue)."""
        return replace(self, usage=usage)

    @property
    def positional(self) -> list[Arg]:
        return [a for a in self.args if a.key is None]

    def keyword(self, key: str) -> Arg | None:
        """The argument written ``key=…``, if any."""
        return next((a for a in self.args if a.key == key), None)

    def expect(self, least: int, most: int, *, keys: tuple[str, ...] = ()) -> None:
        """Check the number of positional arguments and that named ones are known."""
        for arg in self.args:
            if arg.key is not None and arg.key not in keys:
                raise RuleProblem(f"{self.name} has no argument called '{arg.key}'; e.g. {self.usage}.")
        count = len(self.positional)
        if least <= count <= most:
            return
        if most == 0:
            raise RuleProblem(f"{self.name} takes no arguments; write just {self.name}.")
        wanted = str(least) if least == most else f"{least} to {most}"
        noun = "argument" if wanted == "1" else "arguments"
        raise RuleProblem(f"{self.name} needs {wanted} {noun}, e.g. {self.usage}.")

    def text(self, index: int, default: str | None = None) -> str:
        """Positional argument ``index`` as text (``default`` when it is not given)."""
        args = self.positional
        if index < len(args):
            return args[index].value
        assert default is not None, "expect() checked the count"
        return default

    def whole_number(self, index: int, *, minimum: int = 1, maximum: int, why: str) -> int:
        """Positional argument ``index`` as a whole number from ``minimum`` to ``maximum``;
        ``why`` says what the maximum is, for the message."""
        raw = self.text(index).strip()
        digits = raw.lstrip("0") or "0"
        # isascii: "²" is a digit to isdigit() but not to int(); the length test keeps int()
        # away from thousands of digits (refused, and slow)
        if not (raw.isascii() and raw.isdigit()) or (len(digits) <= len(str(maximum)) and int(digits) < minimum):
            kind = "a whole number above 0" if minimum >= 1 else "a whole number"
            raise RuleProblem(f"{self.name} needs {kind}, not '{raw}'; e.g. {self.usage}.")
        if len(digits) > len(str(maximum)) or int(digits) > maximum:
            shown = raw if len(raw) <= 20 else raw[:20] + "…"
            raise RuleProblem(f"{self.name} takes at most {maximum:,} ({why}), not {shown}; e.g. {self.usage}.")
        return int(digits)


def _split(text: str, separator: str) -> list[str]:
    """Split on ``separator`` outside quotes and parentheses."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(text):
        if char == '"':
            quoted = not quoted  # a doubled quote closes and reopens: still inside
        elif quoted:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if quoted:
        raise RuleProblem('a quoted text is missing its closing quote (").')
    parts.append(text[start:])
    return parts


def _unquote(raw: str) -> Arg:
    if raw.startswith('"'):
        if len(raw) < 2 or not raw.endswith('"'):
            raise RuleProblem(f"the argument {raw} has text after its closing quote.")
        return Arg(raw[1:-1].replace('""', '"'), quoted=True)
    return Arg(raw)


def _parse_arg(raw: str, step: str) -> Arg:
    raw = raw.strip()
    if not raw:
        raise RuleProblem(f"{step} has an empty argument; remove the extra comma.")
    head, sep, tail = raw.partition("=")
    if sep and not raw.startswith('"') and head.strip().isidentifier():
        arg = _unquote(tail.strip())
        return Arg(arg.value, arg.quoted, head.strip().lower())
    return _unquote(raw)


def _parse_step(raw: str) -> Step:
    raw = raw.strip()
    if not raw:
        raise RuleProblem("there is an empty step between two | signs.")
    name, paren, rest = raw.partition("(")
    written = name.strip()
    normal = "_".join(written.lower().replace("-", " ").split())
    if not paren:
        return Step(normal, written)
    rest = rest.rstrip()
    if not rest.endswith(")"):
        raise RuleProblem(f"{written}( is missing its closing parenthesis.")
    inner = rest[:-1]
    args = tuple(_parse_arg(a, written) for a in _split(inner, ",")) if inner.strip() else ()
    return Step(normal, written, args)


def parse_chain(text: str) -> list[Step]:
    """The steps of a *Transform* cell, in order (an empty cell has none)."""
    text = text.translate(_CURLY_QUOTES).strip()
    if not text:
        return []
    return [_parse_step(part) for part in _split(text, "|")]
