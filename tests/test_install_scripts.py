"""install.ps1 and scripts/smoke-test.ps1, checked on Linux (no PowerShell here).

1. Both scripts parse with tree-sitter's PowerShell grammar with no ERROR or MISSING node.
   The grammar is a little stricter than PowerShell (a bare-word list such as
   ``Remove-Item Env:A, Env:B`` does not parse: quote the words).
2. The python.org installer's arguments: install.ps1's own functions
   ``Get-PythonInstallerArguments``, ``Join-ProcessArguments`` and
   ``ConvertTo-ProcessArgument`` are run from their parse tree by a small evaluator of the
   PowerShell they use (it refuses any construct it does not know, so a change to those
   functions cannot silently pass), and the command line they build is split again by the
   rules of the Microsoft C runtime (``CommandLineToArgvW``), which is how the installer
   reads it. Assumed, not run here: that PowerShell evaluates those constructs as modelled
   (``[regex]::Replace`` with ``$1`` replacements, ``-join``, ``ForEach-Object``) and that
   ``Start-Process -ArgumentList`` passes one string unchanged, as .NET does.
   ``Get-AsrBlockingMode`` is run the same way: Defender's Warn mode (6) counts as Block (1).
3. Every ``Start-Process -ArgumentList`` in both scripts gets one string, not an array.
4. scripts/check-install-paths runs the ``addin build`` command line install.ps1 runs.
5. Which Python install.ps1 installs: ``Select-PythonVersion`` run by the same evaluator with
   the registered PEP 514 tags given to it (a candidate whose minor version this PC has is
   skipped; with all of them there, the newest is only the venv's base, said in one sentence),
   and the default candidates are Python versions xlwings 0.37.8 declares. Assumed, not run
   here: the registry reads (Get-RegisteredPythonTags), that each candidate has an amd64
   installer on python.org, and that the installer honours TargetDir for a new minor version.
6. No file of the repository names a package registry's host.
"""

from __future__ import annotations

import importlib.metadata
import re
import shlex
import subprocess
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import tree_sitter
import tree_sitter_powershell

ROOT = Path(__file__).resolve().parent.parent
INSTALL = ROOT / "install.ps1"
SMOKE = ROOT / "scripts" / "smoke-test.ps1"
CHECK_INSTALL_PATHS = ROOT / "scripts" / "check-install-paths"

Node = tree_sitter.Node
PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def parse(source: bytes) -> Node:
    return PARSER.parse(source).root_node


def walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from walk(child)


def syntax_problems(source: bytes) -> list[str]:
    """Every ERROR or MISSING node, as 'line:column: text'."""
    return [
        f"{n.start_point[0] + 1}:{n.start_point[1] + 1}: {'missing ' + n.type if n.is_missing else 'error'} "
        f"{n.text.decode(errors='replace')[:60]!r}"
        for n in walk(parse(source))
        if n.is_error or n.is_missing
    ]


def functions(root: Node) -> dict[str, Node]:
    found = {}
    for n in walk(root):
        if n.type == "function_statement":
            name = next(c for c in n.children if c.type == "function_name")
            found[name.text.decode()] = n
    return found


# --- 1. parse --------------------------------------------------------------------------


@pytest.mark.parametrize("script", [INSTALL, SMOKE], ids=lambda p: p.name)
def test_script_parses_without_errors(script: Path) -> None:
    source = script.read_bytes()
    assert syntax_problems(source) == []
    names = set(functions(parse(source)))
    expected = {"Install-PrivatePython", "Invoke-SelfTest", "Uninstall-Stac"} if script == INSTALL else {"Step", "Start-Sandbox"}
    assert expected <= names  # the tree is the script's, not an empty parse


