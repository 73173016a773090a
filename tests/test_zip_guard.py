"""A workbook that would unpack past what stac_xl opens is refused in one sentence before any
part is unpacked: real .xlsx files crafted here (two million cells in ~130 KB, a part lying
about its size, ten thousand and one parts, an honest book past a lowered limit), each
given to the real ``stac-xl`` command, which must leave the file as it was."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from stac_xl.book.file import FileWorkbook
from stac_xl.book.zip_guard import ENV_LIMIT, HIGHEST_RATIO, MOST_PARTS, refuse_oversized
from stac_xl.cli import main
from stac_xl.errors import WorkbookError

INVOICES_PART = "xl/worksheets/sheet4.xml"  # a new workbook's sheets are stored in tab order
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' \
       '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
TAIL = "</sheetData></worksheet>"


def crafted(path: Path, invoices_xml: bytes | None = None, *, extra_parts: int = 0, level: int = 9) -> Path:
    """A real STAC workbook whose Invoices sheet is ``invoices_xml``, with ``extra_parts``
    more (tiny) parts in the package."""
    source = path.with_name("source.xlsx")
    FileWorkbook.create(source)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as new:
        for info in old.infolist():
            body = old.read(info.filename)
            new.writestr(info.filename, invoices_xml if invoices_xml and info.filename == INVOICES_PART else body)
        for n in range(extra_parts):
            new.writestr(f"customXml/item{n}.xml", b"<a/>")
    source.unlink()
    return path


def cells_without_addresses(rows: int, columns: int = 20) -> bytes:
    """Rows of the same value, no cell naming its address: as small as cells can pack."""
    row = "<row>" + "<c><v>1</v></c>" * columns + "</row>"
    return (HEAD + row * rows + TAIL).encode()


def cells_with_addresses(rows: int, columns: int = 20) -> bytes:
    """What Excel writes: every cell names its address, so even one value repeated packs ~10x."""
    letters = [chr(65 + c) for c in range(columns)]
    return (HEAD + "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in letters) + "</row>"
                           for r in range(1, rows + 1)) + TAIL).encode()


def lie_about_size(path: Path, part: str, declared: int) -> None:
    """Make ``part`` declare ``declared`` unpacked bytes, in its local header and in the directory."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(part)
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46:at + 46 + length]) == part.encode():
            struct.pack_into("<I", data, at + 24, declared)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def refused_by_cli(book: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """`stac-xl preview BOOK` must fail as a workbook problem, leave the file as it was and
    say one sentence; returns it."""
    before = book.read_bytes()
    assert main(["preview", str(book)]) == WorkbookError.exit_code
    assert book.read_bytes() == before
    (line,) = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert line.startswith("stac-xl: ") and line.endswith(".") and "Traceback" not in line
    return line.removeprefix("stac-xl: ")


def test_two_million_cells_packed_in_a_few_hundred_kb_are_refused_before_loading(tmp_path, capsys):
    book = crafted(tmp_path / "ar.xlsx", cells_without_addresses(100_000))
    assert book.stat().st_size < 400_000  # two million cells, ~31 MB of sheet
    said = refused_by_cli(book, capsys)
    assert said.startswith("ar.xlsx holds a part that unpacks to ")
    assert said.endswith("times its packed size, which no saved workbook does; stac_xl does not open it "
                         "(ask whoever sent it to save it again in Excel).")
    # nothing was unpacked: the adapter's refusal costs a fraction of the sheet's 31 MB
    tracemalloc.start()
    with pytest.raises(WorkbookError):
        FileWorkbook.open(book)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 4 * book.stat().st_size + (2 << 20)


def test_a_part_that_unpacks_to_more_than_it_declares_is_refused(tmp_path, capsys, monkeypatch):
    book = crafted(tmp_path / "ar.xlsx", cells_with_addresses(2_000), level=6)
    lie_about_size(book, INVOICES_PART, 1000)  # ~580 KB of sheet that says it is 1 KB
    monkeypatch.setenv(ENV_LIMIT, "1")  # small enough that the file could hide past it
    assert refused_by_cli(book, capsys).startswith("ar.xlsx holds a part that unpacks to ")


def test_more_parts_than_any_workbook_needs_are_refused(tmp_path, capsys):
    book = crafted(tmp_path / "ar.xlsx", extra_parts=MOST_PARTS)
    assert refused_by_cli(book, capsys) == (
        f"ar.xlsx is made of {MOST_PARTS + 13:,} parts, more than the {MOST_PARTS:,} any workbook needs; stac_xl "
        "does not open it (ask whoever sent it for the workbook itself).")


def test_an_honest_book_past_the_limit_is_refused_and_the_limit_is_the_environments(tmp_path, capsys, monkeypatch):
    book = crafted(tmp_path / "ar.xlsx", cells_with_addresses(6_000), level=6)
    with zipfile.ZipFile(book) as archive:
        megabytes = sum(info.file_size for info in archive.infolist()) / (1 << 20)
    assert 2.5 < megabytes < 3.5
    monkeypatch.setenv(ENV_LIMIT, "2")
    assert refused_by_cli(book, capsys) == (
        f"ar.xlsx unpacks to 3 MB, more than the 2 MB stac_xl opens; fetch fewer days into it or start a new "
        f"workbook (or set {ENV_LIMIT} to a higher number of megabytes).")
    monkeypatch.setenv(ENV_LIMIT, "4")
    assert len(FileWorkbook.open(book).read_grid("Invoices")) == 6_000


def test_the_limit_setting_itself_must_be_a_number_of_megabytes(tmp_path, capsys, monkeypatch):
    book = crafted(tmp_path / "ar.xlsx")
    monkeypatch.setenv(ENV_LIMIT, "lots")
    assert main(["preview", str(book)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"stac-xl: {ENV_LIMIT} must be a whole number of megabytes from 1 to 4096, not 'lots'.")


@pytest.mark.parametrize("rows", [50, 5_000])
def test_what_excel_writes_packs_far_below_the_ratio_and_opens(tmp_path, rows):
    sheet = cells_with_addresses(rows)
    assert len(sheet) < 20 * len(zlib.compress(sheet, 9)) and HIGHEST_RATIO >= 5 * 20  # a margin of 5 times
    book = crafted(tmp_path / "ar.xlsx", sheet)
    refuse_oversized(book, book.read_bytes())  # no refusal
    assert len(FileWorkbook.open(book).read_grid("Invoices")) == rows


def test_a_file_that_is_not_a_zip_is_left_to_the_adapters_own_sentence(tmp_path, capsys):
    book = tmp_path / "ar.xlsx"
    book.write_bytes(b"not a zip at all")
    refuse_oversized(book, book.read_bytes())
    assert refused_by_cli(book, capsys) == f"{book} is not an Excel workbook (.xlsx or .xlsm)."
