"""The exception tree: one module holds it, and its docstring draws it as the classes are."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import stac_xl
from stac_xl import errors
from stac_xl.errors import StacError

# "    │   ├── LoginFailed       the sign-in…": the class name and how deep the branch is
_BRANCH = re.compile(r"^    (?P<lead>(?:[│ ]   )*(?:├── |└── ))?(?P<name>[A-Z]\w+)\b")


def drawn_tree() -> dict[str, str | None]:
    """Each class the docstring draws → the class it is drawn under (None for the root)."""
    parents: dict[str, str | None] = {}
    stack: list[str] = []
    for line in (errors.__doc__ or "").splitlines():
        found = _BRANCH.match(line)
        if not found:
            continue
        depth = len(found["lead"] or "") // 4
        del stack[depth:]
        parents[found["name"]] = stack[-1] if stack else None
        stack.append(found["name"])
    return parents


def test_the_docstring_draws_every_error_under_its_own_base() -> None:
    classes = {name: cls for name, cls in vars(errors).items()
               if inspect.isclass(cls) and issubclass(cls, StacError)}
    drawn = drawn_tree()
    assert sorted(drawn) == sorted(classes)
    for name, parent in drawn.items():
        assert classes[name].__bases__ == ((Exception,) if parent is None else (classes[parent],)), name


def test_no_error_a_clerk_sees_is_defined_outside_the_errors_module() -> None:
    ours = {name for name, cls in vars(errors).items() if inspect.isclass(cls) and issubclass(cls, StacError)}
    package = Path(stac_xl.__file__).parent
    elsewhere = []
    for path in sorted(package.rglob("*.py")):
        if path == Path(errors.__file__):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else ""
                         for b in node.bases}
                if bases & ours:
                    elsewhere.append(f"{path.relative_to(package)}: {node.name}")
    assert elsewhere == []
