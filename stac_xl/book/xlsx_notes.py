"""Putting a sheet's cell notes into the package at save time.

A sheet written anew gets fresh comments and VML parts; a sheet that is only patched has
its existing notes read, changed and written back (notes whose drawing also holds form
controls are refused rather than lost).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import unescape

from stac_xl.book import xlsx_xml as X
from stac_xl.book.xlsx_comments import COMMENTS_REL, COMMENTS_TYPE, VML_REL, VML_TYPE, comments_xml, vml_xml
from stac_xl.book.xlsx_package import Package, SheetEntry
from stac_xl.book.xlsx_patch import _REF, _column_number, insert_legacy_drawing
from stac_xl.errors import WorkbookError

_COMMENT = re.compile(r"<(?:[\w.-]+:)?comment\b([^>]*)>(.*?)</(?:[\w.-]+:)?comment>", re.S)
_TEXT = re.compile(r"<(?:[\w.-]+:)?t\b[^>]*>(.*?)</(?:[\w.-]+:)?t>", re.S)
_BLOCKS_PER_SHEET = 16


def stage_notes(package: Package, entry: SheetEntry, notes: Mapping[tuple[int, int], str]) -> str | None:
    """Write ``notes`` into new comments and VML parts related to the sheet (its other
    relationships kept). Returns the id its ``<legacyDrawing>`` names (None: no notes)."""
    if not notes:
        return None
    comments = package.free_name("xl/comments{}.xml")
    package.set_stream(comments, lambda: comments_xml(notes))
    vml = package.free_name("xl/drawings/vmlDrawing{}.vml")
    block = 1 + _BLOCKS_PER_SHEET * package.sheets.index(entry)
    package.set_stream(vml, lambda: vml_xml(notes, first_block=block))
    package.add_override(comments, COMMENTS_TYPE)
    package.ensure_default("vml", VML_TYPE)
    package.add_relationship(entry.part, COMMENTS_REL, comments)
    return package.add_relationship(entry.part, VML_REL, vml)


def read_notes(package: Package, part: str) -> dict[tuple[int, int], str]:
    """The plain text of each note in a comments part, by (row, column)."""
    notes = {}
    for m in _COMMENT.finditer(package.text(part)):
        ref = _REF.fullmatch(X.parse_attributes(m.group(1)).get("ref", ""))
        if ref:
            text = "".join(unescape(t) for t in _TEXT.findall(m.group(2)))
            notes[(int(ref.group(2)), _column_number(ref.group(1)))] = text
    return notes


def patch_notes(package: Package, entry: SheetEntry, xml: str,
                changes: Mapping[tuple[int, int], str | None]) -> str:
    """Apply note changes to a sheet kept otherwise as it is; returns its new XML."""
    rels = package.relationships(entry.part)
    comments = next((r for r in rels if r.type == COMMENTS_REL), None)
    drawing = next((r for r in rels if r.type == VML_REL), None)
    if drawing is not None and re.search(r'ObjectType="(?!Note")', package.text(drawing.target)):
        raise WorkbookError(f"The {entry.name} sheet has form controls in its drawing; "
                            "STAC cannot add notes to it, so remove them or use another sheet.")
    notes = read_notes(package, comments.target) if comments else {}
    for cell, note in changes.items():
        if note:
            notes[cell] = note
        else:
            notes.pop(cell, None)
    for old in (comments, drawing):
        if old is not None:
            package.remove(old.target)
            package.remove_relationship(entry.part, old.id)
    xml = re.sub(r"<(?:[\w.-]+:)?legacyDrawing\b[^>]*/>", "", xml)
    rel_id = stage_notes(package, entry, notes)
    return xml if rel_id is None else insert_legacy_drawing(xml, rel_id)
