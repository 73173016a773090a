"""Editing the parts of an Office Open XML package (the .xlam zip) without Excel.

Reads use ElementTree. Writes splice the serialised XML instead: ElementTree renames
namespace prefixes and drops unused declarations, and Excel rejects a part whose
``mc:Ignorable="x14ac"`` names a prefix that is no longer declared. Every splice is checked
to hit exactly once, and the result is parsed again.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKBOOK_PART = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
SHARED_STRINGS = "xl/sharedStrings.xml"

PartEdit = Callable[[bytes], bytes]


def rewrite_zip(src: Path, dst: Path, edits: Mapping[str, PartEdit]) -> None:
    """Copy ``src`` to ``dst`` part by part, in order, passing the named parts through ``edits``.

    Each part keeps its ``ZipInfo`` (name, date, compression), so unchanged parts are
    byte-identical in content. A named part that does not exist is an error.
    """
    with zipfile.ZipFile(src) as zin:
        missing = set(edits) - set(zin.namelist())
        if missing:
            raise KeyError(f"{src.name} has no part(s) {sorted(missing)}")
        with zipfile.ZipFile(dst, "w") as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                if info.filename in edits:
                    data = edits[info.filename](data)
                    ET.fromstring(data)  # an edit must leave well-formed XML
                zout.writestr(info, data)


def sheet_part(parts: Mapping[str, bytes], sheet_name: str) -> str:
    """Zip name of the worksheet part called ``sheet_name`` (via workbook.xml and its rels)."""
    book = ET.fromstring(parts[WORKBOOK_PART])
    for sheet in book.iter(f"{{{MAIN}}}sheet"):
        if sheet.get("name") == sheet_name:
            rel_id = sheet.get(f"{{{REL}}}id")
            break
    else:
        raise KeyError(f"no sheet {sheet_name!r} in {WORKBOOK_PART}")
    for rel in ET.fromstring(parts[WORKBOOK_RELS]).iter(f"{{{PKG_REL}}}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise KeyError(f"relationship {rel_id} of sheet {sheet_name!r} not found")


def sheet_names(workbook_xml: bytes) -> list[str]:
    """Sheet names in tab order."""
    return [s.get("name", "") for s in ET.fromstring(workbook_xml).iter(f"{{{MAIN}}}sheet")]


def rename_sheet(workbook_xml: bytes, old: str, new: str) -> bytes:
    """``workbook.xml`` with the sheet ``old`` renamed to ``new``."""
    pattern = re.compile(r'(<sheet\b[^>]*?\bname=)"' + re.escape(escape(old)) + '"')
    text, count = pattern.subn(lambda m: m.group(1) + quoteattr(new), workbook_xml.decode("utf-8"))
    if count != 1:
        raise ValueError(f"sheet {old!r} found {count} times in {WORKBOOK_PART}")
    return text.encode("utf-8")


def shared_strings(sst_xml: bytes) -> list[str]:
    """The shared string table as plain text (rich-text runs joined)."""
    return ["".join(t.text or "" for t in si.iter(f"{{{MAIN}}}t")) for si in ET.fromstring(sst_xml)]


def add_shared_string(sst_xml: bytes, text: str) -> tuple[bytes, int]:
    """``sharedStrings.xml`` with ``text`` available, and its index (reused if present)."""
    existing = shared_strings(sst_xml)
    if text in existing:
        return sst_xml, existing.index(text)
    xml = sst_xml.decode("utf-8")
    attr = ' xml:space="preserve"' if text != text.strip() else ""
    xml = _replace_once(xml, "</sst>", f"<si><t{attr}>{escape(text)}</t></si></sst>")
    for name in ("count", "uniqueCount"):
        xml = re.sub(rf'(<sst\b[^>]*?\b{name}=")(\d+)"', lambda m: f'{m.group(1)}{int(m.group(2)) + 1}"', xml, count=1)
    return xml.encode("utf-8"), len(existing)


def sheet_values(sheet_xml: bytes, strings: list[str]) -> dict[str, object]:
    """Cell reference → value (str, float or bool) for every cell that has a value."""
    values: dict[str, object] = {}
    for cell in ET.fromstring(sheet_xml).iter(f"{{{MAIN}}}c"):
        kind, v = cell.get("t", "n"), cell.find(f"{{{MAIN}}}v")
        if kind == "inlineStr":
            values[cell.get("r", "")] = "".join(t.text or "" for t in cell.iter(f"{{{MAIN}}}t"))
        elif v is not None and v.text is not None:
            raw = v.text
            values[cell.get("r", "")] = (
                strings[int(raw)] if kind == "s" else raw == "1" if kind == "b" else raw if kind == "str" else float(raw)
            )
    return values


def set_cell(sheet_xml: bytes, ref: str, cell_xml: str) -> bytes:
    """The worksheet with cell ``ref`` replaced by ``cell_xml`` (rows and cells kept in order)."""
    column, row = _split_ref(ref)
    xml = sheet_xml.decode("utf-8")
    rows = list(re.finditer(r'<row\b[^>]*?\br="(\d+)"[^>]*?(?:/>|>.*?</row>)', xml, re.S))
    match = next((m for m in rows if int(m.group(1)) == row), None)
    if match is None:
        later = next((m for m in rows if int(m.group(1)) > row), None)
        new_row = f'<row r="{row}">{cell_xml}</row>'
        at = later.start() if later else xml.index("</sheetData>")
        return (xml[:at] + new_row + xml[at:]).encode("utf-8")
    row_xml = match.group(0)
    if row_xml.endswith("/>"):
        row_xml = row_xml[:-2] + f">{cell_xml}</row>"
    else:
        row_xml = _put_cell(row_xml, column, cell_xml)
    row_xml = re.sub(r'\sspans="[^"]*"', "", row_xml, count=1)  # spans is only a hint; drop it
    return (xml[: match.start()] + row_xml + xml[match.end():]).encode("utf-8")


def _put_cell(row_xml: str, column: str, cell_xml: str) -> str:
    cells = list(re.finditer(r'<c\b[^>]*?\br="([A-Z]+)\d+"[^>]*?(?:/>|>.*?</c>)', row_xml, re.S))
    for cell in cells:
        if cell.group(1) == column:
            return row_xml[: cell.start()] + cell_xml + row_xml[cell.end():]
    later = next((c for c in cells if _column_number(c.group(1)) > _column_number(column)), None)
    at = later.start() if later else row_xml.rindex("</row>")
    return row_xml[:at] + cell_xml + row_xml[at:]


def _split_ref(ref: str) -> tuple[str, int]:
    match = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    if not match:
        raise ValueError(f"not a cell reference: {ref!r}")
    return match.group(1), int(match.group(2))


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise ValueError(f"expected exactly one {old!r}")
    return text.replace(old, new)
