"""Every benchmark in bench/ runs to the end on tiny inputs, so none can break unnoticed.

Each benchmark declares, at module level, ``TINY_ARGS``: the arguments that make it run in
seconds. It is run as its own process, as a person runs it; it must exit 0 and print its
ratio lines (a ratio such as ``ratio 1.08`` or ``2.35x``). A new file in bench/ is picked
up by the glob, and fails here until it declares ``TINY_ARGS``.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
BENCHMARKS = sorted(BENCH.glob("*.py"))
RATIO = re.compile(r"ratio \d+\.\d+|\d+\.\d+x\b")
TIMEOUT_SECONDS = 600


def tiny_args(path: Path) -> list[str] | None:
    """The benchmark's ``TINY_ARGS`` literal, read without importing it."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign):
            targets, literal = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, literal = [node.target], node.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == "TINY_ARGS" for t in targets):
            value = ast.literal_eval(literal)
            assert isinstance(value, list) and all(isinstance(a, str) for a in value), path.name
            return value
    return None


def test_the_benchmarks_the_issue_names_are_all_found() -> None:
    assert {"fetch.py", "pipeline.py", "excel_calls.py", "day.py"} <= {p.name for p in BENCHMARKS}


@pytest.mark.parametrize("path", BENCHMARKS, ids=[p.name for p in BENCHMARKS])
def test_benchmark_runs_on_tiny_inputs_and_prints_its_ratios(path: Path, tmp_path: Path) -> None:
    args = tiny_args(path)
    assert args is not None, f"bench/{path.name} declares no TINY_ARGS: add the arguments that run it in seconds"
    env = dict(os.environ, STAC_LEDGER=str(tmp_path / "ledger.sqlite3"))  # never the user's export ledger
    done = subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=TIMEOUT_SECONDS, check=False)
    assert done.returncode == 0, f"bench/{path.name} {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    ratios = [line for line in done.stdout.splitlines() if RATIO.search(line)]
    assert ratios, f"bench/{path.name} printed no ratio line:\n{done.stdout}"
