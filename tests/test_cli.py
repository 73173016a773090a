"""The `stac-xl` command line: each command's happy path and its one-sentence errors."""

from __future__ import annotations

import zipfile

import pytest

from stac_xl import __version__
from stac_xl.book.file import FileWorkbook
from stac_xl.cli import main
from stac_xl.presets import preset_names


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"stac-xl {__version__}\n"


def test_presets_lists_every_profile(capsys):
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    assert [line.split()[0] for line in out.splitlines() if line and not line.startswith(" ")] == preset_names()


def test_new_refuses_to_replace_a_workbook_unless_forced(tmp_path, capsys):
    book = tmp_path / "ar.xlsx"
    assert main(["new", str(book)]) == 0
    assert main(["new", str(book)]) == 4
    assert "already exists" in capsys.readouterr().err
    assert main(["new", str(book), "--force", "--preset", "sage300cre"]) == 0


def test_load_preset_fills_mapping_and_names_unknown_presets(tmp_path, capsys):
    book = tmp_path / "ar.xlsx"
    main(["new", str(book)])
    assert main(["load-preset", str(book), "quickbooks-iif"]) == 0
    assert any(row and row[0] == "TRNS" for row in FileWorkbook.open(book).read_grid("Mapping"))
    assert main(["load-preset", str(book), "peachtree"]) == 2
    assert "peachtree" in capsys.readouterr().err


def test_addin_build_writes_an_xlam(tmp_path, capsys):
    assert main(["addin", "build", "--out", str(tmp_path)]) == 0
    xlam = tmp_path / "STAC.xlam"
    assert capsys.readouterr().out.strip() == f"Built {xlam}"
    assert "customUI/customUI.xml" in zipfile.ZipFile(xlam).namelist()


def test_addin_build_without_sources_says_where_to_point(tmp_path, capsys):
    assert main(["addin", "build", "--out", str(tmp_path), "--sources", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("stac-xl: add-in source missing: ") and "--sources" in err
