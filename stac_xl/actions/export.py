"""The Export action: the *Export* sheet, as it stands, becomes the import file.

The sheet is validated once more (the clerk's corrections included) by the same checks as
Preview; any error refuses the export and names its cell. The file is written to a temp
file in the target folder, flushed to disk, then linked into place, so a crash leaves no
half-written file and an existing file is never overwritten. The batch is logged on *Log*
with its SHA-256.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from stac_xl.book import layout
from stac_xl.book.cells import cell_name
from stac_xl.book.export_sheet import record_cell, table_to_records, trim_to_specs
from stac_xl.book.log import append_log
from stac_xl.book.port import WorkbookPort
from stac_xl.errors import ExportError, ValidationFailed
from stac_xl.invoices.totals import totals_of
from stac_xl.problems import Problem


@dataclass(frozen=True)
class ExportResult:
    """The file written and what is in it."""

    path: Path
    records: int
    invoices: int
    lines: int
    sha256: str

    def summary(self) -> str:
        return f"Exported {self.invoices} invoices ({self.records} records) to {self.path}"


def problem_cell_name(problem: Problem) -> str:
    """The Export cell a problem is about, e.g. ``Export!D12`` (``Export`` if none)."""
    if problem.record_index is None:
        return layout.EXPORT
    return cell_name(layout.EXPORT, *record_cell(problem.record_index, problem.field_index))


def file_name(pattern: str, *, profile: str, extension: str, now: datetime) -> str:
    """The file name from the *File name pattern* setting; a bad pattern is a ConfigError."""
    from stac_xl.errors import ConfigError

    fields = {
        "profile": profile, "date": now.strftime("%Y%m%d"), "time": now.strftime("%H%M%S"),
        "ext": extension.lstrip("."), "batch": now.strftime("%Y%m%d-%H%M%S"),
    }
    try:
        name = pattern.format(**fields)
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(
            f"Settings: File name pattern '{pattern}' uses an unknown field ({exc}); "
            "use {profile}, {date}, {time}, {batch} and {ext}."
        ) from None
    if not name or any(ch in name for ch in '\\/:*?"<>|'):
        raise ConfigError(f"Settings: File name pattern '{pattern}' gives '{name}', which is not a file name.")
    return name


def write_new_file(folder: Path, name: str, content: bytes) -> Path:
    """Write ``content`` as ``folder/name`` atomically; refuse if that file exists."""
    if not folder.is_dir():
        raise ExportError(f"The output folder {folder} does not exist; create it or change Output folder on Settings.")
    target = folder / name
    if target.exists():
        raise ExportError(f"{target} already exists; stac_xl never overwrites an import file. Move it away or export again in a minute.")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".stac-", suffix=".part", dir=folder)
    except OSError as exc:  # a read-only or full folder refuses even the temp file
        raise ExportError(f"Could not write into the output folder {folder} ({exc.strerror or exc}); "
                          "choose a folder you may write to on Settings (Output folder) or with --out.") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.link(tmp, target)  # fails if the name appeared meanwhile: never overwrite
    except FileExistsError:
        raise ExportError(f"{target} already exists; stac_xl never overwrites an import file.") from None
    except OSError as exc:
        raise ExportError(f"Could not write {target} ({exc.strerror or exc}).") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def _refuse(problems: Sequence[Problem]) -> None:
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        lines = [f"{problem_cell_name(p)}: {p}" for p in errors]
        raise ValidationFailed(
            f"Export refused: {len(errors)} problem(s) on the Export sheet; fix them (or Preview again) and export. "
            f"First: {lines[0]}",
            lines,
        )


def export(book: WorkbookPort, *, out: Path | None = None, book_folder: Path, now: datetime | None = None) -> ExportResult:
    """Validate the Export sheet and write it as the import file into ``out``, else the
    *Output folder* setting, else ``book_folder`` (the workbook's own folder)."""
    from stac_xl.actions.profile import check_records, load_profile
    from stac_xl.invoices.read_back import invoice_headers, read_invoice_rows
    from stac_xl.mapping import compile_mapping

    now = now or datetime.now()
    profile = load_profile(book)
    records = table_to_records(book.read_grid(layout.EXPORT))
    if not records:
        raise ExportError("The Export sheet is empty; click Preview first.")
    invoices_grid = book.read_grid(layout.INVOICES)
    specs = compile_mapping(profile.mapping_grid, profile.lookups_grid, invoice_columns=invoice_headers(invoices_grid)).specs
    shape = [Problem("error", text) for text in trim_to_specs(records, specs)]
    rows = read_invoice_rows(invoices_grid)
    _refuse(shape + check_records(profile, specs, records, rows))
    stream = io.BytesIO()
    profile.writer.write(specs, records, stream)
    content = stream.getvalue()
    target_folder = out or (Path(profile.settings.output_folder) if profile.settings.output_folder else book_folder)
    name = file_name(profile.settings.file_name_pattern, profile=profile.settings.target_profile,
                     extension=profile.writer.extension, now=now)
    path = write_new_file(target_folder, name, content)
    invoice_ids = {r.invoice_id for r in records if r.invoice_id}
    totals = totals_of(rows, invoice_ids)
    digest = hashlib.sha256(content).hexdigest()
    result = ExportResult(path, len(records), totals.invoices, totals.lines, digest)
    append_log(book, action="export", note=result.summary(), now=now, file=str(path), invoices=totals.invoices,
               lines=totals.lines, net=totals.net, tax=totals.tax, gross=totals.gross, sha256=digest)
    book.save()
    book.status(result.summary())
    return result
