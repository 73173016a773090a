"""Build STAC.xlam into a temp folder and run every Linux check on it.

The LibreOffice test needs ``soffice`` and ``python3-uno``: without them it fails (with the
apt-get command to run), it is never skipped, because CI installs LibreOffice.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pyopenvba import ExcelFile
from python_calamine import CalamineWorkbook

from stac_xl.addin import DEFAULT_INTERPRETER_WIN, AddinBuildError, build, build_addin, check_addin, checks, sources
from stac_xl.addin.libreoffice import libreoffice_available, libreoffice_modules, libreoffice_sheets
from stac_xl.presets import preset_names

# Load preset is a menu: one button per shipped preset, "load_preset.<name>"
ACTIONS = {"new_workbook", "sign_in", "fetch", "preview", "export", "confirm_import", "undo_export", "help"} | {
    f"load_preset.{name}" for name in preset_names()}
EXPECTED_MODULES = [
    ("Dictionary", "VBAClassModule"),
    ("STAC", "VBAModule"),
    ("Sheet2", "VBADocumentModule"),
    ("ThisWorkbook", "VBADocumentModule"),
    ("xlwings", "VBAModule"),
]


@pytest.fixture(scope="module")
def addin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_addin(tmp_path_factory.mktemp("addin"))


def button_ids(custom_ui: bytes) -> set[str]:
    return {el.get("id", "") for el in ET.fromstring(custom_ui).iter() if el.tag.endswith("}button")}


def test_ribbon_buttons_are_the_actions() -> None:
    custom_ui, _ = sources.workbook_sources()
    assert button_ids(custom_ui.read_bytes()) == ACTIONS


def test_built_addin_passes_every_check(addin: Path) -> None:
    assert addin.name == "STAC.xlam"
    assert check_addin(addin, handler_ids=ACTIONS, interpreter_win=DEFAULT_INTERPRETER_WIN) == []
    assert not [p for p in addin.parent.iterdir() if p.name.startswith(".stac-build-")]


def test_a_button_without_a_python_handler_is_reported(addin: Path) -> None:
    assert check_addin(addin, handler_ids=ACTIONS - {"help"}) == ["button 'help' has no Python handler"]


def test_olevba_reads_back_the_modules_we_wrote(addin: Path) -> None:
    modules = checks.olevba_modules(addin)
    assert sorted(modules) == sorted(name for name, _ in EXPECTED_MODULES)
    assert 'Public Const PROJECT_NAME As String = "stac_xl"' in modules["xlwings"]
    assert "stac_xl.excel.ribbon.dispatch('\" & actionId & \"')" in modules["STAC"]
    assert "RunAction control.Id" in modules["STAC"]
    assert checks.vba_project_header(addin).hex() == "cc61ffff000000"


def test_config_sheet_is_active_and_points_at_the_venv(addin: Path) -> None:
    book = CalamineWorkbook.from_path(str(addin))
    assert book.sheet_names == ["stac_xl.conf"]
    rows = book.get_sheet_by_name("stac_xl.conf").to_python()
    config = {row[0]: row[1] for row in rows}
    assert config["Interpreter_Win"] == r"%LOCALAPPDATA%\stac_xl\venv\Scripts\python.exe"
    assert config["ADD_WORKBOOK_TO_PYTHONPATH"] is False
    assert [row[0] for row in rows][-1] == "ADD_WORKBOOK_TO_PYTHONPATH"  # no gap: read to first blank


def test_libreoffice_loads_the_addin_and_lists_its_modules(addin: Path) -> None:
    missing = libreoffice_available()
    assert missing is None, missing
    assert libreoffice_modules(addin) == EXPECTED_MODULES
    conf = libreoffice_sheets(addin)["stac_xl.conf"]
    assert conf[0] == ["Interpreter_Win", DEFAULT_INTERPRETER_WIN]


def test_other_interpreter_and_project_name(tmp_path: Path) -> None:
    path = build_addin(tmp_path, interpreter_win=r"C:\STAC\venv\Scripts\python.exe", project_name="stac_dev")
    assert check_addin(path, handler_ids=ACTIONS, project_name="stac_dev", interpreter_win=r"C:\STAC\venv\Scripts\python.exe") == []
    assert check_addin(path, handler_ids=ACTIONS, interpreter_win=r"C:\STAC\venv\Scripts\python.exe") != []


def test_a_changed_xlwings_module_fails_the_checks(addin: Path, tmp_path: Path) -> None:
    tampered = tmp_path / "tampered.xlam"
    with ExcelFile(addin) as book:
        book.set_module("xlwings", sources.expected_xlwings_module("stac_xl").replace("0.37.8", "0.0.1"))
        book.save(tampered)
    problems = check_addin(tampered, handler_ids=ACTIONS)
    assert any(p.startswith("module xlwings: line") and "0.0.1" in p for p in problems)


def test_ribbon_problems_are_found() -> None:
    modules = {"STAC": "Public Sub OnAction(control As IRibbonControl)\r\nEnd Sub", "Other": "Sub Run()\r\nEnd Sub"}
    ui = (
        b'<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui"><ribbon><tabs>'
        b'<tab id="t" label="T"><group id="g" label="G">'
        b'<button id="fetch" label="A" size="huge" onAction="STAC.OnAction"/>'
        b'<button id="fetch" label="B" onAction="Other.Run"/>'
        b'<button id="other" label="C" onAction="STAC.Missing"/>'
        b"</group></tab></tabs></ribbon></customUI>"
    )
    problems = checks.custom_ui_problems(ui, modules, {"fetch"})
    assert any("huge" in p for p in problems)  # schema: size is normal or large
    assert "customUI.xml: id 'fetch' is used 2 times" in problems
    assert "customUI.xml: onAction 'Other.Run' names no Sub X(control As IRibbonControl)" in problems
    assert "customUI.xml: onAction 'STAC.Missing' names no Sub X(control As IRibbonControl)" in problems
    assert "button 'other' has no Python handler" in problems


def test_ribbon_sub_signatures() -> None:
    code = {"STAC": "Sub A(ByVal c As IRibbonControl)\r\npublic sub b( control as IRibbonControl )\r\nSub C(x As Long)"}
    assert checks.find_ribbon_sub("STAC.A", code) and checks.find_ribbon_sub("STAC.B", code)
    assert checks.find_ribbon_sub("A", code)
    assert not checks.find_ribbon_sub("STAC.C", code) and not checks.find_ribbon_sub("Other.A", code)


def test_version_pin_mismatch_is_reported(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\ndependencies = ["xlwings==0.0.1", "requests>=2"]\n')
    assert sources.pinned_xlwings_version(pyproject) == "0.0.1"
    assert sources.version_problems(pyproject) == [
        "xlwings 0.37.8 is installed but pyproject.toml pins xlwings==0.0.1"
    ]
    assert sources.version_problems() == []


def test_missing_sources_stop_the_build(tmp_path: Path) -> None:
    shutil.copy(sources.WORKBOOK_DIR / "customUI.xml", tmp_path / "customUI.xml")
    with pytest.raises(FileNotFoundError, match=r"STAC\.bas"):
        build_addin(tmp_path / "out", sources_dir=tmp_path)


def test_a_dispatcher_without_on_action_fails_the_checks(tmp_path: Path) -> None:
    shutil.copy(sources.WORKBOOK_DIR / "customUI.xml", tmp_path / "customUI.xml")
    (tmp_path / "STAC.bas").write_text('Attribute VB_Name = "STAC"\nPublic Sub Other()\nEnd Sub\n')
    path = build_addin(tmp_path / "out", sources_dir=tmp_path)
    problems = check_addin(path, handler_ids=ACTIONS, sources_dir=tmp_path)
    assert "customUI.xml: onAction 'STAC.OnAction' names no Sub X(control As IRibbonControl)" in problems


def test_build_time_vba_check_rejects_another_project_name(addin: Path) -> None:
    with pytest.raises(AddinBuildError, match="module xlwings: line"):
        build.check_vba(addin, "not_stac", sources.WORKBOOK_DIR / "STAC.bas")


def test_every_button_has_a_handler_in_the_real_dispatcher(addin: Path) -> None:
    # No handler ids passed: the check asks stac_xl.excel.ribbon.HANDLERS, as CI does for a release.
    assert check_addin(addin, interpreter_win=DEFAULT_INTERPRETER_WIN) == []
