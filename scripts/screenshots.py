"""Make the README's screenshots: docs/img/*.png.

Runs the real job on the built-in sandbox (a local stand-in for ServiceTrade) exactly as
``stac-xl demo`` does for the QuickBooks Desktop (IIF) profile: new workbook, preset, Fetch,
sample Lookups, Preview, Export (refused while the Export sheet has errors; showing them
marked on their cells is what the Export picture is for). Then, for each picture, a *copy*
of that workbook is cut down to one sheet and set up for printing (landscape, one page wide,
the first rows and the columns that tell the story; the other columns are hidden, so the
column letters show the gaps), printed to PDF by headless LibreOffice, and the printed area
of page 1 rendered to PNG by pdftoppm.

    .venv/bin/python scripts/screenshots.py

Needs ``soffice`` and ``pdftoppm`` (poppler-utils) on PATH. Writes only docs/img/*.png and a
temporary folder; the same date and seed give the same pictures.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from copy import copy
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.styles import Alignment
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from stac_xl.actions.ledger import open_ledger
from stac_xl.book.layout import new_workbook_layout
from stac_xl.demo import run_profile
from stac_xl.sandbox import Sandbox, SandboxData

REPO = Path(__file__).resolve().parent.parent
IMG = REPO / "docs" / "img"
PROFILE = "quickbooks-iif"
TODAY = date(2024, 5, 17)  # fixed, so the pictures do not change from run to run
INVOICES, SEED = 60, 7
DPI = 90
PAD = 6  # pixels of white kept around the table
SOFFICE_TIMEOUT = 180


@dataclass(frozen=True)
class Shot:
    """One picture: which sheet, how many rows, which columns stay visible and how wide.

    ``columns`` maps a column letter to its width in the picture (None: the sheet's own);
    every other column up to the last one listed is hidden. Text longer than its column
    wraps, and its row is made tall enough.
    """

    png: str
    sheet: str
    rows: int
    columns: dict[str, float | None]


SHOTS = (
    Shot("invoices-sheet.png", "Invoices", 22,
         {"B": 15, "I": 22, "R": 13, "V": 46, "W": 9, "X": 11, "Y": 11, "AA": 12, "AF": 13}),
    Shot("export-sheet.png", "Export", 25,
         {"A": 9, "E": 19, "F": 15, "H": 9, "I": 9, "J": 34, "P": 50}),
    Shot("mapping-sheet.png", "Mapping", 29,
         {"A": 9, "B": 15, "C": 21, "D": 38, "E": 8, "F": 9, "G": 11, "H": 40}),
)

LINE_HEIGHT = 14.5  # points per line of wrapped text (11 pt type)
CHARS_PER_UNIT = 1.22  # characters of LibreOffice's stand-in for Calibri per width unit
DEFAULT_FONT = "Calibri"


def main() -> int:
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            print(f"{tool} is not on PATH; install LibreOffice and poppler-utils.", file=sys.stderr)
            return 1
    IMG.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="stac-screenshots-") as temp:
        tmp = Path(temp)
        book = make_workbook(tmp / "demo")
        copies = [printable_copy(book, shot, tmp / "print") for shot in SHOTS]
        pdfs = to_pdf(copies, tmp)
        for shot, pdf in zip(SHOTS, pdfs):
            target = IMG / shot.png
            render(pdf, target, tmp)
            print(f"{target.relative_to(REPO)}  ({target.stat().st_size // 1024} KB)")
    return 0


def make_workbook(out: Path) -> Path:
    """The clerk's workbook after Fetch and Preview, from the sandbox."""
    (out / "import-files").mkdir(parents=True)
    data = SandboxData.generate(invoices=INVOICES, seed=SEED, today=TODAY)
    with Sandbox(data) as sandbox:
        # a ledger of its own in the temporary folder: the pictures never touch the clerk's
        outcome = run_profile(PROFILE, sandbox.start(0), out, today=TODAY, ledger=open_ledger(out / "ledger.sqlite3"))
    print(f"{PROFILE}: {outcome.note}")
    return outcome.workbook


def printable_copy(book: Path, shot: Shot, folder: Path) -> Path:
    """A copy of ``book`` holding only ``shot.sheet``, set up to print the shot's area."""
    folder.mkdir(exist_ok=True)
    wb = load_workbook(book)
    for ws in list(wb.worksheets):
        if ws.title != shot.sheet:
            wb.remove(ws)
    ws = wb[shot.sheet]
    ws.sheet_state = "visible"
    _restore_layout_widths(ws)

    widths = {column_index_from_string(c): w for c, w in shot.columns.items()}
    for index in range(1, max(widths) + 1):
        dim = ws.column_dimensions[get_column_letter(index)]
        if index not in widths:
            dim.hidden = True
        elif widths[index] is not None:
            dim.width = widths[index]
    for row in range(1, shot.rows + 1):
        lines = 1
        for index in widths:
            cell = ws.cell(row=row, column=index)
            room = ((ws.column_dimensions[cell.column_letter].width or 8.43) - 1) * CHARS_PER_UNIT
            if cell.font.name is None:  # a bare bold header: Excel draws it in the book's font
                font = copy(cell.font)
                font.name = DEFAULT_FONT
                cell.font = font
            # Text with empty cells to its right runs on over them, as in Excel: no wrap.
            runs_on = all(ws.cell(row=row, column=j).value in (None, "") for j in widths if j > index)
            wrap = isinstance(cell.value, str) and len(cell.value) > room and not runs_on
            old = cell.alignment
            cell.alignment = Alignment(horizontal=old.horizontal, indent=old.indent,
                                       wrap_text=wrap or old.wrap_text, vertical="top")
            if wrap:
                lines = max(lines, _lines(cell.value, room))
        if lines > 1:
            ws.row_dimensions[row].height = LINE_HEIGHT * lines + 1

    ws.freeze_panes = None
    ws.print_area = f"A1:{get_column_letter(max(widths))}{shot.rows}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_LETTER
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.25
    ws.page_margins.top = ws.page_margins.bottom = 0.25
    ws.page_margins.header = ws.page_margins.footer = 0
    ws.oddHeader.center.text = ws.oddFooter.center.text = ""
    ws.print_options.gridLines = True
    ws.print_options.headings = True
    path = folder / f"{Path(shot.png).stem}.xlsx"
    wb.save(path)
    return path


def _lines(text: str, room: float) -> int:
    """How many lines ``text`` takes when wrapped at word boundaries in ``room`` characters."""
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > room:
            lines, used = lines + 1, len(word)
        else:
            used += (1 if used else 0) + len(word)
        while used > room:  # a word longer than the column breaks anywhere
            lines, used = lines + 1, used - int(room)
    return lines


def _restore_layout_widths(ws) -> None:
    """Load preset rewrites Mapping/Lookups/Settings without the column widths a new
    workbook gives them; put the layout's own widths back where none are set."""
    if any(d.width for d in ws.column_dimensions.values()):
        return
    for layout in new_workbook_layout():
        if layout.name == ws.title:
            for index, width in enumerate(layout.widths, start=1):
                ws.column_dimensions[get_column_letter(index)].width = width


def to_pdf(books: list[Path], tmp: Path) -> list[Path]:
    """Print each workbook to PDF with headless LibreOffice (its own profile, so it does
    not collide with a LibreOffice that is already running)."""
    out = tmp / "pdf"
    out.mkdir()
    profile = (tmp / "lo-profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(out), *map(str, books)],
        check=True, timeout=SOFFICE_TIMEOUT, stdout=subprocess.DEVNULL,
    )
    pdfs = [out / f"{b.stem}.pdf" for b in books]
    missing = [p.name for p in pdfs if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not write {', '.join(missing)}")
    return pdfs


def render(pdf: Path, png: Path, tmp: Path) -> None:
    """Page 1 of ``pdf`` as ``png``, cropped to what is printed on it."""
    gray = tmp / f"{pdf.stem}-gray"
    subprocess.run(["pdftoppm", "-gray", "-r", str(DPI), "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(gray)], check=True)
    x, y, w, h = _ink_box(gray.with_suffix(".pgm"))
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", "1", "-singlefile",
                    "-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h),
                    str(pdf), str(png.with_suffix(""))], check=True)


def _ink_box(pgm: Path) -> tuple[int, int, int, int]:
    """(x, y, width, height) of the non-white pixels of a binary PGM, with a margin."""
    data = pgm.read_bytes()
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P5":
        raise ValueError(f"{pgm} is not a binary PGM")
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:]
    rows = [r for r in range(height) if min(pixels[r * width:(r + 1) * width]) < 245]
    if not rows:
        raise ValueError(f"{pgm} is blank")
    left, right = width, 0
    for r in rows:
        line = pixels[r * width:(r + 1) * width]
        ink = [i for i, v in enumerate(line) if v < 245]
        left, right = min(left, ink[0]), max(right, ink[-1])
    x0, y0 = max(left - PAD, 0), max(rows[0] - PAD, 0)
    x1, y1 = min(right + PAD, width - 1), min(rows[-1] + PAD, height - 1)
    return x0, y0, x1 - x0 + 1, y1 - y0 + 1


if __name__ == "__main__":
    sys.exit(main())
