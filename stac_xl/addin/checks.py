"""Checks of a built ``STAC.xlam`` on Linux (shared/reference/excel-addin.md §3).

Each check reads the file with a tool other than the one that wrote it where one exists:
olevba for module sources, pyOpenVBA's ``validate()`` for the project's structures,
xmlschema with Microsoft's ``customUI.xsd`` for the ribbon, ElementTree for the package.
``check_addin`` returns every problem found; an empty list means the add-in passed.
What no Linux check can show is that Excel compiles and runs the VBA: that stays a
per-release smoke test on Windows (install.ps1's ``SelfTest``).
"""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from collections.abc import Collection, Mapping
from pathlib import Path

import olefile
import xmlschema
from pyopenvba import ExcelFile

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # oletools 0.60 uses old pyparsing names
    from oletools.olevba import VBA_Parser

from stac_xl.addin import package, sources
from stac_xl.addin.build import TEMPLATE_RIBBON_MODULE

ADDIN_CONTENT_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
UI_RELATIONSHIP_SUFFIX = "/ui/extensibility"  # 2006 and 2007 namespaces both end so
VBA_PROJECT_VERSION_FFFF = b"\xcc\x61\xff\xff"  # reserved1 + version 0xFFFF: caches ignored


def check_addin(
    path: Path,
    *,
    handler_ids: Collection[str] | None = None,
    project_name: str = "stac_xl",
    interpreter_win: str | None = None,
    sources_dir: Path | None = None,
) -> list[str]:
    """Every problem found in the add-in at ``path`` (empty = good).

    ``handler_ids`` are the action names Python can dispatch (``stac_xl.excel.ribbon.HANDLERS``
    by default); every ribbon button id must be one of them.
    """
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist() if n.endswith((".xml", ".rels"))}
    modules = olevba_modules(path)
    problems = sources.version_problems()
    problems += package_problems(parts)
    ui_xml = parts.get(custom_ui_name(parts) or "", b"")
    if ui_xml:
        problems += custom_ui_problems(ui_xml, modules, _handler_ids(handler_ids))
    problems += module_problems(path, modules, project_name, sources_dir)
    problems += config_problems(parts, project_name, interpreter_win)
    return problems


def _handler_ids(handler_ids: Collection[str] | None) -> Collection[str]:
    if handler_ids is not None:
        return handler_ids
    from stac_xl.excel.ribbon import HANDLERS  # imported late: the ribbon module is optional here

    return HANDLERS.keys()


def olevba_modules(path: Path) -> dict[str, str]:
    """Module name → source, as olevba decompresses it from the VBA project."""
    parser = VBA_Parser(str(path))
    try:
        return {Path(name).stem: code for _f, _s, name, code in parser.extract_macros()}
    finally:
        parser.close()


def package_problems(parts: Mapping[str, bytes]) -> list[str]:
    """The workbook part must be typed as a macro-enabled add-in; the ribbon must be related."""
    problems = []
    types = ET.fromstring(parts["[Content_Types].xml"])
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{{{CT_NS}}}Override")}
    if overrides.get(f"/{package.WORKBOOK_PART}") != ADDIN_CONTENT_TYPE:
        problems.append(f"[Content_Types].xml does not declare /{package.WORKBOOK_PART} as {ADDIN_CONTENT_TYPE}")
    name = custom_ui_name(parts)
    if name is None:
        problems.append("_rels/.rels has no ui/extensibility relationship (no ribbon)")
    elif name not in parts:
        problems.append(f"_rels/.rels points the ribbon at {name}, which is not in the file")
    return problems


def custom_ui_name(parts: Mapping[str, bytes]) -> str | None:
    """Zip name of the ribbon XML according to ``_rels/.rels``, or None."""
    for rel in ET.fromstring(parts["_rels/.rels"]).iter(f"{{{package.PKG_REL}}}Relationship"):
        if rel.get("Type", "").endswith(UI_RELATIONSHIP_SUFFIX):
            return rel.get("Target", "").lstrip("/")
    return None


