"""Benchmark: the clerk's whole day on the CLI's file path, step by step, against its floor.

For each size (invoices in the sandbox, all of them fetched), in a fresh folder:
``new`` → ``fetch`` → (the clerk's Lookups, untimed) → ``preview`` → ``export`` → ``confirm``
(when the CLI has it), each step a subprocess running the real ``stac-xl`` command line
(``stac_xl.cli.main``), so CPU seconds, wall seconds and peak RSS are that step's alone:
CPU from the kernel's accounting of the finished child (``wait4``), peak RSS from the
child's own ``VmHWM`` (Linux; a child's ``ru_maxrss`` starts at its parent's peak).

The **workbook I/O floor** of a step, measured in the same run on the same file, each in
its own subprocess: reading the sheets the step needs with python-calamine, plus, for a
step that writes the workbook, loading and saving it once with openpyxl (the issue's
definition; ``--read-floor-only`` leaves openpyxl out). Each step is printed with its ratio
to that floor and to the read part alone, and how its cost grows from the second-largest
size to the largest (1.00 = linear in invoice lines).

``--lines N`` adds the memory run: Preview and Export of about N invoice lines, their peak
RSS printed (the target is under 1 GiB).

    python bench/day.py [--invoices 200 2000 20000] [--lines 100000] [--profile generic-csv]
                        [--latency-ms 0] [--read-floor-only] [--keep DIR]

Only the standard library is imported at the top: a step's child process starts light.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

TINY_ARGS = ["--invoices", "10", "30"]  # what tests/test_bench.py runs it with
ALL_STATUSES = "ok, processed, pending_accounting, sent, paid, draft, void"
READS = {  # the sheets each step has to read, at the least
    "new": [],
    "fetch": ["Settings", "Log"],
    "preview": ["Settings", "Mapping", "Lookups", "Invoices", "Export", "Export base"],
    "export": ["Settings", "Mapping", "Lookups", "Invoices", "Export", "Log"],
    "confirm": ["Settings", "Log"],
}
WRITES = {"new", "fetch", "preview", "export", "confirm"}
MIB = 1024 * 1024


# --- in a child process ------------------------------------------------------------------

def peak_mib() -> float:
    """This process's peak resident memory in MiB (VmHWM; ru_maxrss where there is none)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else MIB)


def step_child(stats: str, argv: list[str]) -> int:
    """Run one stac-xl command in this process; leave its peak memory in ``stats``."""
    from stac_xl.cli import main

    try:
        code = main(argv)
    finally:
        Path(stats).write_text(json.dumps({"peak_mib": peak_mib()}), encoding="utf-8")
    return code


def floor_child(stats: str, book: str, sheets: list[str], write: bool) -> int:
    """The least a step must do to the file: read its sheets (calamine), maybe load + save once (openpyxl)."""
    from python_calamine import CalamineWorkbook

    start = time.process_time()
    workbook = CalamineWorkbook.from_path(book)
    cells = 0
    for sheet in sheets:
        if sheet in workbook.sheet_names:
            cells += sum(len(row) for row in workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False))
    workbook.close()
    read = time.process_time() - start
    if write:
        import warnings

        import openpyxl

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loaded = openpyxl.load_workbook(book, keep_vba=book.endswith(".xlsm"))
        loaded.save(book + ".floor.xlsx")
        os.unlink(book + ".floor.xlsx")
    Path(stats).write_text(json.dumps({"peak_mib": peak_mib(), "read_cpu": read, "cells": cells}), encoding="utf-8")
    return 0


# --- the parent --------------------------------------------------------------------------

@dataclass
class Measure:
    """One child process: CPU seconds (user + system), wall seconds, peak RSS MiB."""

    cpu: float
    wall: float
    peak: float
    extra: dict[str, float]