@pytest.mark.parametrize(
    "broken",
    [
        b"function A {\n  if ($x) { 'a' \n}\n",  # a missing brace
        b'$a = "abc\nWrite-Host $a\n',  # an unterminated string
        b"Start-Process -ArgumentList @('a', 'b'\n",  # an unclosed @(
        b"$x = (1 + )\n",  # a missing operand
    ],
)
def test_the_parse_check_finds_broken_powershell(broken: bytes) -> None:
    assert syntax_problems(broken)


# --- 2. the installer's arguments --------------------------------------------------------


class Unsupported(Exception):
    """A PowerShell construct the evaluator does not model: extend it, do not skip."""


class Return(Exception):
    def __init__(self, value: list[Any]) -> None:
        self.value = value


def _net_replacement(replacement: str) -> Callable[[re.Match[str]], str]:
    """.NET Regex.Replace replacement text: $N is group N, $$ a dollar, the rest literal."""
    parts = re.findall(r"\$\$|\$\d+|[^$]+|\$", replacement)

    def expand(m: re.Match[str]) -> str:
        out = []
        for part in parts:
            if part == "$$":
                out.append("$")
            elif re.fullmatch(r"\$\d+", part):
                out.append(m.group(int(part[1:])) or "")
            else:
                out.append(part)
        return "".join(out)

    return expand


# Wrapper nodes of the grammar that hold one expression.
PASS_THROUGH = {
    "pipeline", "pipeline_chain", "logical_expression", "bitwise_expression", "comparison_expression",
    "additive_expression", "multiplicative_expression", "format_expression", "range_expression",
    "array_literal_expression", "unary_expression", "argument_expression", "logical_argument_expression",
    "bitwise_argument_expression", "comparison_argument_expression", "additive_argument_expression",
    "multiplicative_argument_expression", "format_argument_expression", "range_argument_expression",
    "string_literal",
}