def custom_ui_problems(ui_xml: bytes, modules: Mapping[str, str], handler_ids: Collection[str]) -> list[str]:
    """Schema, unique ids, resolvable ``onAction`` callbacks, a Python handler per button."""
    schema = xmlschema.XMLSchema(str(sources.SCHEMA_DIR / "customUI.xsd"))
    problems = [f"customUI.xml: {error.reason} at {error.path}" for error in schema.iter_errors(ui_xml.decode("utf-8"))]
    root = ET.fromstring(ui_xml)
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    problems += [f"customUI.xml: id {i!r} is used {n} times" for i, n in Counter(ids).items() if n > 1]
    for element in root.iter():
        action = element.get("onAction")
        if action and not find_ribbon_sub(action, modules):
            problems.append(f"customUI.xml: onAction {action!r} names no Sub X(control As IRibbonControl)")
    buttons = [el.get("id", "") for el in root.iter() if _local(el.tag) == "button"]
    problems += [f"button {b!r} has no Python handler" for b in buttons if b not in handler_ids]
    return problems


def find_ribbon_sub(action: str, modules: Mapping[str, str]) -> bool:
    """True if ``Module.Sub`` (or a bare ``Sub``) is a ``Sub X(c As IRibbonControl)``."""
    module, _, sub = action.rpartition(".")
    pattern = re.compile(
        rf"^[ \t]*(?:Public[ \t]+)?Sub[ \t]+{re.escape(sub)}[ \t]*\([ \t]*(?:ByVal[ \t]+|ByRef[ \t]+)?"
        r"\w+[ \t]+As[ \t]+IRibbonControl[ \t]*\)",
        re.IGNORECASE | re.MULTILINE,
    )
    candidates = [code for name, code in modules.items() if not module or name.lower() == module.lower()]
    return any(pattern.search(code) for code in candidates)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def module_problems(
    path: Path, modules: Mapping[str, str], project_name: str, sources_dir: Path | None
) -> list[str]:
    """Each module equals its source; pyOpenVBA validates; the project has no stale caches."""
    _custom_ui, dispatcher = sources.workbook_sources(sources_dir)
    expected = dict(olevba_modules(sources.template_path()))
    expected.pop(TEMPLATE_RIBBON_MODULE, None)
    expected[sources.XLWINGS_MODULE] = sources.expected_xlwings_module(project_name)
    expected[sources.DISPATCHER_MODULE] = sources.read_vba_file(dispatcher)
    problems = []
    if set(modules) != set(expected):
        problems.append(f"modules are {sorted(modules)}, expected {sorted(expected)}")
    for name in sorted(set(modules) & set(expected)):
        problems += sources.vba_differences(name, modules[name], expected[name])
    with ExcelFile(path) as book:
        problems += [f"pyOpenVBA validate: {message}" for message in book.validate()]
    head = vba_project_header(path)
    if not head.startswith(VBA_PROJECT_VERSION_FFFF):
        problems.append(f"_VBA_PROJECT starts {head.hex()}, expected version 0xFFFF (cc61ffff…)")
    return problems


def vba_project_header(path: Path) -> bytes:
    """First 7 bytes of the ``VBA/_VBA_PROJECT`` stream inside ``xl/vbaProject.bin``."""
    with zipfile.ZipFile(path) as z:
        data = z.read("xl/vbaProject.bin")
    with olefile.OleFileIO(data) as ole:
        header: bytes = ole.openstream("VBA/_VBA_PROJECT").read(7)
    return header


def config_problems(parts: Mapping[str, bytes], project_name: str, interpreter_win: str | None) -> list[str]:
    """The add-in's own ``<project>.conf`` sheet is active and sends xlwings to our venv."""
    sheet_name = f"{project_name}.conf"
    names = package.sheet_names(parts[package.WORKBOOK_PART])
    if sheet_name not in names:
        return [f"no sheet {sheet_name!r} (sheets: {names}); an underscore prefix would disable it"]
    values = package.sheet_values(
        parts[package.sheet_part(parts, sheet_name)], package.shared_strings(parts[package.SHARED_STRINGS])
    )
    config, row = {}, 1
    while f"A{row}" in values:  # xlwings reads A1 down to the first empty cell
        config[str(values[f"A{row}"]).upper()] = values.get(f"B{row}")
        row += 1
    problems = []
    wanted = config.get("INTERPRETER_WIN")
    if not wanted or (interpreter_win is not None and wanted != interpreter_win):
        problems.append(f"{sheet_name}: Interpreter_Win is {wanted!r}")
    if config.get("ADD_WORKBOOK_TO_PYTHONPATH") is not False:
        problems.append(f"{sheet_name}: ADD_WORKBOOK_TO_PYTHONPATH is not FALSE")
    return problems
