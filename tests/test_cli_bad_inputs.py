"""Every subcommand, handed a clerk's mistake or an unhelpful computer, answers with one line
on stderr, an exit code from the README's table, and leaves every file as it was.

The subcommands are read from the CLI's own parser, so one added later gets the generic
cases (an unknown option, a value of the wrong type, a missing argument, and every broken
workbook when it takes one) without touching this file. The machine states are real:
folders that refuse writes, a file where a folder should be, Excel's lock file, a port
already taken, no password store, no terminal. Cases that depend on standard input or on
the password store run ``python -m stac_xl.cli`` as a real process; the rest call ``main``.
"""

from __future__ import annotations

import argparse
import builtins
import contextlib
import errno
import hashlib
import os
import re
import select
import socket
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from invoice_fixtures import SHARED_ROWS
from openpyxl import Workbook

from stac_xl import errors
from stac_xl.actions.preview import preview
from stac_xl.book import layout
from stac_xl.book.file import FileWorkbook, lock_file
from stac_xl.book.table import Table
from stac_xl.cli import build_parser, main
from stac_xl.invoices.columns import DEFAULT_COLUMNS
from stac_xl.presets import load_preset, preset_names
from stac_xl.sandbox import Sandbox, SandboxData
from stac_xl.sandbox.clerk import fill_sandbox_lookups

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
TODAY = date(2024, 3, 20)
# Subcommands whose BOOK is the file they create, not one they open.
CREATES_BOOK = {"new"}
# Names that only a programmer should ever see.
CLASS_NAMES = {name for name, value in vars(errors).items()
               if isinstance(value, type) and issubclass(value, errors.StacError)} | {
    name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)
} | {"NoKeyringError", "KeyringError", "InitError", "PasswordSetError", "PasswordDeleteError"}


def documented_exit_codes() -> dict[int, str]:
    """The README's exit-code table: code → meaning."""
    section = README.split("### Exit codes", 1)[1].split("\n#", 1)[0]
    return {int(code): meaning for code, meaning in re.findall(r"^\| `?(\d+)`? \| (.+?) \|$", section, flags=re.M)}


def assert_one_line(err: str, code: int, expected: int) -> str:
    """The clerk's view of a failure: the expected documented code, and on stderr one line
    that starts ``stac-xl:`` and ends the output. Status lines the command printed while it
    worked may come before it (progress goes to stderr too); nothing may come after it."""
    assert code == expected, err
    assert code in documented_exit_codes() and code != 0
    lines = err.splitlines()
    said = [n for n, line in enumerate(lines) if line.startswith("stac-xl:")]
    assert said == [len(lines) - 1], err
    line = lines[-1]
    assert "Traceback" not in err and ".py" not in err
    named = {word for word in re.findall(r"\b[A-Za-z_]\w*\b", line) if word in CLASS_NAMES}
    assert not named, f"an exception class name in {line!r}"
    return line


def run_main(argv: list[str], capsys) -> tuple[int, str, str]:
    """``main(argv)`` in this process: exit code, stdout, stderr (what the setup printed dropped)."""
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse exits; main returns for everything else
        code = int(stop.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- files and folders in the states a clerk's computer gets into ---------------------------


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``folder``: content hash and modification time."""
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def refuses_writes(folder: Path) -> bool:
    try:
        (folder / ".probe").touch()
    except PermissionError:
        return True
    (folder / ".probe").unlink()
    return False


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[str]:
    """Make ``folder`` refuse new files for real; yields how. chmod does not stop root, so as
    root the folder is made immutable (chattr +i), which the kernel enforces for root too."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        how = "chmod 555"
    else:
        done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
        assert done.returncode == 0, f"as root only chattr +i makes a folder refuse writes: {done.stderr!r}"
        how = "chattr +i"
    try:
        assert refuses_writes(folder), f"{how} did not make {folder} read-only"
        yield how
    finally:
        if how == "chattr +i":
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        else:
            folder.chmod(0o755)


def stac_book(path: Path, preset: str | None = None, rows: bool = False) -> Path:
    book = FileWorkbook.create(path)
    if preset:
        load_preset(book, preset)
    if rows:
        book.write_table(layout.INVOICES, Table(list(DEFAULT_COLUMNS),
                                                [[row.get(c.name) for c in DEFAULT_COLUMNS] for row in SHARED_ROWS]))
    book.save()
    return path


def previewed_book(path: Path) -> Path:
    """A workbook ready to export: the shared invoices, a preset, Preview done without errors."""
    stac_book(path, "sage300cre", rows=True)
    result = preview(FileWorkbook.open(path), today=TODAY)
    assert result.errors == 0
    return path


def garbage_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "a zip file, but not a workbook")
    return path