class Evaluator:
    """Runs install.ps1's pure functions from their parse tree (see the module docstring).

    A function's output (what PowerShell returns) is one list for the whole call, so output
    written before a ``return`` in an enclosing block is not lost; ``Write-Host`` is not
    output but goes to ``host``.
    """

    def __init__(self, root: Node) -> None:
        self.functions = functions(root)
        self.host: list[str] = []

    def call(self, name: str, args: list[Any]) -> Any:
        if name.lower() == "write-host":
            self.host.append(" ".join(str(a) for a in args))
            return None
        fn = self.functions.get(name)
        if fn is None:
            raise Unsupported(f"command {name}")
        params = [
            c for n in walk(fn) if n.type == "script_parameter" for c in n.children if c.type == "variable"
        ]
        scope = {p.text.decode()[1:].lower(): a for p, a in zip(params, args, strict=True)}
        body = next(n for n in walk(fn) if n.type == "script_block")
        out: list[Any] = []
        try:
            self.block(body, scope, out)
        except Return as r:
            out += r.value
        if not out:
            return None  # no output: $null
        return out[0] if len(out) == 1 else out

    def block(self, node: Node, scope: dict[str, Any], out: list[Any]) -> None:
        for n in node.named_children:
            if n.type in ("script_block_body", "statement_list", "statement_block"):
                self.block(n, scope, out)
            elif n.type == "comment":
                continue
            else:
                self.statement(n, scope, out)

    def statement(self, node: Node, scope: dict[str, Any], out: list[Any]) -> None:
        if node.type == "if_statement":
            cond = next(c for c in node.named_children if c.type == "pipeline")
            then = next(c for c in node.named_children if c.type == "statement_block")
            if len([c for c in node.named_children if c.type == "statement_block"]) != 1:
                raise Unsupported("if with else")
            if self.truthy(self.expr(cond, scope)):
                self.block(then, scope, out)
            return
        if node.type == "foreach_statement":
            variable, items, body = (c for c in node.named_children if c.type != "comment")
            if (variable.type, items.type, body.type) != ("variable", "pipeline", "statement_block"):
                raise Unsupported(f"foreach: {node.text.decode()[:50]!r}")
            values = self.expr(items, scope)
            for item in values if isinstance(values, list) else ([] if values is None else [values]):
                scope[variable.text.decode()[1:].lower()] = item
                self.block(body, scope, out)
            return
        if node.type == "flow_control_statement":
            if node.children[0].type != "return":
                raise Unsupported(node.children[0].type)
            raise Return([self.expr(c, scope) for c in node.named_children])
        if node.type == "pipeline" and node.named_children[0].type == "assignment_expression":
            target, _op, value = node.named_children[0].named_children
            scope[target.text.decode()[1:].lower()] = self.expr(value, scope)
            return
        value = self.expr(node, scope)
        if value is not None:  # a command that wrote no output (Write-Host) adds nothing
            out.append(value)

    @staticmethod
    def truthy(value: Any) -> bool:
        return bool(value)

    def expr(self, node: Node, scope: dict[str, Any]) -> Any:
        kids = node.named_children
        t = node.type
        if t in ("pipeline", "pipeline_chain") and any(c.type == "|" for c in node.children):
            return self.pipe(node, scope)
        if t in PASS_THROUGH and len(node.children) == 1:
            return self.expr(node.children[0], scope)
        if t == "array_literal_expression":
            return [self.expr(c, scope) for c in kids]
        if t == "integer_literal":
            return int(node.text.decode())
        if t == "verbatim_string_characters":
            return node.text.decode()[1:-1].replace("''", "'")
        if t == "expandable_string_literal":
            text = node.text.decode()[1:-1]
            if "`" in text or "$(" in text:
                raise Unsupported("escapes or subexpressions in a string")
            return re.sub(r"\$(\w+)", lambda m: str(scope[m.group(1).lower()]), text)
        if t == "variable":
            return scope[node.text.decode()[1:].lower()]
        if t in ("parenthesized_expression", "array_expression"):
            inner = next(c for c in kids if c.type in ("pipeline", "statement_list"))
            if inner.type == "statement_list":
                value: Any = []
                self.block(inner, scope, value)
            else:
                value = self.expr(inner, scope)
            return ([x for v in value for x in (v if isinstance(v, list) else [v])]
                    if t == "array_expression" else value)
        if t == "logical_expression" and len(kids) == 2:
            op = next(c.type for c in node.children if c.type in ("-and", "-or"))
            left = self.truthy(self.expr(kids[0], scope))
            if op == "-and":
                return left and self.truthy(self.expr(kids[1], scope))
            return left or self.truthy(self.expr(kids[1], scope))
        if t == "comparison_expression" and len(kids) == 3:
            left, op, right = self.expr(kids[0], scope), kids[1].text.decode(), self.expr(kids[2], scope)
            return self.compare(left, op, right)
        if t == "additive_expression" and len(kids) == 2 and node.children[1].type == "+":
            return str(self.expr(kids[0], scope)) + str(self.expr(kids[1], scope))
        if t == "invokation_expression":
            return self.invoke(node, scope)
        if t == "expression_with_unary_operator" and len(kids) == 1 and kids[0].type == "cast_expression":
            return self.expr(kids[0], scope)
        if t == "cast_expression":
            type_name = next(c for c in kids if c.type == "type_literal").text.decode().lower()
            if type_name != "[version]":
                raise Unsupported(f"cast to {type_name}")
            value = str(self.expr(next(c for c in kids if c.type != "type_literal"), scope))
            if not re.fullmatch(r"\d+(\.\d+){1,3}", value):
                raise Unsupported(f"[version]{value!r}: PowerShell would throw")
            return tuple(int(part) for part in value.split("."))
        if t == "hash_literal_expression":
            body = next((c for c in kids if c.type == "hash_literal_body"), None)
            entries = body.named_children if body else []
            return {next(c for c in e.named_children if c.type == "key_expression").text.decode():
                    self.expr(next(c for c in e.named_children if c.type == "pipeline"), scope)
                    for e in entries if e.type == "hash_entry"}
        if t == "command":
            name = next(c for c in kids if c.type == "command_name").text.decode()
            elements = next((c for c in kids if c.type == "command_elements"), None)
            args = [self.expr(c, scope) for c in (elements.named_children if elements else [])
                    if c.type != "command_argument_sep"]
            return self.call(name, args)
        raise Unsupported(f"{t}: {node.text.decode()[:50]!r}")

    @staticmethod
    def compare(left: Any, op: str, right: Any) -> Any:
        if op == "-ne":
            return str(left).lower() != str(right).lower()
        if op == "-eq":
            return str(left).lower() == str(right).lower()
        if op == "-match":
            return re.search(right, left, re.IGNORECASE) is not None
        if op == "-notmatch":
            return re.search(right, left, re.IGNORECASE) is None
        if op == "-join":
            return right.join(str(x) for x in (left if isinstance(left, list) else [left]))
        if op in ("-contains", "-notcontains"):
            if not isinstance(left, list) or isinstance(right, list):
                raise Unsupported(f"{op} on {left!r}, {right!r}")
            found = str(right).lower() in [str(x).lower() for x in left]
            return found if op == "-contains" else not found
        if op in ("-gt", "-lt", "-ge", "-le"):
            if type(left) is not type(right) or not isinstance(left, (int, tuple)):
                raise Unsupported(f"{op} on {left!r}, {right!r}")  # only [version] or [int] with its like
            return {"-gt": left > right, "-lt": left < right, "-ge": left >= right, "-le": left <= right}[op]
        raise Unsupported(op)

    def invoke(self, node: Node, scope: dict[str, Any]) -> Any:
        type_name = next(c for c in node.named_children if c.type == "type_literal").text.decode()
        member = next(c for c in node.named_children if c.type == "member_name").text.decode()
        if (type_name.lower(), member.lower()) != ("[regex]", "replace"):
            raise Unsupported(f"{type_name}::{member}")
        args_node = next(n for n in walk(node) if n.type == "argument_expression_list")
        text, pattern, replacement = (self.expr(c, scope) for c in args_node.named_children)
        return re.sub(pattern, _net_replacement(replacement), text)

    def pipe(self, node: Node, scope: dict[str, Any]) -> list[Any]:
        source, command = (c for c in node.named_children)
        items = self.expr(source, scope)
        name = next(c for c in command.named_children if c.type == "command_name").text.decode()
        if name != "ForEach-Object":
            raise Unsupported(f"pipe into {name}")
        body = next(n for n in walk(command) if n.type == "script_block")
        out: list[Any] = []
        for item in items if isinstance(items, list) else [items]:
            self.block(body, {**scope, "_": item}, out)
        return out


