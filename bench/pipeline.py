"""Benchmark: Invoices rows to the finished import file, against bare ``csv.writer``.

100,000 invoice lines (20,000 invoices × 5 lines) go through what Preview and Export do:
``compile_mapping`` once, then ``build`` (map), ``validate_records`` (with the rows and the
writer's encoding) and the profile's writer into an in-memory binary stream. The baseline
writes the same final records' values with a bare :func:`csv.writer` (same delimiter and
line ending) through a text wrapper with the same encoding into the same kind of stream:
the least any pipeline producing this file could do. Steps are timed in CPU seconds of
this process (so another program's load on a shared machine is not counted), interleaved,
best of ``--repeats``; target: the pipeline within 2× of the baseline for every shipped
profile (``--profiles`` picks some). For XML the baseline is still csv.writer of the same
values: an XML file is about twice the bytes of the CSV, each value between two tags.

Then, for the file adapter, the seconds and peak memory of writing the 100,000-record
*Export* table to an .xlsx (``FileWorkbook.create`` + ``write_table`` + ``save``), each
measurement in its own subprocess: peak RSS from the kernel (``VmHWM``, else
``getrusage``; tracemalloc would slow openpyxl several times over).

The rows come the way Preview gets them: sandbox JSON → ``parse_invoices`` →
``invoices_to_table`` → ``read_invoice_rows`` (each invoice reshaped to exactly 5 lines,
text kept to what Windows-1252 can hold so every profile can write the file).

    python bench/pipeline.py [--invoices 20000] [--lines 5] [--repeats 5] [--no-xlsx] [--xlsx-repeats 2]
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from stac_xl.actions.profile_settings import InvoicePolicies, invoice_policies, writer_for
from stac_xl.checks import validate_records
from stac_xl.invoices.flatten import invoices_to_table
from stac_xl.invoices.read_back import read_invoice_rows
from stac_xl.mapping import BatchInfo, CompiledMapping, compile_mapping
from stac_xl.presets import Preset, get_preset, preset_names
from stac_xl.records import OutputRecord, RecordSpec
from stac_xl.sandbox.data import SandboxData
from stac_xl.servicetrade.models import parse_invoices
from stac_xl.writers import Writer
from stac_xl.writers.delimited import DelimitedOptions

PROFILES = tuple(preset_names())  # every shipped profile
TINY_ARGS = ["--invoices", "40", "--repeats", "1", "--xlsx-repeats", "1"]  # what tests/test_bench.py runs it with
TARGET = 2.0
EXPORT_DATE = date(2024, 3, 20)
CENT = Decimal("0.01")
TAX_RATE = Decimal("0.0725")
Row = dict[str, Any]


# --- data ------------------------------------------------------------------------------------

def _five_lines(raw: list[dict[str, Any]], lines: int) -> None:
    """Give every invoice exactly ``lines`` items (drawn in turn from all generated items,
    with fresh ids) and totals that add up again, in place."""
    pool = [item for inv in raw for item in inv.get("items") or []]
    next_id, taken = 900001, 0
    for inv in raw:
        items = []
        for _ in range(lines):
            item = dict(pool[taken % len(pool)], id=next_id)
            text = item["description"]
            item["description"] = text.encode("cp1252", "replace").decode("cp1252")
            items.append(item)
            next_id, taken = next_id + 1, taken + 1
        subtotal = sum((Decimal(str(i["totalPrice"])) for i in items), Decimal("0.00"))
        taxable = sum((Decimal(str(i["totalPrice"])) for i in items if i["taxable"]), Decimal("0.00"))
        tax = (taxable * TAX_RATE).quantize(CENT, ROUND_HALF_UP)
        inv["items"] = items
        inv["subtotal"], inv["taxAmount"], inv["totalPrice"] = float(subtotal), float(tax), float(subtotal + tax)


def invoice_rows(invoices: int, lines: int) -> list[Row]:
    """Typed *Invoices* rows, as ``read_invoice_rows`` returns them for the sheet Fetch wrote."""
    data = SandboxData.generate(invoices=invoices, seed=3, today=EXPORT_DATE)
    _five_lines(data.invoices, lines)
    table = invoices_to_table(parse_invoices(data.invoices), tz=ZoneInfo(data.tz))
    return read_invoice_rows([table.headers, *table.rows])


def lookups_for(preset: Preset, rows: Sequence[Row]) -> list[list[Any]]:
    """The preset's Lookups sheet with every customer id and item code of the data in its
    Customers and Accounts tables (the clerk's real tables), so no lookup misses."""
    keys = {"customers": sorted({r["Customer id"] for r in rows}),
            "accounts": sorted({r["Item code"] for r in rows if r["Item code"]})}
    grid: list[list[Any]] = []
    table, in_samples = "", False
    for row in preset.lookups:
        first = str(row[0]) if row and row[0] is not None else ""
        if first.lower().startswith("table:"):
            table, in_samples = first.partition(":")[2].strip().lower(), False
        elif table in keys and first == "Key":
            grid.append(row)
            grid.extend([k, f"{table[:4].upper()}-{k}"] for k in keys.get(table, []))
            in_samples = True
            continue
        elif not row:
            table, in_samples = "", False
        elif in_samples:
            continue  # a sample row: replaced by the generated ones
        grid.append(row)
    return grid


# --- the pipeline and the baseline ------------------------------------------------------------

@dataclass
class Profile:
    """One preset made ready to run: compiled mapping, writer, build options."""

    name: str
    mapping: CompiledMapping
    writer: Writer
    policies: InvoicePolicies


def prepare(name: str, rows: Sequence[Row]) -> Profile:
    preset = get_preset(name)
    mapping = compile_mapping(preset.mapping, lookups_for(preset, rows), invoice_columns=list(rows[0]))
    return Profile(name, mapping, writer_for(preset.settings), invoice_policies(preset.settings))


def run_map(profile: Profile, rows: Sequence[Row]) -> tuple[list[RecordSpec], list[OutputRecord], int]:
    result = profile.mapping.build(rows, batch=BatchInfo(EXPORT_DATE), **profile.policies)
    return result.specs, result.records, len(result.problems)


def run_validate(profile: Profile, specs: list[RecordSpec], records: list[OutputRecord],
                 rows: Sequence[Row]) -> int:
    return len(validate_records(specs, records, encoding=profile.writer.options.encoding, rows=rows))


def run_write(profile: Profile, specs: list[RecordSpec], records: list[OutputRecord]) -> int:
    stream = io.BytesIO()
    profile.writer.write(specs, records, stream)
    return len(stream.getvalue())


def run_baseline(profile: Profile, specs: list[RecordSpec], records: list[OutputRecord]) -> int:
    """The same final rows through a bare csv.writer: the floor for producing this file."""
    options = profile.writer.options
    delimited = isinstance(options, DelimitedOptions)
    stream = io.BytesIO()
    text = io.TextIOWrapper(stream, encoding=options.encoding, newline="")
    delimiter = options.delimiter if isinstance(options, DelimitedOptions) else "\t"
    quote_all = isinstance(options, DelimitedOptions) and options.quoting == "all"
    out = csv.writer(text, delimiter=delimiter, lineterminator=options.newline,
                     quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    if delimited:
        out.writerows([s.field_names for s in specs if s.header])
        out.writerows([r.values for r in records])
    else:  # IIF: the keyword leads every row, after one definition row per record type
        out.writerows([["!" + s.name, *s.field_names] for s in specs])
        out.writerows([[r.record, *r.values] for r in records])
    text.flush()
    return len(stream.getvalue())


def best(times: dict[str, list[float]], step: str) -> float:
    return min(times[step])


def timed(times: dict[str, list[float]], step: str, func: Callable[[], Any]) -> Any:
    gc.collect()  # the previous round's garbage is not this step's cost
    # nor are the collector's passes over 100,000 records' objects: build and validation pause
    # it themselves, and the baseline's one list per record (IIF, fixed width, XML) would
    # otherwise pay for them
    gc.disable()
    try:
        start = time.process_time()
        value = func()
        times.setdefault(step, []).append(time.process_time() - start)
    finally:
        gc.enable()
    return value


def measure(profiles: list[Profile], rows: Sequence[Row], repeats: int) -> None:
    times: dict[str, dict[str, list[float]]] = {p.name: {} for p in profiles}
    facts: dict[str, tuple[int, int, int, int]] = {}
    for _ in range(repeats):
        for profile in profiles:  # interleaved: a slow moment on the machine hits every profile
            t = times[profile.name]
            specs, records, build_problems = timed(t, "map", partial(run_map, profile, rows))
            problems = timed(t, "validate", partial(run_validate, profile, specs, records, rows))
            size = timed(t, "write", partial(run_write, profile, specs, records))
            timed(t, "baseline", partial(run_baseline, profile, specs, records))
            facts[profile.name] = (len(records), build_problems, problems, size)
            specs = records = []  # free this profile's records before the next one's
    print(f"{len(rows):,} invoice lines; best of {repeats}, interleaved; CPU seconds")
    print(f"{'profile':<20}{'records':>9}{'map':>8}{'validate':>10}{'write':>8}{'pipeline':>10}"
          f"{'csv.writer':>12}{'ratio':>8}  target <= {TARGET:g}x")
    for profile in profiles:
        t = times[profile.name]
        count, build_problems, problems, size = facts[profile.name]
        pipeline = best(t, "map") + best(t, "validate") + best(t, "write")
        ratio = pipeline / best(t, "baseline")
        verdict = "met" if ratio <= TARGET else "NOT met"
        print(f"{profile.name:<20}{count:>9,}{best(t, 'map'):>8.3f}{best(t, 'validate'):>10.3f}{best(t, 'write'):>8.3f}"
              f"{pipeline:>10.3f}{best(t, 'baseline'):>12.3f}{ratio:>7.2f}x  {verdict}")
        print(f"{'':<20}problems: {build_problems} from build, {problems} from validation; file {size:,} bytes")


# --- the .xlsx Export sheet, one subprocess per measurement --------------------------------

def _peak_mib() -> float:
    """This process's peak resident memory, MiB. Linux's ru_maxrss of a child starts at its
    parent's peak (it survives fork and exec), so the kernel's per-process VmHWM is read
    where there is one."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def xlsx_child(data_path: str, folder: str) -> None:
    """In a fresh process: load the records, then time and measure the Export sheet's write."""
    from stac_xl.book.export_sheet import records_to_table
    from stac_xl.book.file import FileWorkbook

    with open(data_path, "rb") as handle:
        specs, records = pickle.load(handle)
    before = _peak_mib()
    start = time.perf_counter()
    table = records_to_table(specs, records)
    book = FileWorkbook.create(Path(folder) / "bench.xlsx", overwrite=True, stream=io.StringIO())
    book.write_table("Export", table)
    book.save()
    seconds = time.perf_counter() - start
    size = (Path(folder) / "bench.xlsx").stat().st_size
    print(f"{seconds:.3f} {before:.1f} {_peak_mib():.1f} {size}")


def measure_xlsx(profile: Profile, rows: Sequence[Row], repeats: int) -> None:
    specs, records, _ = run_map(profile, rows)
    with tempfile.TemporaryDirectory() as folder:
        data_path = str(Path(folder) / "records.pickle")
        with open(data_path, "wb") as handle:
            pickle.dump((specs, records), handle)
        results = []
        for _ in range(repeats):
            out = subprocess.run([sys.executable, __file__, "--xlsx-child", data_path, folder],
                                 check=True, capture_output=True, text=True).stdout.split()
            results.append((float(out[0]), float(out[1]), float(out[2]), int(out[3])))
    seconds, before, after, size = min(results)
    print(f"\nExport sheet to .xlsx ({profile.name}, {len(records):,} records; FileWorkbook create + "
          f"write_table + save; best of {repeats} subprocesses):")
    print(f"  {seconds:.2f} s; peak RSS {after:.0f} MiB ({before:.0f} MiB with the records loaded, "
          f"+{after - before:.0f} MiB for the write); file {size / 1e6:.1f} MB")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--xlsx-child":
        xlsx_child(sys.argv[2], sys.argv[3])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--invoices", type=int, default=20000)
    ap.add_argument("--lines", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--profiles", nargs="*", default=list(PROFILES))
    ap.add_argument("--no-xlsx", action="store_true", help="skip the .xlsx Export sheet measurement")
    ap.add_argument("--xlsx-repeats", type=int, default=2, help="subprocesses for the .xlsx measurement")
    args = ap.parse_args()
    start = time.perf_counter()
    rows = invoice_rows(args.invoices, args.lines)
    print(f"made {len(rows):,} Invoices rows in {time.perf_counter() - start:.1f} s")
    profiles = [prepare(name, rows) for name in args.profiles]
    measure(profiles, rows, args.repeats)
    if not args.no_xlsx:
        sheet = next((p for p in profiles if p.name == "generic-csv"), profiles[0])  # the one measured so far
        measure_xlsx(sheet, rows, max(1, args.xlsx_repeats))


if __name__ == "__main__":
    main()
