"""Build ``STAC.xlam`` on Linux from xlwings' ribbon template (no Excel needed).

Steps (shared/reference/excel-addin.md §2 "Recommended"):

1. copy ``quickstart_addin_ribbon.xlam`` from the installed, pinned xlwings package;
2. with pyOpenVBA: module ``xlwings`` = xlwings' ``xlwings_custom_addin.bas`` with only
   ``PROJECT_NAME`` changed; delete ``RibbonMyAddin``; add ``STAC`` from ``workbook/STAC.bas``;
   save, reopen, and require an empty ``validate()`` and the modules read back unchanged;
3. rewrite the zip part by part: our ``customUI/customUI.xml``; sheet ``_myaddin.conf``
   renamed ``<project>.conf`` (no underscore, so xlwings reads it) holding
   ``Interpreter_Win`` and ``ADD_WORKBOOK_TO_PYTHONPATH = FALSE``.

Interpreter: the venv's ``python.exe``, not ``pythonw.exe``. RunPython already hides the
console (``WScript.Shell.Run`` with window style 0), and it shows Python's stderr, which it
redirects to a log file, in a message box when the call fails: ``pythonw.exe`` can start
with no usable stderr and lose that traceback. ``%LOCALAPPDATA%`` is expanded by the VBA
(``WScript.Shell.ExpandEnvironmentStrings``), which also copes with non-ASCII profiles.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stac_xl.addin import package, sources
from stac_xl.errors import ConfigError

if TYPE_CHECKING:
    from pyopenvba import ExcelFile

DEFAULT_INTERPRETER_WIN = r"%LOCALAPPDATA%\stac_xl\venv\Scripts\python.exe"
ADDIN_FILE_NAME = "STAC.xlam"
TEMPLATE_RIBBON_MODULE = "RibbonMyAddin"
CONFIG_STYLE = 1  # the template's config cells all use cell style 1


#: The one sentence ``stac-xl addin build`` prints when the ``addin`` extra is missing.
MISSING_EXTRA = (
    "Building the add-in needs the addin extra (pyOpenVBA), which is not installed: "
    'run pip install "stac_xl[addin]" (in a checkout: pip install ".[addin]").'
)


class AddinBuildError(RuntimeError):
    """The add-in could not be built, or the result failed a build-time check."""


def excel_file_class() -> type[ExcelFile]:
    """pyOpenVBA's ``ExcelFile``, imported on first use (it is the ``addin`` extra).

    Without it, a :class:`~stac_xl.errors.ConfigError` with :data:`MISSING_EXTRA`, so the CLI
    prints one sentence instead of a traceback.
    """
    try:
        from pyopenvba import ExcelFile
    except ModuleNotFoundError as exc:
        if exc.name != "pyopenvba":
            raise
        raise ConfigError(MISSING_EXTRA) from None
    excel_file: type[ExcelFile] = ExcelFile  # pyOpenVBA has no type information
    return excel_file


def build_addin(
    out_dir: Path,
    *,
    interpreter_win: str = DEFAULT_INTERPRETER_WIN,
    project_name: str = "stac_xl",
    sources_dir: Path | None = None,
) -> Path:
    """Build ``STAC.xlam`` into ``out_dir`` and return its path.

    ``sources_dir`` defaults to the repository's ``workbook/`` folder. Raises
    :class:`~stac_xl.errors.ConfigError` (:data:`MISSING_EXTRA`) without the ``addin`` extra,
    and :class:`AddinBuildError` if the installed xlwings is not the pinned version or the VBA
    project does not read back as written; an existing file is replaced only on success.
    """
    excel_file_class()  # the addin extra, checked before any work
    problems = sources.version_problems()
    if problems:
        raise AddinBuildError("; ".join(problems))
    custom_ui, dispatcher = sources.workbook_sources(sources_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".stac-build-") as work:
        staged = Path(work)
        shutil.copyfile(sources.template_path(), staged / "template.xlam")
        write_vba(staged / "template.xlam", staged / "vba.xlam", project_name, dispatcher)
        check_vba(staged / "vba.xlam", project_name, dispatcher)
        edits = part_edits(staged / "vba.xlam", custom_ui.read_bytes(), project_name, interpreter_win)
        package.rewrite_zip(staged / "vba.xlam", staged / ADDIN_FILE_NAME, edits)
        target = out_dir / ADDIN_FILE_NAME
        os.replace(staged / ADDIN_FILE_NAME, target)
    return target


def write_vba(src: Path, dst: Path, project_name: str, dispatcher: Path) -> None:
    """Swap the template's VBA modules for ours (see the module docstring, step 2)."""
    with excel_file_class()(src) as book:
        book.set_module(sources.XLWINGS_MODULE, sources.expected_xlwings_module(project_name))
        project = book.vba_project()
        project.delete_module(TEMPLATE_RIBBON_MODULE)
        project.add_module(sources.DISPATCHER_MODULE, sources.read_vba_file(dispatcher))
        book.save(dst)