def no_settings(path: Path) -> Path:
    Workbook().save(path)
    return path


def locked(path: Path) -> Path:
    stac_book(path)
    lock_file(path).write_bytes(b"clerk")  # what Excel keeps next to a workbook it has open
    return path


def under_a_file(path: Path) -> Path:
    (path.parent / "notes.txt").write_text("a file, not a folder")
    return path.parent / "notes.txt" / path.name


# A workbook argument in each broken state: name → how to make it, and a word the line must hold.
BOOK_STATES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "missing": (lambda p: p, "does not exist"),
    "a folder": (lambda p: (p.mkdir(), p)[1], "folder"),
    "plain text": (lambda p: (p.write_text("Invoice,Total\n1,2\n"), p)[1], "not an Excel workbook"),
    "empty file": (lambda p: (p.write_bytes(b""), p)[1], "not an Excel workbook"),
    "a zip that is not xlsx": (garbage_zip, "not an Excel workbook"),
    "an xlsx with no Settings": (no_settings, "not a STAC workbook"),
    "an old .xls": (lambda p: (p.with_suffix(".xls").write_bytes(b"\xd0\xcf\x11\xe0"), p.with_suffix(".xls"))[1], ".xls"),
    "open in Excel": (locked, "open in Excel"),
    "under a file": (under_a_file, "does not exist"),
}


# --- the subcommands, from the parser ---------------------------------------------------------


