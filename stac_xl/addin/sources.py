"""Where the add-in's inputs come from, and how VBA sources are compared.

Inputs: the ribbon XML and the STAC dispatcher module in the repository's ``workbook/``
folder (the one canonical copy), and xlwings' own template and runtime module from the
*installed* xlwings package, which must be the version pinned in ``pyproject.toml``:
the embedded VBA and the Python package talk an internal protocol (``prepare_sys_path``).
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata, util
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKBOOK_DIR = REPO_ROOT / "workbook"
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"

TEMPLATE_NAME = "quickstart_addin_ribbon.xlam"
XLWINGS_BAS_NAME = "xlwings_custom_addin.bas"
TEMPLATE_PROJECT_NAME = "myaddin"
DISPATCHER_MODULE = "STAC"
XLWINGS_MODULE = "xlwings"

_PROJECT_NAME_LINE = 'Public Const PROJECT_NAME As String = "{}"'
_PIN = re.compile(r"^\s*xlwings\s*==\s*([0-9][^\s;,]*)\s*$")


def xlwings_dir() -> Path:
    """Folder of the installed xlwings package (holds the template and the .bas).

    Found without importing xlwings: only the live adapter and entry points import it.
    """
    spec = util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("xlwings is not installed")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def template_path() -> Path:
    """xlwings' BSD-licensed ribbon add-in template that STAC.xlam starts from."""
    return xlwings_dir() / TEMPLATE_NAME


def workbook_sources(sources_dir: Path | None = None) -> tuple[Path, Path]:
    """Paths of ``customUI.xml`` and ``STAC.bas``; ``FileNotFoundError`` names what is missing.

    The build is a developer/CI task run from a checkout, so the sources are read from the
    repository, not from package data: one copy, nothing to keep in sync.
    """
    folder = sources_dir or WORKBOOK_DIR
    paths = (folder / "customUI.xml", folder / f"{DISPATCHER_MODULE}.bas")
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"add-in source missing: {path} (run from a stac_xl checkout)")
    return paths


def read_vba_file(path: Path) -> str:
    """A ``.bas`` file as text with CRLF line ends (what the VBA editor stores)."""
    text = path.read_bytes().decode("cp1252")
    return "\r\n".join(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def expected_xlwings_module(project_name: str) -> str:
    """xlwings' custom add-in module with only ``PROJECT_NAME`` changed."""
    source = read_vba_file(xlwings_dir() / XLWINGS_BAS_NAME)
    old = _PROJECT_NAME_LINE.format(TEMPLATE_PROJECT_NAME)
    if source.count(old) != 1:
        raise RuntimeError(f"{XLWINGS_BAS_NAME}: expected exactly one line {old!r}")
    return source.replace(old, _PROJECT_NAME_LINE.format(project_name))


def normalise_vba(source: str) -> list[str]:
    """Lines to compare: any line ending, no ``Attribute VB_`` lines, no trailing blanks.

    The VBA editor and each reader differ in exactly these, never in code.
    """
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = [line.rstrip() for line in lines if not line.startswith("Attribute VB_")]
    while kept and not kept[-1]:
        kept.pop()
    return kept


def vba_differences(name: str, actual: str, expected: str) -> list[str]:
    """Empty if the two sources match after :func:`normalise_vba`, else one message."""
    got, want = normalise_vba(actual), normalise_vba(expected)
    if got == want:
        return []
    for number, (a, b) in enumerate(zip(got, want), start=1):
        if a != b:
            return [f"module {name}: line {number} is {a!r}, expected {b!r}"]
    return [f"module {name}: {len(got)} lines, expected {len(want)}"]


def pinned_xlwings_version(pyproject: Path | None = None) -> str:
    """The ``xlwings==X`` pin: from ``pyproject.toml`` in a checkout, else installed metadata."""
    path = pyproject or REPO_ROOT / "pyproject.toml"
    if path.is_file():
        requirements = tomllib.loads(path.read_text("utf-8"))["project"]["dependencies"]
    else:
        requirements = [r.split(";")[0] for r in metadata.requires("stac_xl") or []]
    for requirement in requirements:
        match = _PIN.match(requirement)
        if match:
            return match.group(1)
    raise RuntimeError(f"no exact 'xlwings==X' pin in {path}")


def version_problems(pyproject: Path | None = None) -> list[str]:
    """Empty if the installed xlwings is the pinned one."""
    pinned, installed = pinned_xlwings_version(pyproject), metadata.version("xlwings")
    if pinned == installed:
        return []
    return [f"xlwings {installed} is installed but pyproject.toml pins xlwings=={pinned}"]