def split_windows_command_line(line: str) -> list[str]:
    """Split arguments as the Microsoft C runtime does (CommandLineToArgvW, after argv[0])."""
    args: list[str] = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i] in " \t":
            i += 1
        if i >= n:
            return args
        arg, quoted = [], False
        while i < n and (quoted or line[i] not in " \t"):
            slashes = 0
            while i < n and line[i] == "\\":
                slashes += 1
                i += 1
            if i < n and line[i] == '"':
                arg.append("\\" * (slashes // 2))
                if slashes % 2:
                    arg.append('"')
                elif quoted and i + 1 < n and line[i + 1] == '"':
                    arg.append('"')  # "" inside quotes: a literal quote
                    i += 1
                else:
                    quoted = not quoted
                i += 1
            else:
                arg.append("\\" * slashes)
                if i < n and (quoted or line[i] not in " \t"):
                    arg.append(line[i])
                    i += 1
        args.append("".join(arg))


@pytest.fixture(scope="module")
def install_ps1() -> Evaluator:
    return Evaluator(parse(INSTALL.read_bytes()))


def test_target_dir_with_a_space_reaches_the_installer_as_one_argument(install_ps1: Evaluator) -> None:
    py_dir = r"C:\Users\John Smith\AppData\Local\stac_xl\py"
    arguments = install_ps1.call("Get-PythonInstallerArguments", [py_dir])
    assert arguments[-1] == f"TargetDir={py_dir}"
    line = install_ps1.call("Join-ProcessArguments", [arguments])
    assert split_windows_command_line(line) == arguments
    assert f'"TargetDir={py_dir}"' in line
    # What the old install.ps1 did (Start-Process joins an array with bare spaces): two arguments.
    assert split_windows_command_line(" ".join(arguments))[-2:] == [r"TargetDir=C:\Users\John", r"Smith\AppData\Local\stac_xl\py"]


@pytest.mark.parametrize(
    "value",
    [
        r"C:\Users\John Smith\AppData\Local\stac_xl\py",
        "C:\\Users\\John Smith\\",  # a trailing backslash must not escape the closing quote
        r"C:\Users\Zoë Ångström\stac_xl",
        'say "hi"',
        'C:\\a b\\"quoted\\\\"',
        "tab\there",
        "",
        "plain",
        r"C:\no\spaces\at\all\\",
    ],
)
def test_every_argument_round_trips(install_ps1: Evaluator, value: str) -> None:
    line = install_ps1.call("Join-ProcessArguments", [["/quiet", value, "x=1"]])
    assert split_windows_command_line(line) == ["/quiet", value, "x=1"]


@pytest.mark.parametrize(("action", "mode"), [(0, ""), (1, "Block"), (2, ""), (5, ""), (6, "Warn")])
def test_defender_warn_mode_is_reported_like_block(install_ps1: Evaluator, action: int, mode: str) -> None:
    assert install_ps1.call("Get-AsrBlockingMode", [action]) == mode
    rules = functions(parse(INSTALL.read_bytes()))["Get-AsrBlockingRules"]
    assert b"Get-AsrBlockingMode $modes[$id]" in rules.text  # the report uses that decision


@pytest.mark.parametrize(
    "source",
    [
        b"function F([string]$A) { return [IO.Path]::GetFullPath($A) }\n",
        b"function F([string]$A) { return [int]$A }\n",  # only [version] casts are modelled
        b"function F([string]$A) { return $A -gt '3.9' }\n",  # -gt on strings: PowerShell's rules differ
        b"function F([string]$A) { return $A -contains 'x' }\n",  # -contains on a scalar
    ],
)
def test_the_evaluator_refuses_what_it_does_not_model(source: bytes) -> None:
    with pytest.raises(Unsupported):
        Evaluator(parse(source)).call("F", ["x"])


def test_the_evaluator_keeps_output_written_before_a_nested_return() -> None:
    # PowerShell returns everything a function wrote, not only the value after `return`.
    root = parse(b"function F([string[]]$A) {\n  'first'\n  foreach ($a in $A) { if ($a -eq 'b') { return $a } }\n}\n")
    assert Evaluator(root).call("F", [["a", "b", "c"]]) == ["first", "b"]
    assert Evaluator(root).call("F", [["a"]]) == "first"


def test_windows_splitter_follows_the_c_runtime_rules() -> None:
    # Examples from Microsoft's "Parsing C++ command-line arguments" table.
    assert split_windows_command_line('"a b c" d e') == ["a b c", "d", "e"]
    assert split_windows_command_line(r'"ab\"c" "\\" d') == ['ab"c', "\\", "d"]
    assert split_windows_command_line(r'a\\\b d"e f"g h') == [r"a\\\b", "de fg", "h"]
    assert split_windows_command_line(r'a\\\"b c d') == [r'a\"b', "c", "d"]
    assert split_windows_command_line(r'a\\\\"b c" d e') == [r"a\\b c", "d", "e"]


# --- 3. Start-Process gets one string ----------------------------------------------------


def start_process_argument_lists(root: Node) -> Iterator[tuple[Node, Node]]:
    """(the enclosing function or the root, the -ArgumentList value) of each Start-Process."""
    for n in walk(root):
        if n.type != "command":
            continue
        name = next((c for c in n.named_children if c.type == "command_name"), None)
        if name is None or name.text.decode().lower() != "start-process":
            continue
        elements = [c for c in next(c for c in n.named_children if c.type == "command_elements").named_children
                    if c.type != "command_argument_sep"]
        for i, el in enumerate(elements):
            if el.type == "command_parameter" and el.text.decode().lower() == "-argumentlist":
                scope = n
                while scope.parent is not None and scope.type != "function_statement":
                    scope = scope.parent
                yield scope, elements[i + 1]


def assigned_values(scope: Node, variable: str) -> list[Node]:
    return [
        a.named_children[2]
        for a in walk(scope)
        if a.type == "assignment_expression" and a.named_children[0].text.decode().lower() == variable.lower()
    ]


def is_one_string(value: Node, scope: Node) -> bool:
    """A string literal, a Join-ProcessArguments call, or a variable assigned only those."""
    inner = value
    while inner.named_child_count == 1 and inner.type not in ("variable", "command", "string_literal"):
        inner = inner.named_children[0]
    if inner.type == "string_literal":
        return True
    if inner.type == "command":
        return inner.named_children[0].text.decode() == "Join-ProcessArguments"
    if inner.type == "variable":
        values = assigned_values(scope, inner.text.decode())
        return bool(values) and all(is_one_string(v, scope) for v in values)
    return False


@pytest.mark.parametrize("script", [INSTALL, SMOKE], ids=lambda p: p.name)
def test_start_process_gets_one_command_line_string(script: Path) -> None:
    found = list(start_process_argument_lists(parse(script.read_bytes())))
    assert found, "no Start-Process -ArgumentList found: the test looks at the wrong thing"
    for scope, value in found:
        assert is_one_string(value, scope), f"{script.name}: Start-Process -ArgumentList {value.text.decode()!r}"


def test_the_installer_is_given_the_quoted_target_dir() -> None:
    fn = functions(parse(INSTALL.read_bytes()))["Install-PythonWithInstaller"]
    (_, value), = [(s, v) for s, v in start_process_argument_lists(fn)]
    (assigned,) = assigned_values(fn, value.text.decode())
    assert re.sub(r"\s+", " ", assigned.text.decode()) == "Join-ProcessArguments (Get-PythonInstallerArguments $PyDir)"


def test_an_array_argument_list_is_caught() -> None:
    root = parse(b"function F { Start-Process -FilePath $x -ArgumentList @('/quiet', \"TargetDir=$PyDir\") }\n")
    ((scope, value),) = list(start_process_argument_lists(root))
    assert not is_one_string(value, scope)


# --- 4. CI builds the add-in with install.ps1's command line ------------------------------


def install_build_command() -> list[str]:
    """install.ps1's `& $VenvPython -m stac_xl.cli addin build ...`: words and option names."""
    root = parse(INSTALL.read_bytes())
    for n in walk(root):
        if n.type == "command" and b"stac_xl.cli addin build" in n.text:
            elements = next(c for c in n.named_children if c.type == "command_elements")
            return [c.text.decode() for c in elements.named_children
                    if c.type in ("generic_token", "command_parameter")]
    raise AssertionError("install.ps1 runs no `stac_xl.cli addin build`")


def test_ci_runs_install_ps1s_addin_build_command_line() -> None:
    ours = install_build_command()
    assert ours == ["-m", "stac_xl.cli", "addin", "build", "--out", "--interpreter", "--sources"]
    text = CHECK_INSTALL_PATHS.read_text()
    command = re.search(r'"\$ADDIN_VENV/bin/python" (-m stac_xl\.cli addin build .*?)\)\n', text.replace("\\\n", " "), re.S)
    assert command, "check-install-paths runs no `python -m stac_xl.cli addin build`"
    words = [w for w in shlex.split(command.group(1)) if not w.startswith("$")]
    assert words == ours
    assert 'pip_install "$ADDIN_VENV" ".[addin]"' in text and '"$Source[addin]"' in INSTALL.read_text()


# --- 5. which Python install.ps1 installs ---------------------------------------------------


CANDIDATES = ["3.12.10", "3.11.9", "3.13.3"]


def default_python_versions() -> list[str]:
    """install.ps1's default -PythonVersions, evaluated from its param block."""
    root = parse(INSTALL.read_bytes())
    for n in walk(root):
        if n.type == "script_parameter" and any(
            c.type == "variable" and c.text.decode().lower() == "$pythonversions" for c in n.children
        ):
            default = next(c for c in n.children if c.type == "script_parameter_default")
            value = Evaluator(root).expr(default.named_children[0], {})
            return value if isinstance(value, list) else [value]
    raise AssertionError("install.ps1 has no -PythonVersions parameter")


def choose(install_ps1: Evaluator, registered: list[str], candidates: list[str] = CANDIDATES) -> tuple[Any, list[str]]:
    install_ps1.host.clear()
    choice = install_ps1.call("Select-PythonVersion", [candidates, registered])
    return choice, list(install_ps1.host)


@pytest.mark.parametrize(
    ("registered", "installed"),
    [
        ([], "3.12.10"),  # no Python on the PC: the first candidate
        (["3.12"], "3.11.9"),  # the clerk has 3.12 (64-bit): never reinstalled over it
        (["3.12", "3.11"], "3.13.3"),
        (["3.12-32"], "3.11.9"),  # a 32-bit 3.12 counts too
        (["3.12t", "3.11"], "3.13.3"),  # and a free-threaded one
        (["3.10", "3.9", "2.7", "3.14"], "3.12.10"),  # other minors do not matter
        (["3.120"], "3.12.10"),  # 3.120 is not 3.12
    ],
)
def test_a_candidate_whose_minor_is_registered_is_skipped(
    install_ps1: Evaluator, registered: list[str], installed: str
) -> None:
    choice, said = choose(install_ps1, registered)
    assert choice == {"Install": installed}
    assert said == []  # nothing to explain when a private Python is installed


def test_with_every_candidate_minor_registered_the_newest_is_only_the_base(install_ps1: Evaluator) -> None:
    choice, said = choose(install_ps1, ["3.13", "3.11", "3.12", "3.10"])
    assert choice == {"Use": "3.13"}  # 3.13 > 3.12 as versions, although listed last
    (sentence,) = said
    assert sentence.startswith("stac_xl: ") and sentence.endswith(".")
    assert sentence.count(". ") == 0  # one sentence
    assert "(3.12, 3.11, 3.13)" in sentence and "your Python 3.13" in sentence
    assert "virtual environment" in sentence and "stays as it is" in sentence


def test_the_newest_base_is_compared_as_a_version(install_ps1: Evaluator) -> None:
    choice, _ = choose(install_ps1, ["3.9", "3.10"], ["3.9.13", "3.10.11"])
    assert choice == {"Use": "3.10"}  # a string comparison would pick 3.9


def test_the_default_candidates_are_pythons_xlwings_declares() -> None:
    versions = default_python_versions()
    assert versions == CANDIDATES  # the tests above use the real default list
    minors = [".".join(v.split(".")[:2]) for v in versions]
    assert all(re.fullmatch(r"3\.\d+\.\d+", v) for v in versions) and len(set(minors)) == len(minors)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "xlwings==0.37.8" in pyproject["project"]["dependencies"]
    assert pyproject["project"]["requires-python"] == ">=3.11"
    assert importlib.metadata.version("xlwings") == "0.37.8"
    declared = {c.rsplit(" :: ", 1)[1] for c in importlib.metadata.metadata("xlwings").get_all("Classifier") or []
                if c.startswith("Programming Language :: Python :: 3.")}
    assert set(minors) <= declared, f"xlwings 0.37.8 declares {sorted(declared)}"
    assert all(tuple(map(int, m.split("."))) >= (3, 11) for m in minors)


def test_the_installer_gets_a_per_user_python_with_tk_not_on_path(install_ps1: Evaluator) -> None:
    arguments = install_ps1.call("Get-PythonInstallerArguments", [r"C:\x\py"])
    for setting in ("/quiet", "InstallAllUsers=0", "PrependPath=0", "Include_tcltk=1", "Include_launcher=0",
                    "Shortcuts=0", "AssociateFiles=0"):
        assert setting in arguments


def test_install_ps1_wires_the_choice_to_the_registry_and_the_record() -> None:
    fns = functions(parse(INSTALL.read_bytes()))
    private = fns["Install-PrivatePython"].text.decode()
    assert "Select-PythonVersion $PythonVersions @(Get-RegisteredPythonTags)" in private
    assert "Install-PythonWithInstaller $choice.Install" in private
    assert "Get-RegisteredPython $choice.Use" in private
    tags = fns["Get-RegisteredPythonTags"].text.decode()
    assert r"'HKCU:\Software\Python\PythonCore'" in tags and r"'HKLM:\Software\Python\PythonCore'" in tags
    # Only the installer run writes the record of the Python -Uninstall may remove, and only
    # after python.exe is in <Root>\py; the clerk's Python used as a base is never recorded.
    writers = [name for name, fn in fns.items() if b"Set-Content -LiteralPath $PythonRecord" in fn.text]
    assert writers == ["Install-PythonWithInstaller"]
    installer = fns["Install-PythonWithInstaller"].text.decode()
    assert installer.index("Join-Path $PyDir 'python.exe'") < installer.index("Set-Content -LiteralPath $PythonRecord")
    assert "$recorded -contains $_" in fns["Remove-InstalledPython"].text.decode()
    assert "python-installed-by-stac.txt" in INSTALL.read_text()


# --- 6. no package registry's host in the repository ---------------------------------------

# Spelled in parts, so that this file does not name them either.
REGISTRY_HOSTS = tuple(".".join(parts) for parts in (
    ("pypi", "org"), ("files", "pythonhosted", "org"), ("deb", "debian", "org"),
    ("registry", "npmjs", "org"), ("nuget", "org"), ("bootstrap", "pypa", "io"),
))
NOT_SHIPPED = {".git", ".venv", "__pycache__", ".pytest_cache", "build", "dist", "out", "stac-demo"}


def repository_files() -> list[Path]:
    """What git tracks plus new files not ignored; without git, every file outside NOT_SHIPPED."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=ROOT, capture_output=True, check=True).stdout.decode()
        files = [ROOT / f for f in listed.split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        files = [f for f in ROOT.rglob("*")
                 if not NOT_SHIPPED & set(f.relative_to(ROOT).parts) and not f.name.endswith(".egg-info")]
    return [f for f in files if f.is_file()]


def registry_hosts_in(data: bytes) -> list[str]:
    text = data.lower()
    return [host for host in REGISTRY_HOSTS if host.encode() in text]


def test_the_host_check_finds_a_host_in_any_case() -> None:
    mixed_case = ".".join(("WWW", "NuGet", "Org"))
    assert registry_hosts_in(f"$url = 'https://{mixed_case}/api/v2/package/python'".encode()) == [".".join(("nuget", "org"))]
    assert registry_hosts_in(b"see python.org and " + b"Debian's packages") == []


def test_no_file_in_the_repository_names_a_package_registry_host() -> None:
    files = repository_files()
    assert {INSTALL, Path(__file__).resolve(), ROOT / "README.md"} <= {f.resolve() for f in files}
    found = {str(f.relative_to(ROOT)): hosts for f in files if (hosts := registry_hosts_in(f.read_bytes()))}
    assert found == {}