def subcommands(parser: argparse.ArgumentParser | None = None, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every runnable subcommand path (``("addin", "build")`` for nested ones) → its parser."""
    parser = parser or build_parser()
    found: dict[tuple[str, ...], argparse.ArgumentParser] = {}
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for action in subs:
        for name, child in action.choices.items():
            found |= subcommands(child, (*prefix, name))
    if not subs and prefix:
        found[prefix] = parser
    return found


def positionals(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if not a.option_strings]


def filled(path: tuple[str, ...], parser: argparse.ArgumentParser, book: str) -> list[str]:
    """The subcommand with every positional given a plausible value."""
    values = {"book": book, "name": "generic-csv"}
    return [*path, *(values.get(a.dest, "1") for a in positionals(parser))]


def typed_options(parser: argparse.ArgumentParser) -> list[str]:
    return [a.option_strings[-1] for a in parser._actions
            if a.option_strings and a.type is not None and a.nargs != 0]


@dataclass(frozen=True)
class Case:
    """One bad invocation: argv (``{dir}`` is the test's folder), the exit code, a fragment."""

    argv: tuple[str, ...]
    code: int
    says: str


def generic_cases() -> list[Case]:
    cases = []
    for path, parser in subcommands().items():
        base = filled(path, parser, "{dir}/ar.xlsx")
        cases.append(Case((*base, "--no-such-option"), 2, "--help"))
        cases += [Case((*base, option, "lots"), 2, option) for option in typed_options(parser)]
        if positionals(parser):
            cases.append(Case(path, 2, "required"))
        if any(a.dest == "book" for a in positionals(parser)) and path[0] not in CREATES_BOOK:
            cases += [Case(tuple(filled(path, parser, f"{{{state}}}")), 4, says)
                      for state, (_, says) in BOOK_STATES.items()]
    return cases


def case_id(case: Case) -> str:
    return " ".join(case.argv).replace("{dir}/", "")


@pytest.mark.parametrize("case", generic_cases(), ids=case_id)
def test_every_subcommand_refuses_bad_input_in_one_line(case: Case, tmp_path: Path, capsys) -> None:
    argv = []
    for arg in case.argv:
        state = arg.strip("{}")
        if arg.startswith("{") and state in BOOK_STATES:
            arg = str(BOOK_STATES[state][0](tmp_path / "ar.xlsx"))
        argv.append(arg.replace("{dir}", str(tmp_path)))
    before = snapshot(tmp_path)
    code, _, err = run_main(argv, capsys)
    line = assert_one_line(err, code, case.code)
    assert case.says in line
    assert snapshot(tmp_path) == before


def test_the_generic_cases_cover_every_subcommand() -> None:
    cases = generic_cases()
    covered = {path for path in subcommands() if any(case.argv[: len(path)] == path for case in cases)}
    assert covered == set(subcommands())
    assert {("addin", "build"), ("login",), ("new",), ("export",)} <= covered


# --- machine states, per subcommand --------------------------------------------------------------


@pytest.mark.parametrize("name, expect_code, says", [
    ("ar.xlsx", 4, "--force"),              # an existing workbook: the way to replace it is named
    ("folder.xlsx", 4, "folder"),
    ("ar.txt", 4, ".xlsx"),
    ("missing/ar.xlsx", 4, "does not exist"),
    ("notes.txt/ar.xlsx", 4, "does not exist"),
])
def test_new_refuses_a_path_it_cannot_create(tmp_path: Path, capsys, name: str, expect_code: int, says: str) -> None:
    stac_book(tmp_path / "ar.xlsx")
    (tmp_path / "folder.xlsx").mkdir()
    (tmp_path / "notes.txt").write_text("a file")
    before = snapshot(tmp_path)
    code, _, err = run_main(["new", str(tmp_path / name)], capsys)
    assert says in assert_one_line(err, code, expect_code)
    assert snapshot(tmp_path) == before


def test_new_with_a_misspelled_preset_creates_nothing_and_lists_the_presets(tmp_path: Path, capsys) -> None:
    code, _, err = run_main(["new", str(tmp_path / "typo.xlsx"), "--preset", "quickbok"], capsys)
    line = assert_one_line(err, code, 2)
    assert "'quickbok'" in line and all(name in line for name in preset_names())
    assert list(tmp_path.iterdir()) == []
    assert run_main(["new", str(tmp_path / "typo.xlsx"), "--preset", "quickbooks-iif"], capsys)[0] == 0


def test_new_with_a_misspelled_preset_keeps_the_workbook_it_would_have_replaced(tmp_path: Path, capsys) -> None:
    book = stac_book(tmp_path / "ar.xlsx", "sage300cre")
    before = snapshot(tmp_path)
    code, _, err = run_main(["new", str(book), "--force", "--preset", "quickbok"], capsys)
    assert_one_line(err, code, 2)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("argv, code, says", [
    (["new", "{ro}/ar.xlsx"], 4, "permission denied"),
    (["preview", "{ro}/ar.xlsx"], 4, "permission denied"),
    (["load-preset", "{ro}/ar.xlsx", "xero-csv"], 4, "permission denied"),
    (["export", "{ready}", "--out", "{ro}"], 7, "output folder"),
    (["addin", "build", "--out", "{ro}"], 2, "--out"),
    (["demo", "--out", "{ro}"], 7, "--out"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else str(v))
def test_a_read_only_folder_is_one_line_and_nothing_changes(tmp_path: Path, capsys, argv: list[str], code: int, says: str) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    if argv[0] != "new":
        stac_book(folder / "ar.xlsx")
    ready = previewed_book(tmp_path / "ready.xlsx")
    args = [a.replace("{ro}", str(folder)).replace("{ready}", str(ready)) for a in argv]
    before = snapshot(tmp_path)
    with read_only(folder):
        got, _, err = run_main(args, capsys)
    assert says in assert_one_line(err, got, code)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("out, says", [
    ("missing", "does not exist"),
    ("notes.txt", "does not exist"),
    ("notes.txt/inside", "does not exist"),
])
def test_export_into_a_folder_that_is_not_there_is_one_line(tmp_path: Path, capsys, out: str, says: str) -> None:
    ready = previewed_book(tmp_path / "ready.xlsx")
    (tmp_path / "notes.txt").write_text("a file")
    before = snapshot(tmp_path)
    code, _, err = run_main(["export", str(ready), "--out", str(tmp_path / out)], capsys)
    assert says in assert_one_line(err, code, 7)
    assert snapshot(tmp_path) == before


def test_export_of_an_empty_workbook_says_to_preview_first(tmp_path: Path, capsys) -> None:
    book = stac_book(tmp_path / "ar.xlsx", "generic-csv")
    before = snapshot(tmp_path)
    code, _, err = run_main(["export", str(book)], capsys)
    assert "Preview" in assert_one_line(err, code, 7)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("argv, says", [
    (["addin", "build", "--out", "{dir}/notes.txt/dist"], "--out"),
    (["addin", "build", "--out", "{dir}/dist", "--sources", "{dir}/none"], "--sources"),
    (["demo", "--out", "{dir}/notes.txt/demo"], "--out"),
    (["sandbox", "--port", "70000"], "0 to 65535"),
    (["sandbox", "--port", "-1"], "below 0"),
    (["sandbox", "--error-rate", "2"], "Sandbox switches"),
    (["preview", "{book}", "--show", "-3"], "below 0"),
    (["fetch", "{book}", "--from", "2026-13-45"], "YYYY-MM-DD"),
    (["load-preset", "{book}", "peachtree"], "peachtree"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else str(v))
def test_wrong_values_are_one_line_and_change_nothing(tmp_path: Path, capsys, argv: list[str], says: str) -> None:
    (tmp_path / "notes.txt").write_text("a file")
    book = stac_book(tmp_path / "ar.xlsx")
    args = [a.replace("{dir}", str(tmp_path)).replace("{book}", str(book)) for a in argv]
    before = snapshot(tmp_path)
    code, _, err = run_main(args, capsys)
    expected = 7 if argv[0] == "demo" else 2
    assert says in assert_one_line(err, code, expected)
    assert snapshot(tmp_path) == before


# --- run: a refused Export is on the Log sheet ----------------------------------------------------


@pytest.fixture()
def sandbox_url() -> Iterator[str]:
    with Sandbox(SandboxData.generate(invoices=12, seed=5, today=TODAY)) as sandbox:
        yield sandbox.start(0)


def test_run_logs_a_refused_export_on_the_log_sheet(tmp_path: Path, capsys, sandbox_url: str, monkeypatch) -> None:
    # The sandbox's item codes are not on the preset's sample Accounts table: Export refuses.
    book = stac_book(tmp_path / "ar.xlsx", "quickbooks-iif")
    monkeypatch.setenv("STAC_USERNAME", "demo")
    monkeypatch.setenv("STAC_PASSWORD", "demo")
    monkeypatch.delenv("STAC_TOKEN", raising=False)
    first = (TODAY - timedelta(days=6)).isoformat()
    code, _, err = run_main(["run", str(book), "--base-url", sandbox_url, "--from", first, "--to", TODAY.isoformat(),
                             "--out", str(tmp_path)], capsys)
    assert code == 6 and "Export refused" in err and "Traceback" not in err
    log = FileWorkbook.open(book).read_grid(layout.LOG)
    refused = [row for row in log if len(row) > 1 and row[1] == "export refused"]
    assert len(refused) == 1 and str(refused[0][-1]).startswith("Export refused:")
    assert [p.name for p in tmp_path.iterdir()] == ["ar.xlsx"]  # no import file, no temp file


def test_run_logs_an_export_into_a_missing_folder(tmp_path: Path, capsys, sandbox_url: str, monkeypatch) -> None:
    book = stac_book(tmp_path / "ar.xlsx", "generic-csv")
    monkeypatch.setenv("STAC_TOKEN", "demo-token")
    days = ["--base-url", sandbox_url, "--from", (TODAY - timedelta(days=6)).isoformat(), "--to", TODAY.isoformat()]
    assert run_main(["fetch", str(book), *days], capsys)[0] == 0
    opened = FileWorkbook.open(book)
    fill_sandbox_lookups(opened)  # the clerk's customer numbers and accounts: Preview is clean
    opened.save()
    code, _, err = run_main(["run", str(book), *days, "--out", str(tmp_path / "missing")], capsys)
    assert code == 7 and "does not exist" in err.splitlines()[-1]
    log = FileWorkbook.open(book).read_grid(layout.LOG)
    assert [row[1] for row in log[1:]] == ["fetch", "fetch", "export refused"]
    assert "does not exist" in str(log[-1][-1])


# --- real processes: no terminal, no password store, a port in use ----------------------------


def clean_env() -> dict[str, str]:
    """This process's environment without STAC_* and with keyring's backend that has no store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STAC_")}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return env


def cli_process(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stac_xl.cli", *argv], capture_output=True, text=True,
                          env=clean_env(), timeout=60, **kwargs)  # type: ignore[call-overload]


@pytest.mark.parametrize("argv, code, says", [
    (["login"], 2, "terminal"),
    (["login", "--username", "clerk"], 2, "terminal"),
    (["logout"], 2, "password store"),
    (["fetch", "{book}"], 2, "password store"),
    (["run", "{book}"], 2, "password store"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else str(v))
def test_closed_input_and_no_password_store_in_a_real_process(tmp_path: Path, argv: list[str], code: int, says: str) -> None:
    book = stac_book(tmp_path / "ar.xlsx")
    before = snapshot(tmp_path)
    done = cli_process([a.replace("{book}", str(book)) for a in argv], stdin=subprocess.DEVNULL)
    assert says in assert_one_line(done.stderr, done.returncode, code)
    assert "password" not in done.stdout.lower()  # no prompt was shown to an empty input
    assert snapshot(tmp_path) == before


def test_sandbox_on_a_port_in_use_is_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = cli_process(["sandbox", "--port", str(port), "--invoices", "1"], stdin=subprocess.DEVNULL)
    line = assert_one_line(done.stderr, done.returncode, 2)
    assert f"port {port}" in line and "--port 0" in line


def in_terminal(argv: list[str], answers: list[bytes]) -> tuple[int, str]:
    """Run the CLI with a real pseudo-terminal as its controlling terminal, typing ``answers``
    one per prompt (a prompt ends in ': '); returns the exit code and all the terminal showed."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes the CLI
        os.execve(sys.executable, [sys.executable, "-m", "stac_xl.cli", *argv], clean_env())
    shown, pending = b"", list(answers)
    while True:
        ready, _, _ = select.select([fd], [], [], 60)
        assert ready, f"the CLI stopped answering: {shown!r}"
        try:
            chunk = os.read(fd, 4096)
        except OSError as exc:  # the terminal closes when the CLI ends
            assert exc.errno == errno.EIO
            break
        if not chunk:
            break
        shown += chunk
        if pending and shown.rstrip(b" ").endswith(b":"):
            os.write(fd, pending.pop(0))
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace").replace("\r\n", "\n")


def test_login_at_a_terminal_with_ctrl_d_is_one_line() -> None:
    code, shown = in_terminal(["login"], [b"\x04"])
    assert code == 2 and "Traceback" not in shown
    assert shown.splitlines()[-1] == ("ServiceTrade username: stac-xl: Sign-in stopped before a username and "
                                      "password were typed; run stac-xl login again.")


def test_login_at_a_terminal_without_a_password_store_says_what_to_do() -> None:
    code, shown = in_terminal(["login"], [b"clerk\n", b"secret\n"])
    error = assert_one_line(shown.splitlines()[-1], code, 2)
    assert "no password store" in error and "STAC_USERNAME" in error
    assert "secret" not in shown  # the password was typed without echo and is never repeated


def test_the_readme_documents_every_exit_code_main_returns() -> None:
    codes = documented_exit_codes()
    raised = {value.exit_code for value in vars(errors).values()
              if isinstance(value, type) and issubclass(value, errors.StacError)}
    assert raised | {0, 1, 2, 130} <= set(codes)
