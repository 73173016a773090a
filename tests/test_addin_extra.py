"""What `stac-xl addin build` imports, and what it says when the `addin` extra is missing.

scripts/check-install-paths checks the same in fresh virtual environments (CI); these run
in the test venv, with pyOpenVBA hidden from the import system.
"""

from __future__ import annotations

import builtins
import subprocess
import sys
from pathlib import Path

import pytest

from stac_xl import cli
from stac_xl.addin.build import MISSING_EXTRA
from stac_xl.errors import ConfigError

TEST_ONLY = ("olefile", "oletools", "xmlschema", "python_calamine")


def test_the_build_module_imports_no_checking_tool_and_no_pyopenvba_until_it_builds() -> None:
    code = (
        "import sys, stac_xl.addin, stac_xl.addin.build, stac_xl.cli\n"
        f"print(sorted(m for m in {(*TEST_ONLY, 'pyopenvba')!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_without_pyopenvba_addin_build_prints_one_sentence_naming_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pyopenvba", None)  # import pyopenvba -> ModuleNotFoundError
    code = cli.main(["addin", "build", "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == ConfigError.exit_code != 0
    assert captured.out == ""
    assert captured.err == f"stac-xl: {MISSING_EXTRA}\n"
    assert 'pip install "stac_xl[addin]"' in MISSING_EXTRA
    assert MISSING_EXTRA.endswith(".") and ". " not in MISSING_EXTRA  # one sentence
    assert not (tmp_path / "out").exists()  # checked before any work


def test_another_missing_module_is_not_blamed_on_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from stac_xl.addin import build

    def broken_import(name: str, *args: object, **kwargs: object) -> object:
        if name == "pyopenvba":
            raise ModuleNotFoundError("No module named 'zlib'", name="zlib")
        return real_import(name, *args, **kwargs)

    real_import = builtins.__import__
    monkeypatch.setattr(builtins, "__import__", broken_import)
    with pytest.raises(ModuleNotFoundError, match="zlib"):
        build.excel_file_class()
