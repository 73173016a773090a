"""The README is the front door: its commands must exist and match what CI runs."""

import re
from pathlib import Path

from stac_xl.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def cli_commands() -> set[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return set(sub.choices)


def readme_commands() -> set[str]:
    reference = README.split("## Command reference", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `stac-xl ([a-z][a-z-]*)", reference, flags=re.M))


def test_every_subcommand_is_in_the_readme_reference_and_nothing_else():
    assert readme_commands() == cli_commands()


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./scripts/test" in README
    assert re.search(r"^(exec )?\./scripts/test\s*$", ci, flags=re.M)


def test_the_readme_demo_command_installs_and_runs_the_demo():
    assert "pip install -e . && .venv/bin/stac-xl demo" in README
