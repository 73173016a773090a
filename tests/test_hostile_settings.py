"""A workbook decides nothing about where a file lands or what it is: hostile *Output folder*,
*File extension*, *File name pattern* (and *Target profile*, which the pattern's {profile}
puts in the name) values, each set on a real workbook and exported with the real
``stac-xl preview`` + ``stac-xl export`` started from another folder. Each is refused in
one sentence, or its file lands inside the workbook's folder as a data file; the whole temp
tree is compared before and after, so nothing is written anywhere else.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from test_preview_export import make_book

from stac_xl.book.file import FileWorkbook
from stac_xl.cli import main
from stac_xl.presets import merge_settings
from stac_xl.writers import get_writer, writer_keys
from stac_xl.writers.import_file import PROGRAM_EXTENSIONS

REFUSED = None  # the expected outcome of a value that must be refused
BOOKS = "books"  # the workbook's folder, under the test's temp folder

# (setting, value, where the file lands relative to the workbook's folder, or REFUSED)
CASES = [
    ("Output folder", "../escaped", REFUSED),
    ("Output folder", "sub/../../escaped", REFUSED),
    ("Output folder", "..", REFUSED),
    ("Output folder", "..\\escaped", REFUSED),  # a folder of that odd name, which does not exist
    ("Output folder", "imp\norts", REFUSED),
    ("Output folder", "imports\n", "imports"),  # the sheet's text is read trimmed
    ("Output folder", "/no/such/folder", REFUSED),
    ("Output folder", "imports", "imports"),
    ("Output folder", ".", "."),
    ("Output folder", "imports/../imports", "imports"),
    ("File extension", "bat", REFUSED),
    ("File extension", ".exe", REFUSED),
    ("File extension", "ps1", REFUSED),
    ("File extension", ".lnk", REFUSED),
    ("File extension", ".csv.bat", REFUSED),
    ("File extension", "csv/../../x", REFUSED),
    ("File extension", ".xlsm", REFUSED),
    ("File extension", "CSV", "."),
    ("File extension", "dat", "."),
    ("File name pattern", "update.bat", REFUSED),
    ("File name pattern", "update.{ext}.bat", REFUSED),
    ("File name pattern", "{profile.__class__.__name__}.{ext}", REFUSED),
    ("File name pattern", "{date[0]}.{ext}", REFUSED),
    ("File name pattern", "{profile!r}.{ext}", REFUSED),
    ("File name pattern", "{date:>300}.{ext}", REFUSED),
    ("File name pattern", "{0}.{ext}", REFUSED),
    ("File name pattern", "{}.{ext}", REFUSED),
    ("File name pattern", "{unknown}.{ext}", REFUSED),
    ("File name pattern", "{date.{ext}", REFUSED),
    ("File name pattern", "a\nb.{ext}", REFUSED),
    ("File name pattern", "tab\there.{ext}", REFUSED),
    ("File name pattern", "\u202etxt.{ext}", REFUSED),  # a right-to-left override hides the real ending
    ("File name pattern", ".hidden.{ext}", REFUSED),
    ("File name pattern", ".{ext}", REFUSED),
    ("File name pattern", "{ext}", REFUSED),
    ("File name pattern", "CON.{ext}", REFUSED),
    ("File name pattern", "con.{ext}", REFUSED),
    ("File name pattern", "nul .{ext}", REFUSED),
    ("File name pattern", "LPT1.{ext}", REFUSED),
    ("File name pattern", "COM9.{date}.{ext}", REFUSED),
    ("File name pattern", "COM\u00b9.{ext}", REFUSED),
    ("File name pattern", "x.{ext}.", REFUSED),
    ("File name pattern", "x.{ext} ", "."),  # trimmed, as every setting is read
    ("File name pattern", "../../escaped/x.{ext}", REFUSED),
    ("File name pattern", "sub\\x.{ext}", REFUSED),
    ("File name pattern", "x:stream.{ext}", REFUSED),
    ("File name pattern", "x" * 300 + ".{ext}", REFUSED),
    ("File name pattern", "update.{ext}", "."),
    ("File name pattern", "{{profile}}-{batch}.{ext}", "."),
    ("File name pattern", "console-{date}.{ext}", "."),
    ("Target profile", "../../escaped/x", REFUSED),
    ("Target profile", "CON", "."),  # CON-20240320-….csv is no device: the whole name before the dot counts
    ("Target profile", "a\r\nb", REFUSED),
]


def tree(root: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``root`` (folders as None), by relative path."""
    return {str(p.relative_to(root)): (None if p.is_dir() else p.read_bytes()) for p in sorted(root.rglob("*"))}


