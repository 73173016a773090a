"""A command rewrites only what it owns: every other part of the workbook package comes out
byte for byte (VBA, other sheets, defined names, styles, shared strings, theme).

Real runs on real files: an Excel-made macro workbook (xlwings' quickstart.xlsm) with a
defined name of the clerk's, STAC sheets added, Fetch against the sandbox, Preview, Export.
Parts are compared with :mod:`zipfile` (content) and by their stored, compressed bytes read
straight from the file (so "carried over" means copied, not re-compressed)."""

from __future__ import annotations

import posixpath
import re
import shutil
import struct
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlwings
from openpyxl.comments import Comment
from python_calamine import CalamineWorkbook

import stac_xl
from stac_xl.actions.export import export
from stac_xl.actions.fetch import fetch_invoices
from stac_xl.actions.preview import preview
from stac_xl.book.file import FileWorkbook
from stac_xl.book.log import append_log
from stac_xl.book.port import CellMark
from stac_xl.book.table import Column, ColumnKind, Table
from stac_xl.presets import load_preset
from stac_xl.sandbox import Sandbox, SandboxData
from stac_xl.sandbox.clerk import fill_sandbox_lookups
from stac_xl.servicetrade.credentials import Password

TODAY = date(2026, 3, 20)
USER_NAME = b'<definedName name="TaxRate">Sheet1!$B$2</definedName>'
DEFINED_NAME = b"<definedNames>" + USER_NAME + b"</definedNames>"
SHARED = {"xl/vbaProject.bin", "xl/styles.xml", "xl/sharedStrings.xml", "xl/theme/theme1.xml", "docProps/app.xml"}
FILTER_NAMES = re.compile(rb'<definedName name="_xlnm._FilterDatabase"[^>]*>[^<]*</definedName>')


def stored(path: Path) -> dict[str, tuple[bytes, bytes]]:
    """Every member: (content, the compressed bytes as stored in the file), the zip checked."""
    parts = {}
    data = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None  # every member's CRC checks out
        for info in archive.infolist():
            name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
            start = info.header_offset + 30 + name_length + extra_length
            parts[info.filename] = (archive.read(info.filename), data[start:start + info.compress_size])
    return parts


def changed(before: dict[str, tuple[bytes, bytes]], after: dict[str, tuple[bytes, bytes]]) -> set[str]:
    """Members added, removed, or whose content differs."""
    names = set(before) | set(after)
    return {n for n in names if n not in before or n not in after or before[n][0] != after[n][0]}


