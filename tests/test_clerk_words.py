"""What a clerk reads is in the clerk's words: no section numbers of a file they do not have,
no evidence codes, no exception class names. Checked on what actually reaches them: every
cell of a workbook with each preset loaded, the text of every preset, what `stac-xl presets`
and every `--help` print, and the format notes shipped in docs/formats.md."""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from stac_xl import errors
from stac_xl.book.file import FileWorkbook
from stac_xl.cli import build_parser, main
from stac_xl.presets import get_preset, load_preset, preset_names

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ROOT / "docs" / "formats.md"

CODES = ("§", "[V]", "[S]", "[I]", "import-formats")
CLASS_NAMES = frozenset(
    {name for name, value in vars(errors).items() if isinstance(value, type) and issubclass(value, errors.StacError)}
    | {name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)}
    | {"NoKeyringError", "KeyringError", "InitError", "PasswordSetError", "PasswordDeleteError"}
)
LOOKS_LIKE_A_CLASS = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)+(?:Error|Exception)\b")


def jargon(text: str) -> list[str]:
    """The codes and class names in ``text`` that a clerk could not act on."""
    found = [code for code in CODES if code in text]
    found += sorted({word for word in re.findall(r"\b\w+\b", text) if word in CLASS_NAMES})
    found += LOOKS_LIKE_A_CLASS.findall(text)
    return sorted(set(found))


@pytest.mark.parametrize("text, expected", [
    ("Matches the IIF reference (import-formats.md §3, [V]).", ["§", "[V]", "import-formats"]),
    ("the store failed (NoKeyringError)", ["NoKeyringError"]),
    ("could not be read (PermissionError)", ["PermissionError"]),
    ("a WeirdBackendError happened", ["WeirdBackendError"]),
    ("Confirmed from Intuit's IIF reference; an error on the Export sheet.", []),
])
def test_the_jargon_finder_finds_what_it_must(text: str, expected: list[str]) -> None:
    assert sorted(jargon(text)) == sorted(expected)


def sheet_texts(path: Path) -> Iterator[tuple[str, str]]:
    book = FileWorkbook.open(path)
    for sheet in book.sheet_names():
        for r, row in enumerate(book.read_grid(sheet), start=1):
            for c, value in enumerate(row, start=1):
                if isinstance(value, str):
                    yield f"{sheet} R{r}C{c}", value


@pytest.mark.parametrize("name", preset_names())
def test_a_workbook_with_a_preset_loaded_speaks_the_clerks_language(tmp_path: Path, name: str) -> None:
    book = FileWorkbook.create(tmp_path / "ar.xlsx")
    load_preset(book, name)
    book.save()
    found = {where: jargon(text) for where, text in sheet_texts(tmp_path / "ar.xlsx") if jargon(text)}
    assert found == {}


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_says_how_sure_it_is_in_words(name: str) -> None:
    preset = get_preset(name)
    for text in (preset.title, preset.description, preset.confidence):
        assert jargon(text) == [], text


def cli_output(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    try:
        main(argv)
    except SystemExit as stop:  # --help exits 0 after printing
        assert stop.code == 0
    captured = capsys.readouterr()
    return captured.out + captured.err


def help_commands() -> list[list[str]]:
    """Every --help a clerk can ask for: the top one and each subcommand's (nested too)."""
    import argparse

    found: list[list[str]] = [[]]

    def walk(parser: argparse.ArgumentParser, path: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    found.append([*path, name])
                    walk(child, [*path, name])

    walk(build_parser(), [])
    return found


def test_presets_and_every_help_page_speak_the_clerks_language(capsys: pytest.CaptureFixture[str]) -> None:
    listing = cli_output(["presets"], capsys)
    assert len(listing.splitlines()) == len(preset_names())
    assert jargon(listing) == [], listing
    for path in help_commands():
        page = cli_output([*path, "--help"], capsys)
        assert page.startswith("usage: stac-xl")
        assert jargon(page) == [], (path, page)


def test_presets_say_placeholder_and_confirmed_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    lines = {line.split()[0]: line for line in cli_output(["presets"], capsys).splitlines()}
    assert "Confirmed from Intuit's IIF reference" in lines["quickbooks-iif"]
    assert "placeholder" in lines["sage300cre"] and "Print your AR import template" in lines["sage300cre"]
    assert "Not confirmed" in lines["computerease"]


def test_the_format_notes_are_shipped_in_the_clerks_words() -> None:
    text = FORMATS.read_text(encoding="utf-8")
    assert jargon(text) == []
    headings = re.findall(r"^## .*: `([a-z0-9-]+)`$", text, flags=re.M)
    assert sorted(headings) == preset_names()  # one section per shipped profile, by its name
    for word in ("confirmed", "from integrators", "a placeholder"):
        assert word in text
