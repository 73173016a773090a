"""The package layout as DESIGN.md draws it, checked from the code's own imports.

Every import is counted, also those inside functions and under ``TYPE_CHECKING``: a cycle a
type checker needs is still a cycle a reader has to untangle.
"""

from __future__ import annotations

import ast
import functools
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import stac_xl

PACKAGE = Path(stac_xl.__file__).parent
TOP_LEVEL_MODULES_AT_MOST = 8


def _modules() -> dict[str, Path]:
    found = {"stac_xl": PACKAGE / "__init__.py"}
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="stac_xl."):
        relative = info.name.split(".")[1:]
        path = PACKAGE.joinpath(*relative)
        found[info.name] = path / "__init__.py" if info.ispkg else path.with_suffix(".py")
    return found


MODULES = _modules()


@functools.cache
def _imports_of(module: str) -> tuple[str, ...]:
    """Parsed once per module for all the tests here: the package has over a hundred."""
    return tuple(_imported(module, MODULES[module]))


def _imported(module: str, path: Path) -> Iterator[str]:
    """Every module name ``module`` imports (``from a import b`` gives ``a.b`` when that is a module)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES)


def _graph() -> dict[str, set[str]]:
    graph = {}
    for name in MODULES:
        graph[name] = {m for m in _imports_of(name) if m in MODULES and m != name}
    return graph


def _third_party(library: str) -> dict[str, set[str]]:
    users: dict[str, set[str]] = {}
    for name in MODULES:
        for imported in _imports_of(name):
            if imported == library or imported.startswith(library + "."):
                users.setdefault(library, set()).add(name)
    return users


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path of module names, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_import_graph_has_no_cycles() -> None:
    graph = _graph()
    # a package's __init__ importing its own modules is how a package offers them, not a cycle
    for name in graph:
        graph[name] = {m for m in graph[name] if not (MODULES[m].name == "__init__.py" and name.startswith(m + "."))}
    assert _cycle(graph) is None


def test_the_graph_reader_sees_a_cycle_when_there_is_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_top_level_holds_few_modules_beside_the_packages() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= TOP_LEVEL_MODULES_AT_MOST, top


@pytest.mark.parametrize(("library", "allowed"), [
    ("requests", ("stac_xl.servicetrade.",)),
    ("python_calamine", ("stac_xl.book.",)),
    ("xlwings", ("stac_xl.book.live", "stac_xl.excel.", "stac_xl.addin.")),
])
def test_each_outside_library_is_imported_only_at_its_edge(library: str, allowed: tuple[str, ...]) -> None:
    users = _third_party(library).get(library, set())
    assert users, f"nothing imports {library}: the test would prove nothing"
    assert sorted(u for u in users if not u.startswith(allowed)) == []


def test_one_action_never_imports_another() -> None:
    graph = _graph()
    # what actions share is not an action: the profile a workbook describes, the export ledger
    shared = ("stac_xl.actions.profile", "stac_xl.actions.ledger")
    actions = {m for m in MODULES if m.startswith("stac_xl.actions.") and not m.startswith(shared)}
    assert {"stac_xl.actions.fetch", "stac_xl.actions.preview", "stac_xl.actions.export"} <= actions
    borrowed = {(a, b) for a in actions for b in graph[a] if b in actions and b != a}
    assert sorted(borrowed) == []