def copied_unchanged(before: dict[str, tuple[bytes, bytes]], after: dict[str, tuple[bytes, bytes]],
                     names: set[str]) -> bool:
    return all(before[n] == after[n] for n in names)


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name → its worksheet part, through the workbook's relationships."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    targets = dict(re.findall(r'<Relationship Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets |= {i: t for t, i in re.findall(r'<Relationship [^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)}
    sheets = re.findall(r'<sheet name="([^"]+)"[^>]*r:id="([^"]+)"', workbook)
    return {name: "xl/" + targets[rid].removeprefix("/xl/") for name, rid in sheets}


def owned(path: Path, *sheets: str) -> set[str]:
    """The parts of ``sheets``: the worksheet, its relationships, its notes."""
    parts = sheet_parts(path)
    names = set()
    for sheet in sheets:
        part = parts[sheet]
        folder, file = part.rsplit("/", 1)
        names |= {part, f"{folder}/_rels/{file}.rels"}
    with zipfile.ZipFile(path) as archive:
        names |= {n for n in archive.namelist() if n.startswith(("xl/comments", "xl/drawings/vmlDrawing"))}
    return names


def unreferenced(path: Path) -> set[str]:
    """Parts no relationship points at (the content types and relationship parts aside)."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        targets = set()
        for rels in (n for n in names if n.endswith(".rels")):
            owner_folder = posixpath.dirname(posixpath.dirname(rels))
            for target in re.findall(r'Target="([^"]+)"', archive.read(rels).decode()):
                joined = target.lstrip("/") if target.startswith("/") else posixpath.join(owner_folder, target)
                targets.add(posixpath.normpath(joined))
    return {n for n in names if not n.endswith(".rels") and n != "[Content_Types].xml"} - targets


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxData.generate(invoices=40, seed=4, today=TODAY)) as running:
        running.start(0)
        yield running


@pytest.fixture
def macro_book(tmp_path: Path) -> Path:
    """xlwings' Excel-made quickstart.xlsm with a defined name, STAC sheets and a preset."""
    source = Path(xlwings.__file__).parent / "quickstart.xlsm"
    path = tmp_path / "Macros.xlsm"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b"</sheets>", b"</sheets>" + DEFINED_NAME)
            dst.writestr(item, data)
    book = FileWorkbook.adopt(path)
    load_preset(book, "generic-csv")
    book.save()
    return path


def same_but_filter_names(before: dict[str, tuple[bytes, bytes]], after: dict[str, tuple[bytes, bytes]]) -> bool:
    """The workbook part unchanged but for the hidden filter names of the rewritten sheets."""
    return FILTER_NAMES.sub(b"", before["xl/workbook.xml"][0]) == FILTER_NAMES.sub(b"", after["xl/workbook.xml"][0])


def untouched(before: dict[str, tuple[bytes, bytes]], after: dict[str, tuple[bytes, bytes]], path: Path,
              sheets: tuple[str, ...]) -> bool:
    """The shared parts and the named sheets' parts: carried over byte for byte."""
    parts = sheet_parts(path)
    return copied_unchanged(before, after, SHARED | {parts[s] for s in sheets})


def package_unchanged(before: dict[str, tuple[bytes, bytes]], after: dict[str, tuple[bytes, bytes]]) -> bool:
    """No sheet added: the content types and the workbook's relationships as they were, the
    workbook part too but for the hidden filter names of rewritten sheets."""
    return (copied_unchanged(before, after, {"[Content_Types].xml", "xl/_rels/workbook.xml.rels"})
            and same_but_filter_names(before, after))


def test_fetch_preview_export_each_touch_only_their_own_sheets(macro_book: Path, sandbox: Sandbox) -> None:
    vba = zipfile.ZipFile(Path(xlwings.__file__).parent / "quickstart.xlsm").read("xl/vbaProject.bin")
    mine = ("Sheet1", "_xlwings.conf")  # the clerk's own sheets: no command writes them
    start = stored(macro_book)
    assert set(start) >= SHARED

    def fetch() -> None:
        fetch_invoices(FileWorkbook.open(macro_book), first=TODAY - timedelta(days=29), last=TODAY,
                       credentials=Password("demo", "demo"), base_url=sandbox.base_url)

    fetch()
    fetched = stored(macro_book)
    assert untouched(start, fetched, macro_book, (*mine, "Settings", "Mapping", "Lookups", "Export"))
    assert USER_NAME in fetched["xl/workbook.xml"][0] and fetched["xl/vbaProject.bin"][0] == vba
    fetch()
    again = stored(macro_book)
    assert untouched(fetched, again, macro_book, (*mine, "Settings", "Mapping", "Lookups", "Export"))
    assert package_unchanged(fetched, again)

    book = FileWorkbook.open(macro_book)
    fill_sandbox_lookups(book)
    book.save()
    ready = stored(macro_book)
    preview(FileWorkbook.open(macro_book), today=TODAY)
    first_preview = stored(macro_book)
    assert untouched(ready, first_preview, macro_book, (*mine, "Settings", "Mapping", "Lookups", "Invoices", "Log"))
    assert USER_NAME in first_preview["xl/workbook.xml"][0]
    shown = preview(FileWorkbook.open(macro_book), today=TODAY)
    second_preview = stored(macro_book)
    assert untouched(first_preview, second_preview, macro_book,
                     (*mine, "Settings", "Mapping", "Lookups", "Invoices", "Log"))
    assert package_unchanged(first_preview, second_preview)

    assert shown.errors == 0, [str(p) for p in shown.problems][:3]
    export(FileWorkbook.open(macro_book), out=macro_book.parent, book_folder=macro_book.parent)
    exported = stored(macro_book)
    assert changed(second_preview, exported) <= owned(macro_book, "Log")  # Export writes only its Log row
    assert copied_unchanged(second_preview, exported, set(second_preview) - owned(macro_book, "Log"))
    assert exported["xl/vbaProject.bin"][0] == vba and "macroEnabled" in exported["[Content_Types].xml"][0].decode()


def test_an_appended_log_row_leaves_the_rows_above_as_they_were(tmp_path: Path) -> None:
    path = tmp_path / "ar.xlsx"
    FileWorkbook.create(path)
    book = FileWorkbook.open(path)
    append_log(book, action="fetch", note="first")
    book.save()
    log = sheet_parts(path)["Log"]
    before = stored(path)[log][0].decode()
    rows_before = before[before.index("<sheetData>") + len("<sheetData>"):before.index("</sheetData>")]
    book = FileWorkbook.open(path)
    append_log(book, action="export", note="second")
    book.save()
    after = stored(path)[log][0].decode()
    assert rows_before in after and after.count("<row ") == 3
    assert [row[1] for row in FileWorkbook.open(path).read_grid("Log")] == ["Action", "fetch", "export"]


def libreoffice_resave(path: Path, folder: Path) -> Path:
    """``path`` opened and saved again as .xlsx by headless LibreOffice (another program's
    idea of a workbook: shared strings, its own styles and views)."""
    assert shutil.which("soffice"), "soffice not found; install libreoffice-calc-nogui"
    subprocess.run(["soffice", f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(folder), str(path)],
                   check=True, capture_output=True, timeout=300)
    return folder / path.name


def test_a_book_another_program_saved_keeps_its_shared_strings_valid(tmp_path: Path) -> None:
    """LibreOffice saves every text as a shared string; rewriting Invoices with inline
    strings leaves the table the other sheets index into, and LibreOffice reads the result."""
    source = tmp_path / "ar.xlsx"
    book = FileWorkbook.create(source)
    book.write_grid("Lookups", [["Shared text", "4010"]], start_row=10)
    book.save()
    path = libreoffice_resave(source, tmp_path / "resaved")
    before = stored(path)
    assert "xl/sharedStrings.xml" in before
    lookups = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Lookups").to_python()
    invoices = Table([Column("Invoice number", ColumnKind.TEXT), Column("Total", ColumnKind.MONEY)],
                     [["000451", Decimal("556.50")]])
    for _ in range(2):
        book = FileWorkbook.open(path)
        book.write_table("Invoices", invoices)
        book.save()
    after = stored(path)
    # the first write adds STAC's cell formats to LibreOffice's styles, all at once; the second finds them
    own = owned(path, "Invoices") | {"xl/workbook.xml", "xl/styles.xml"}
    assert changed(before, after) <= own and copied_unchanged(before, after, set(before) - own)
    book = FileWorkbook.open(path)
    book.write_table("Invoices", invoices, hidden_columns=["Total"])
    book.mark_cells("Invoices", [CellMark(2, 1, "error", "Customer & <PO> missing")])
    book.save()
    declared = {"[Content_Types].xml"}  # the sheet's first notes: their parts are declared there
    assert copied_unchanged(after, stored(path), set(after) - owned(path, "Invoices") - declared)
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Lookups").to_python() == lookups
    again = libreoffice_resave(path, tmp_path / "again")
    assert openpyxl.load_workbook(again)["Lookups"]["A10"].value == "Shared text"
    seen = openpyxl.load_workbook(again)["Invoices"]  # LibreOffice read the notes, fills, filter, formats
    assert seen["A2"].comment.text == "Customer & <PO> missing" and seen["A2"].fill.fgColor.rgb.endswith("FFC7CE")
    assert seen.auto_filter.ref == "A1:B2" and seen.column_dimensions["B"].hidden
    assert (seen["A2"].number_format, seen["B2"].number_format) == ("@", "#,##0.00")
    assert CalamineWorkbook.from_path(str(again)).get_sheet_by_name("Invoices").to_python() == [
        ["Invoice number", "Total"], ["000451", 556.5]]


def test_the_package_never_imports_openpyxl_at_run_time() -> None:
    package = Path(str(stac_xl.__file__)).parent
    users = [p.relative_to(package) for p in package.rglob("*.py")
             if re.search(r"^\s*(import|from) openpyxl", p.read_text(encoding="utf-8"), re.M)]
    assert users == []


def test_marks_on_a_sheet_not_rewritten_change_only_its_notes(tmp_path: Path) -> None:
    path = tmp_path / "ar.xlsx"
    book = FileWorkbook.create(path)
    book.write_table("Export", Table([Column("Record"), Column("Amount")], [["Line", "10.00"], ["Line", "=2"]]))
    book.mark_cells("Export", [CellMark(2, 1, "error", "first note")])
    book.save()
    book = FileWorkbook.open(path)
    book.mark_cells("Export", [CellMark(3, 2, "warning", "second & <note>"), CellMark(2, 1, "edited")])
    book.save()
    sheet = openpyxl.load_workbook(path)["Export"]
    assert sheet["A2"].comment is None and sheet["A2"].fill.fgColor.rgb.endswith("DDEBF7")
    assert sheet["B3"].comment.text == "second & <note>" and sheet["B3"].fill.fgColor.rgb.endswith("FFEB9C")
    assert sheet["B3"].value == "=2" and sheet["B3"].data_type == "s" and sheet["B3"].quotePrefix
    assert FileWorkbook.open(path).read_grid("Export") == [["Record", "Amount"], ["Line", "10.00"], ["Line", "=2"]]


def test_a_rewritten_sheet_keeps_its_tab_and_drops_its_calculation_chain_entries(tmp_path: Path) -> None:
    """Excel's calcChain lists formula cells; one naming a cell that no longer holds a
    formula makes Excel call the file damaged, so a rewritten sheet's entries go."""
    path = tmp_path / "ar.xlsx"
    FileWorkbook.create(path)
    parts = sheet_parts(path)
    with zipfile.ZipFile(path) as src:
        items = {i.filename: src.read(i.filename) for i in src.infolist()}
    invoices, lookups = parts["Invoices"], parts["Lookups"]
    items[invoices] = re.sub(rb"<sheetData/>|<sheetData></sheetData>",
                             b'<sheetData><row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row></sheetData>', items[invoices])
    items[invoices] = items[invoices].replace(b"<dimension", b'<sheetPr><tabColor rgb="FF00B050"/></sheetPr><dimension')
    items[lookups] = items[lookups].replace(b"</row>", b'<c r="Z1"><f>3*3</f><v>9</v></c></row>', 1)
    items["xl/calcChain.xml"] = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain '
                                 b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                 b'<c r="A1" i="4"/><c r="Z1" i="3"/></calcChain>')
    items["xl/_rels/workbook.xml.rels"] = items["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/calcChain" Target="calcChain.xml"/></Relationships>')
    items["[Content_Types].xml"] = items["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.calcChain+xml"/></Types>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in items.items():
            dst.writestr(name, data)
    book = FileWorkbook.open(path)
    assert book.read_grid("Invoices") == [[2]]
    book.write_table("Invoices", Table([Column("Invoice id", ColumnKind.TEXT)], [["000451"]]))
    book.hide_sheet("Invoices")
    book.save()
    with zipfile.ZipFile(path) as archive:
        chain = archive.read("xl/calcChain.xml").decode()
        invoices_xml = archive.read(invoices).decode()
    assert '<c r="Z1" i="3"/>' in chain and 'i="4"' not in chain
    assert '<tabColor rgb="FF00B050"/>' in invoices_xml and "<f>" not in invoices_xml
    wb = openpyxl.load_workbook(path)
    assert wb["Invoices"].sheet_state == "hidden" and wb["Invoices"]["A2"].value == "000451"
    assert wb["Lookups"]["Z1"].value == "=3*3"


def test_a_book_the_openpyxl_adapter_made_is_rewritten_cleanly(tmp_path: Path) -> None:
    """Workbooks made before this adapter were openpyxl's: absolute part names, its notes
    parts, and a hidden filter name per filtered sheet. Rewriting Export drops its old
    notes parts, keeps the filter name in step, and leaves no part behind unreferenced."""
    path = tmp_path / "old.xlsx"
    wb = openpyxl.Workbook()
    wb.remove(wb.worksheets[0])
    for name in ("Settings", "Mapping", "Lookups", "Invoices", "Export", "Log"):
        wb.create_sheet(name)
    wb["Settings"]["A1"] = "Setting"
    export_sheet = wb["Export"]
    for row in (["Record", "Amount"], ["Line", "1.00"], ["Line", "2.00"], ["Line", "3.00"]):
        export_sheet.append(row)
    export_sheet.auto_filter.ref = "A1:B4"
    export_sheet["B3"].comment = Comment("old note", "STAC")
    wb.save(path)
    with zipfile.ZipFile(path) as archive:
        old_notes = {n for n in archive.namelist() if "comment" in n}
    assert old_notes
    book = FileWorkbook.open(path)
    book.write_table("Export", Table([Column("Record"), Column("Amount")], [["Line", "9.00"]]))
    book.mark_cells("Export", [CellMark(2, 2, "error", "new note")])
    book.save()
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        workbook = archive.read("xl/workbook.xml").decode()
        types = archive.read("[Content_Types].xml").decode()
    assert not old_notes & names and unreferenced(path) == set()
    assert all(f'PartName="/{n}"' not in types for n in old_notes)
    assert "'Export'!$A$1:$B$2" in workbook and "$B$4" not in workbook
    sheet = openpyxl.load_workbook(path)["Export"]
    assert sheet["B2"].comment.text == "new note" and sheet["B3"].value is None and sheet.auto_filter.ref == "A1:B2"
