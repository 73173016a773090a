"""``stac-xl demo``: the whole job against the built-in sandbox, for every shipped profile.

Starts the sandbox in this process on a free port and, for each target profile, does what
a clerk does: a new workbook with the preset loaded, Fetch (the last week), the clerk's
customer numbers and accounts on *Lookups* (made up for the sandbox's customers), Preview,
Export. Same library calls as the ribbon and the CLI; only the credentials are the
sandbox's own (``demo``/``demo``). It says what it did and where every file is.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from stac_xl.actions.export import export
from stac_xl.actions.fetch import fetch_invoices
from stac_xl.actions.ledger import ExportLedger, open_ledger
from stac_xl.actions.preview import preview
from stac_xl.book.file import FileWorkbook
from stac_xl.book.lock import workbook_lock
from stac_xl.errors import ExportError, StacError, ValidationFailed
from stac_xl.presets import load_preset, preset_names
from stac_xl.problems import plural
from stac_xl.sandbox import Sandbox, SandboxData
from stac_xl.sandbox.clerk import fill_sandbox_lookups
from stac_xl.servicetrade.credentials import Password

DEMO_DAYS = 7
DEMO_LEDGER = "demo-ledger.sqlite3"


@dataclass(frozen=True)
class DemoOutcome:
    """One profile's run: its workbook, and its import file or why there is none."""

    profile: str
    workbook: Path
    file: Path | None
    note: str


def run_profile(profile: str, base_url: str, out: Path, *, today: date, ledger: ExportLedger,
                on_wait: Callable[[str], None] | None = None) -> DemoOutcome:
    """New workbook → preset → fetch → lookups → preview → export, for one profile, holding
    the workbook's lock throughout (another demo, or a command on that book, waits: told
    to ``on_wait``)."""
    with workbook_lock(out / f"{profile}.xlsx", command="stac-xl demo", creating=True, on_wait=on_wait):
        return _run_profile(profile, base_url, out, today=today, ledger=ledger)


def _run_profile(profile: str, base_url: str, out: Path, *, today: date, ledger: ExportLedger) -> DemoOutcome:
    book_path = out / f"{profile}.xlsx"
    quiet = io.StringIO()  # the demo prints one line per profile, not every status message
    book = FileWorkbook.create(book_path, overwrite=True, stream=quiet)
    load_preset(book, profile)
    fetch_invoices(book, first=today - timedelta(days=DEMO_DAYS - 1), last=today,
                   credentials=Password("demo", "demo"), base_url=base_url)
    fill_sandbox_lookups(book)
    book.save()
    shown = preview(FileWorkbook.open(book_path, stream=quiet), today=today, ledger=ledger)
    try:
        done = export(FileWorkbook.open(book_path, stream=quiet), out=out / "import-files", book_folder=out,
                      ledger=ledger)
    except ValidationFailed as exc:
        return DemoOutcome(profile, book_path, None, f"export refused, {len(exc.problems)} problems; first: {exc.problems[0]}")
    warnings = f", {plural(shown.warnings, 'warning')} on Export" if shown.warnings else ""
    return DemoOutcome(profile, book_path, done.path,
                       f"{done.invoices} invoices, {done.records} records{warnings}")


def _fresh_ledger(out: Path) -> ExportLedger:
    """The demo's own export ledger, empty each run: sandbox invoices never reach the clerk's
    ledger, and a second demo run exports again."""
    path = out / DEMO_LEDGER
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    return open_ledger(path)


def run_demo(out: Path, *, invoices: int, seed: int, echo: Callable[[str], None], today: date | None = None) -> list[DemoOutcome]:
    """Run the demo into folder ``out`` (created if missing); return one outcome per profile."""
    today = today or date.today()
    try:
        (out / "import-files").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"The demo cannot use the folder {out} ({exc.strerror or exc}); choose another with --out.") from None
    data = SandboxData.generate(invoices=invoices, seed=seed, today=today)
    outcomes = []
    ledger = _fresh_ledger(out)
    with Sandbox(data) as sandbox, contextlib.closing(ledger):
        base_url = sandbox.start(0)
        echo(f"Sandbox (a local stand-in for ServiceTrade, not ServiceTrade) with {invoices} generated invoices at {base_url}")
        echo(f"For each profile: new workbook, Fetch (invoices created {today - timedelta(days=DEMO_DAYS - 1)} to {today}), "
             "sample Lookups, Preview, Export.")
        for profile in preset_names():
            try:
                outcome = run_profile(profile, base_url, out, today=today, ledger=ledger, on_wait=echo)
            except StacError as exc:
                outcome = DemoOutcome(profile, out / f"{profile}.xlsx", None, f"failed: {exc}")
            outcomes.append(outcome)
            echo(f"  {profile:20} {outcome.file.resolve() if outcome.file else '-'}  ({outcome.note})")
    echo(f"Workbooks (open them in Excel or LibreOffice): {out.resolve()}")
    echo(f"Import files: {(out / 'import-files').resolve()}")
    return outcomes