@pytest.fixture
def clerk_book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A generic-csv workbook in tmp/books (with an imports folder), an ``escaped`` folder
    beside it and beside the folder the command runs in, which is elsewhere/deep."""
    books, deep = tmp_path / BOOKS, tmp_path / "elsewhere" / "deep"
    for folder in (books / "imports", deep, tmp_path / "escaped", tmp_path / "elsewhere" / "escaped"):
        folder.mkdir(parents=True)
    make_book(books / "ar.xlsx", "generic-csv")
    monkeypatch.chdir(deep)
    return books / "ar.xlsx"


def set_setting(book: Path, name: str, value: str) -> None:
    opened = FileWorkbook.open(book)
    opened.write_grid("Settings", merge_settings(opened.read_grid("Settings"), {name: value}), clear=True)
    opened.save()


def preview_and_export(book: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """The clerk's Preview, then Export: the first exit code that is not 0 (else 0) and the
    error lines on stderr."""
    code = main(["preview", str(book)]) or main(["export", str(book)])
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("stac-xl:")]
    return code, errors


@pytest.mark.parametrize(("setting", "value", "lands"), CASES, ids=[f"{s}={v!r}"[:60] for s, v, _ in CASES])
def test_a_hostile_setting_is_refused_in_one_sentence_or_lands_in_the_workbooks_folder(
        clerk_book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], setting: str, value: str,
        lands: str | None) -> None:
    set_setting(clerk_book, setting, value)
    before = tree(tmp_path)
    code, errors = preview_and_export(clerk_book, capsys)
    after = tree(tmp_path)
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    if lands is REFUSED:
        assert code in (2, 7), errors
        (sentence,) = errors
        assert sentence.endswith(".") and "\n" not in sentence and "Traceback" not in sentence
        assert setting in sentence or "output folder" in sentence, sentence
        assert changed <= {f"{BOOKS}/ar.xlsx"}  # Preview may have saved the book; nothing else
        return
    assert code == 0, errors
    (new,) = changed - {f"{BOOKS}/ar.xlsx"}
    written = Path(tmp_path / new)
    assert written.parent == (clerk_book.parent / lands).resolve()  # inside the workbook's folder
    assert written.suffix in get_writer("delimited").extensions and not written.name.startswith(".")
    assert written.stat().st_size > 0


def test_an_import_file_gets_the_users_usual_permissions(clerk_book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    previous = os.umask(0o027)
    try:
        code, errors = preview_and_export(clerk_book, capsys)
    finally:
        os.umask(previous)
    assert code == 0, errors
    (written,) = [p for p in clerk_book.parent.iterdir() if p.suffix == ".csv"]
    assert stat.S_IMODE(written.stat().st_mode) == 0o640  # 0o666 less the umask, as any new file
    assert [p.name for p in clerk_book.parent.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_a_second_export_of_the_same_name_never_overwrites(clerk_book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    set_setting(clerk_book, "File name pattern", "fixed.{ext}")
    set_setting(clerk_book, "Allow re-export", "yes")
    assert preview_and_export(clerk_book, capsys)[0] == 0
    first = (clerk_book.parent / "fixed.csv").read_bytes()
    code, errors = preview_and_export(clerk_book, capsys)
    assert code == 7 and errors == [f"stac-xl: {clerk_book.parent / 'fixed.csv'} already exists; stac_xl never "
                                    "overwrites an import file. Move it away or export again in a minute."]
    assert (clerk_book.parent / "fixed.csv").read_bytes() == first


@pytest.mark.parametrize("key", writer_keys())
def test_no_file_type_declares_a_program_or_script_extension(key: str) -> None:
    declared = get_writer(key).extensions
    assert declared and not set(declared) & PROGRAM_EXTENSIONS
    assert all(e.startswith(".") and e[1:].isalnum() and e == e.lower() for e in declared)