def check_vba(path: Path, project_name: str, dispatcher: Path) -> None:
    """Reopen the saved project: it must validate and hold exactly the modules we wrote."""
    with excel_file_class()(path) as book:
        problems = list(book.validate())
        modules = book.vba_modules()
    if TEMPLATE_RIBBON_MODULE in modules:
        problems.append(f"module {TEMPLATE_RIBBON_MODULE} was not removed")
    expected = {
        sources.XLWINGS_MODULE: sources.expected_xlwings_module(project_name),
        sources.DISPATCHER_MODULE: sources.read_vba_file(dispatcher),
    }
    for name, source in expected.items():
        if name not in modules:
            problems.append(f"module {name} is missing")
        else:
            problems += sources.vba_differences(name, modules[name], source)
    if problems:
        raise AddinBuildError(f"{path.name}: " + "; ".join(problems))


def config_values(interpreter_win: str) -> dict[str, Any]:
    """The keys our build writes on the add-in's config sheet, in sheet order."""
    return {"Interpreter_Win": interpreter_win, "ADD_WORKBOOK_TO_PYTHONPATH": False}


def part_edits(
    xlam: Path, custom_ui: bytes, project_name: str, interpreter_win: str
) -> dict[str, package.PartEdit]:
    """The zip parts to replace: customUI, the sheet rename, the config sheet's cells."""
    with zipfile.ZipFile(xlam) as z:
        parts = {name: z.read(name) for name in z.namelist() if name.endswith((".xml", ".rels"))}
    old_sheet = f"_{sources.TEMPLATE_PROJECT_NAME}.conf"
    sheet = package.sheet_part(parts, old_sheet)
    sst, sheet_xml = configure_sheet(
        parts[package.SHARED_STRINGS], parts[sheet], config_values(interpreter_win)
    )
    workbook_xml = package.rename_sheet(parts[package.WORKBOOK_PART], old_sheet, f"{project_name}.conf")
    ui_part = custom_ui_part(parts)
    return {
        ui_part: lambda _old: custom_ui,
        package.WORKBOOK_PART: lambda _old: workbook_xml,
        package.SHARED_STRINGS: lambda _old: sst,
        sheet: lambda _old: sheet_xml,
    }


def custom_ui_part(parts: dict[str, bytes]) -> str:
    """Zip name of the ribbon XML, found through the ``ui/extensibility`` relationship."""
    for rel in ET.fromstring(parts["_rels/.rels"]).iter(f"{{{package.PKG_REL}}}Relationship"):
        if rel.get("Type", "").endswith("/ui/extensibility"):
            return rel.get("Target", "").lstrip("/")
    raise AddinBuildError("template has no ui/extensibility relationship")


def configure_sheet(sst: bytes, sheet_xml: bytes, settings: dict[str, Any]) -> tuple[bytes, bytes]:
    """Set each key's value in column B; a key not on the sheet gets the next row.

    xlwings reads keys from A1 down to the first empty cell (``End(xlDown)``), so new keys
    go right below the last one, and matching is case-insensitive as in ``GetConfig``.
    """
    for key, value in settings.items():
        values = package.sheet_values(sheet_xml, package.shared_strings(sst))
        row = _key_row(values, key)
        if row is None:
            row = _first_empty_row(values)
            sst, index = package.add_shared_string(sst, key)
            sheet_xml = package.set_cell(sheet_xml, f"A{row}", _cell(f"A{row}", "s", str(index)))
        if isinstance(value, bool):
            cell = _cell(f"B{row}", "b", "1" if value else "0")
        else:
            sst, index = package.add_shared_string(sst, str(value))
            cell = _cell(f"B{row}", "s", str(index))
        sheet_xml = package.set_cell(sheet_xml, f"B{row}", cell)
    return sst, sheet_xml


def _key_row(values: dict[str, object], key: str) -> int | None:
    row = 1
    while f"A{row}" in values:
        if str(values[f"A{row}"]).upper() == key.upper():
            return row
        row += 1
    return None


def _first_empty_row(values: dict[str, object]) -> int:
    row = 1
    while f"A{row}" in values:
        row += 1
    return row


def _cell(ref: str, kind: str, value: str) -> str:
    return f'<c r="{ref}" s="{CONFIG_STYLE}" t="{kind}"><v>{value}</v></c>'