def run_child(args: list[str], env: dict[str, str], folder: Path) -> Measure:
    """Start ``python day.py args``, wait for it, and read what the kernel and it say."""
    stats = folder / f".stats-{time.monotonic_ns()}.json"
    command = [sys.executable, __file__, *args[:1], str(stats), *args[1:]]
    output = stats.with_suffix(".out")
    start = time.perf_counter()
    with open(output, "wb") as sink:  # a file, not a pipe: wait4 must be the one to reap the child
        proc = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    said = output.read_text(encoding="utf-8", errors="replace")
    output.unlink()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{said}")
    facts = json.loads(stats.read_text(encoding="utf-8"))
    stats.unlink()
    return Measure(usage.ru_utime + usage.ru_stime, wall, facts.pop("peak_mib"), facts)


def step(name: str, cli: list[str], env: dict[str, str], folder: Path) -> Measure:
    return run_child(["--step-child", *cli], env, folder)


def floor(name: str, book: Path, env: dict[str, str], folder: Path, *, openpyxl_too: bool) -> Measure:
    write = openpyxl_too and name in WRITES
    return run_child(["--floor-child", str(book), ",".join(READS[name]), "write" if write else "read"], env, folder)


def sandbox(invoices: int, latency_ms: int) -> tuple[subprocess.Popen[str], str]:
    """The sandbox in its own process (its work is not any step's)."""
    cmd = [sys.executable, "-m", "stac_xl.cli", "sandbox", "--port", "0", "--invoices", str(invoices),
           "--seed", "3", "--latency-ms", str(latency_ms)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline() if proc.stdout else ""
    found = re.search(r"(http://127\.0\.0\.1:\d+/api)", line)
    if not found:
        proc.terminate()
        raise SystemExit(f"the sandbox did not start: {line!r}")
    return proc, found.group(1)


def prepare_book(book: Path) -> None:
    """What the clerk set once: every status fetched; untimed."""
    from stac_xl.book.file import FileWorkbook

    workbook = FileWorkbook.open(book)
    grid = workbook.read_grid("Settings")
    for row in grid:
        if row and row[0] == "Invoice status":
            row[1:2] = [ALL_STATUSES]
    workbook.write_grid("Settings", grid)
    workbook.save()


def clerk_lookups(book: Path) -> int:
    """The clerk's customer numbers and accounts on Lookups (sandbox values); untimed."""
    from stac_xl.book.file import FileWorkbook
    from stac_xl.sandbox.clerk import fill_sandbox_lookups

    workbook = FileWorkbook.open(book)
    fill_sandbox_lookups(workbook)
    workbook.save()
    return len(workbook.read_grid("Invoices")) - 1


def has_confirm() -> bool:
    return Path(__file__).resolve().parents[1].joinpath("stac_xl", "actions", "confirm.py").exists()


def day(invoices: int, args: argparse.Namespace, root: Path) -> tuple[int, dict[str, tuple[Measure, Measure]]]:
    """One size's whole day: {step: (step measure, floor measure)} and the invoice lines."""
    folder = root / f"day-{invoices}"
    folder.mkdir()
    env = dict(os.environ, STAC_USERNAME="demo", STAC_PASSWORD="demo", STAC_LEDGER=str(folder / "ledger.sqlite3"))
    env.setdefault("STAC_MAX_WORKBOOK_MB", "4096")  # the big days unpack past the default limit
    env.pop("STAC_TOKEN", None)
    book = folder / "ar.xlsx"
    today = date.today()
    server, url = sandbox(invoices, args.latency_ms)
    results: dict[str, tuple[Measure, Measure]] = {}
    try:
        plan = [("new", ["new", str(book), "--preset", args.profile]),
                ("fetch", ["fetch", str(book), "--from", str(today - timedelta(days=40)), "--to", str(today),
                           "--base-url", url]),
                ("preview", ["preview", str(book)]),
                ("export", ["export", str(book), "--out", str(folder)])]
        if has_confirm():
            plan.append(("confirm", ["confirm", str(book), "--base-url", url]))
        lines = 0
        for name, cli in plan:
            if name == "fetch":
                prepare_book(book)
            if name == "preview":
                lines = clerk_lookups(book)
            measured = step(name, cli, env, folder)
            results[name] = (measured, floor(name, book, env, folder, openpyxl_too=not args.read_floor_only))
    finally:
        server.terminate()
        server.wait(timeout=10)
    return lines, results


def report(sizes: list[tuple[int, int, dict[str, tuple[Measure, Measure]]]], args: argparse.Namespace) -> None:
    floor_name = "calamine read" if args.read_floor_only else "calamine read + openpyxl load/save"
    print(f"\nprofile {args.profile}; every step a subprocess of the stac-xl CLI; CPU = user + system seconds")
    print(f"floor = {floor_name} of the same file in the same run; read = the calamine read alone")
    print(f"{'invoices':>9}{'lines':>8}  {'step':<8}{'CPU s':>8}{'wall s':>8}{'peak MiB':>9}"
          f"{'floor s':>9}{'x floor':>8}{'read s':>8}{'x read':>8}")
    for invoices, lines, results in sizes:
        total = 0.0
        for name, (m, f) in results.items():
            total += m.cpu
            read = f.extra.get("read_cpu", 0.0)
            ratio = f"{m.cpu / f.cpu:7.2f}x" if f.cpu else "      -"
            read_ratio = f"{m.cpu / read:7.2f}x" if read > 0.005 else "      -"
            print(f"{invoices:>9,}{lines:>8,}  {name:<8}{m.cpu:>8.2f}{m.wall:>8.2f}{m.peak:>9.0f}"
                  f"{f.cpu:>9.2f} {ratio}{read:>8.2f} {read_ratio}")
        print(f"{'':>17}  {'day':<8}{total:>8.2f}")
    if len(sizes) >= 2:
        (small, small_lines, a), (big, big_lines, b) = sizes[-2], sizes[-1]
        scale = big_lines / small_lines if small_lines else float("nan")
        print(f"\ngrowth {small:,} -> {big:,} invoices ({small_lines:,} -> {big_lines:,} lines, x{scale:.1f}): "
              "CPU ratio / line ratio (1.00 = linear)")
        for name in a:
            if name in b and a[name][0].cpu > 0:
                growth = b[name][0].cpu / a[name][0].cpu
                print(f"  {name:<8} x{growth:6.2f}  -> {growth / scale:5.2f} of linear")


def memory_run(lines: int, args: argparse.Namespace, root: Path) -> None:
    """Preview and Export of about ``lines`` invoice lines: peak RSS of each."""
    invoices = max(1, round(lines / 3.37))  # the sandbox averages about 3.4 lines an invoice
    got, results = day(invoices, argparse.Namespace(**{**vars(args), "read_floor_only": True}), root)
    print(f"\nmemory: {got:,} invoice lines ({invoices:,} invoices); peak RSS per step, MiB")
    for name in ("preview", "export"):
        m = results[name][0]
        verdict = "under 1 GiB" if m.peak < 1024 else "NOT under 1 GiB"
        print(f"  {name:<8} {m.peak:7.0f} MiB  ({m.cpu:.1f} CPU s)  {verdict}")


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--step-child":
        return step_child(sys.argv[2], sys.argv[3:])
    if len(sys.argv) == 6 and sys.argv[1] == "--floor-child":
        sheets = [s for s in sys.argv[4].split(",") if s]
        return floor_child(sys.argv[2], sys.argv[3], sheets, sys.argv[5] == "write")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--invoices", type=int, nargs="+", default=[200, 2000, 20000])
    ap.add_argument("--lines", type=int, default=0, help="also Preview + Export of about this many lines (memory)")
    ap.add_argument("--profile", default="generic-csv")
    ap.add_argument("--latency-ms", type=int, default=0, help="sandbox latency per response")
    ap.add_argument("--read-floor-only", action="store_true", help="floor without the openpyxl load/save")
    ap.add_argument("--keep", metavar="DIR", help="leave the workbooks and files in DIR")
    args = ap.parse_args()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="stac-day-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        sizes = []
        for invoices in args.invoices:
            lines, results = day(invoices, args, root)
            sizes.append((invoices, lines, results))
            print(f"done: {invoices:,} invoices", file=sys.stderr, flush=True)
        report(sizes, args)
        if args.lines:
            memory_run(args.lines, args, root)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
