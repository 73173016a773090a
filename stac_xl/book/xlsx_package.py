"""The parts of an .xlsx/.xlsm package and the few package-level edits a STAC command makes.

A command changes some sheets; the package around them (content types, relationships, the
workbook's sheet list) changes only when a sheet is added, hidden, or loses its old notes.
Every part nobody changed is written back as the compressed bytes it was stored as
(:class:`~stac_xl.book.xlsx_zip.ZipWriter.copy`), so VBA, other sheets, defined names,
styles, themes and anything this code does not understand survive byte for byte.
"""

from __future__ import annotations

import copy
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from stac_xl.book import xlsx_xml as X
from stac_xl.book.xlsx_zip import ZipSnapshot, ZipWriter, dos_stamp

CONTENT_TYPES = "[Content_Types].xml"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = REL_NS + "/"
WORKSHEET_REL = REL + "worksheet"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
OFFICE_DOCUMENT = REL + "officeDocument"
STRICT_OFFICE_DOCUMENT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"

EMPTY_SHEET = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>')

Chunks = Callable[[], Iterable[str | bytes]]


@dataclass(frozen=True)
class Relationship:
    """One relationship of a part: its id, type, and the zip path it points at."""

    id: str
    type: str
    target: str        # resolved zip path ("" for an external target)
    external: bool


@dataclass
class SheetEntry:
    """A sheet as the workbook lists it."""

    name: str
    sheet_id: int
    rel_id: str
    part: str
    state: str          # visible, hidden or veryHidden
    is_worksheet: bool


def rels_path(part: str) -> str:
    """Where the relationships of ``part`` are stored."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(part: str, target: str) -> str:
    """The zip path a relationship ``target`` of ``part`` names (relative or absolute)."""
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target)).lstrip("/")


def relative(part: str, target: str) -> str:
    """``target`` written relative to ``part``'s folder, as Excel writes it."""
    return posixpath.relpath(target, posixpath.dirname(part) or ".")


class Package:
    """A workbook package: the snapshot it was read from plus the parts changed since."""

    def __init__(self, snapshot: ZipSnapshot) -> None:
        self._snapshot = snapshot
        self._changed: dict[str, str | bytes | Chunks] = {}
        self._removed: set[str] = set()
        self._text: dict[str, str] = {}
        self._deferred: dict[str, Callable[[], str | None]] = {}
        self.workbook_part = self._office_document()
        self.sheets = self._read_sheets()

    def clone(self) -> Package:
        """A copy to stage a save on: a failed save leaves this one as it was."""
        twin = copy.copy(self)
        twin._changed, twin._removed = dict(self._changed), set(self._removed)
        twin._text, twin._deferred = dict(self._text), dict(self._deferred)
        twin.sheets = [copy.copy(s) for s in self.sheets]
        return twin

    @property
    def snapshot(self) -> ZipSnapshot:
        """What the package was read from."""
        return self._snapshot

    # --- reading ---------------------------------------------------------------------

    def has(self, name: str) -> bool:
        """True if the package holds a part called ``name`` (now, edits included)."""
        if name in self._removed:
            return False
        return name in self._changed or name in self._snapshot

    def text(self, name: str) -> str:
        """A part's current text (edited text if a command changed it)."""
        if name not in self._text:
            changed = self._changed.get(name)
            if isinstance(changed, str):
                return changed
            self._text[name] = self._snapshot.text(name)
        return self._text[name]

    def head(self, name: str) -> str:
        """The beginning of a part's text (enough for what precedes a sheet's cells)."""
        if name in self._text:
            return self._text[name][: 1 << 16]
        changed = self._changed.get(name)
        if isinstance(changed, str):
            return changed[: 1 << 16]
        return self._snapshot.head(name)

    def original_text(self, name: str) -> str:
        """A part's text as it was read."""
        return self._snapshot.text(name)

    def relationships(self, part: str) -> list[Relationship]:
        """The relationships of ``part`` (none if it has no .rels part)."""
        path = rels_path(part)
        if not self.has(path):
            return []
        found = []
        for element in X.elements(self.text(path), "Relationship"):
            external = element.attributes.get("TargetMode", "") == "External"
            target = element.attributes.get("Target", "")
            found.append(Relationship(element.attributes.get("Id", ""), element.attributes.get("Type", ""),
                                      "" if external else resolve(part, target), external))
        return found

    def _office_document(self) -> str:
        for rel in self.relationships(""):
            if rel.type in (OFFICE_DOCUMENT, STRICT_OFFICE_DOCUMENT):
                return rel.target
        raise KeyError("officeDocument")

    def _read_sheets(self) -> list[SheetEntry]:
        targets = {r.id: r for r in self.relationships(self.workbook_part)}
        entries = []
        xml = self.text(self.workbook_part)
        for element in X.elements(xml, "sheet"):
            rel = targets[element.local("id") or ""]
            entries.append(SheetEntry(element.attributes.get("name", ""), int(element.attributes.get("sheetId", "0")),
                                      rel.id, rel.target, element.attributes.get("state", "visible"),
                                      rel.type.endswith("/worksheet")))
        return entries

    def sheet(self, name: str) -> SheetEntry | None:
        """The sheet called ``name`` (Excel compares sheet names without case)."""
        folded = name.casefold()
        return next((s for s in self.sheets if s.name.casefold() == folded), None)

    # --- changing --------------------------------------------------------------------

    def set_text(self, name: str, text: str) -> None:
        """Replace (or add) a part with ``text``."""
        self._removed.discard(name)
        self._changed[name] = text
        self._text[name] = text

    def set_deferred(self, name: str, text: Callable[[], str | None]) -> None:
        """A part decided after every other part is written: ``text()`` gives its new text,
        or None to keep it as stored (the styles, which writing the sheets may add to)."""
        self._deferred[name] = text

    def set_stream(self, name: str, chunks: Chunks) -> None:
        """Replace (or add) a part whose text is produced at save time, chunk by chunk."""
        self._removed.discard(name)
        self._changed[name] = chunks
        self._text.pop(name, None)

    def remove(self, name: str) -> None:
        """Drop a part (its content type override goes at save, unless the name is used
        again meanwhile: rewriting a sheet's notes then leaves the content types as they were)."""
        self._changed.pop(name, None)
        self._text.pop(name, None)
        if name in self._snapshot:
            self._removed.add(name)

    def free_name(self, pattern: str) -> str:
        """The first ``pattern.format(n)`` (n = 1, 2, …) that no part uses."""
        n = 1
        while self.has(pattern.format(n)) or any(p.lower() == pattern.format(n).lower() for p in self._changed):
            n += 1
        return pattern.format(n)

    def add_override(self, part: str, content_type: str) -> None:
        """Declare ``part``'s content type (replacing an older, different declaration)."""
        for element in X.elements(self.text(CONTENT_TYPES), "Override"):
            if (element.attributes.get("PartName", "").lower() == "/" + part.lower()
                    and element.attributes.get("ContentType") == content_type):
                return
        self._remove_override(part)
        child = X.start_tag(self._child_tag(CONTENT_TYPES, "Types", "Override"),
                            {"PartName": "/" + part, "ContentType": content_type}, empty=True)
        self.set_text(CONTENT_TYPES, X.insert_child(self.text(CONTENT_TYPES), "Types", child))

    def ensure_default(self, extension: str, content_type: str) -> None:
        """Declare the content type of every part named ``*.extension`` unless it is."""
        xml = self.text(CONTENT_TYPES)
        if any(e.attributes.get("Extension", "").lower() == extension for e in X.elements(xml, "Default")):
            return
        child = X.start_tag(self._child_tag(CONTENT_TYPES, "Types", "Default"),
                            {"Extension": extension, "ContentType": content_type}, empty=True)
        self.set_text(CONTENT_TYPES, X.insert_child(xml, "Types", child))

    def _remove_override(self, part: str) -> None:
        if not self.has(CONTENT_TYPES):
            return
        xml = self.text(CONTENT_TYPES)
        wanted = "/" + part.lower()
        for element in X.elements(xml, "Override"):
            if element.attributes.get("PartName", "").lower() == wanted:
                self.set_text(CONTENT_TYPES, xml[:element.start] + xml[element.end:])
                return

    def _child_tag(self, part: str, parent: str, child: str) -> str:
        found = X.first(self.text(part), parent)
        return X.prefix_of(found.tag if found else "") + child

    def set_relationships(self, part: str, rels: list[tuple[str, str, str]]) -> None:
        """Give ``part`` exactly these relationships: (id, type, target zip path); none
        removes its .rels part."""
        path = rels_path(part)
        if not rels:
            if self.has(path):
                self.remove(path)
            return
        body = "".join(X.start_tag("Relationship", {"Id": i, "Type": t, "Target": relative(part, target)}, empty=True)
                       for i, t, target in rels)
        self.set_text(path, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                      f"{body}</Relationships>")

    def add_relationship(self, part: str, rel_type: str, target: str) -> str:
        """Add a relationship to ``part``'s .rels (kept as it is otherwise); its new id."""
        path = rels_path(part)
        taken = {r.id for r in self.relationships(part)}
        n = len(taken) + 1
        while f"rId{n}" in taken:
            n += 1
        element = X.start_tag("Relationship", {"Id": f"rId{n}", "Type": rel_type, "Target": relative(part, target)},
                              empty=True)
        if not self.has(path):
            self.set_relationships(part, [(f"rId{n}", rel_type, target)])
        else:
            xml = self.text(path)
            tag = X.prefix_of(X.first(xml, "Relationships").tag) + "Relationship"  # type: ignore[union-attr]
            self.set_text(path, X.insert_child(xml, "Relationships", element.replace("<Relationship", f"<{tag}", 1)))
        return f"rId{n}"

    def add_sheet(self, name: str) -> SheetEntry:
        """A new, empty worksheet called ``name`` after the last sheet (its part is the
        caller's to fill)."""
        part = self.free_name("xl/worksheets/sheet{}.xml")
        self.set_text(part, EMPTY_SHEET)
        rel_id = self.add_relationship(self.workbook_part, WORKSHEET_REL, part)
        self.add_override(part, WORKSHEET_TYPE)
        xml = self.text(self.workbook_part)
        sheets = X.first(xml, "sheets")
        prefix = X.prefix_of(sheets.tag if sheets else "")
        r = X.namespace_prefix(xml, REL_NS)
        sheet_id = max((s.sheet_id for s in self.sheets), default=0) + 1
        attributes = {"name": name, "sheetId": str(sheet_id), f"{r or 'r'}:id": rel_id}
        if r is None:
            attributes = {"xmlns:r": REL_NS, **attributes}
        self.set_text(self.workbook_part, X.insert_child(xml, "sheets",
                                                         X.start_tag(prefix + "sheet", attributes, empty=True)))
        entry = SheetEntry(name, sheet_id, rel_id, part, "visible", True)
        self.sheets.append(entry)
        return entry

    def set_state(self, entry: SheetEntry, state: str) -> None:
        """Show or hide a sheet in the tab bar (the workbook part is edited only if it changes)."""
        if entry.state == state:
            return
        xml = self.text(self.workbook_part)
        for element in X.elements(xml, "sheet"):
            if element.local("id") == entry.rel_id:
                attributes = {k: v for k, v in element.attributes.items() if k != "state"}
                if state != "visible":
                    attributes["state"] = state
                tag = X.start_tag(element.tag, attributes, empty=element.empty)
                self.set_text(self.workbook_part, xml[:element.start] + tag + xml[element.end:])
                entry.state = state
                return

    def replace_filter_database(self, entry: SheetEntry, ref: str | None) -> None:
        """Give a rewritten sheet's filter its hidden ``_FilterDatabase`` name, as Excel does
        (LibreOffice shows no filter without it); the part changes only if the range does."""
        self._replace_sheet_name(entry, "_xlnm._FilterDatabase", None if ref is None else _absolute(ref), hidden=True)

    def replace_print_titles(self, entry: SheetEntry, rows: str | None) -> None:
        """The rows printed at the top of every page of a rewritten sheet (``$1:$1``), or none."""
        self._replace_sheet_name(entry, "_xlnm.Print_Titles", rows, hidden=False)

    def _replace_sheet_name(self, entry: SheetEntry, defined: str, ref: str | None, *, hidden: bool) -> None:
        xml = self.text(self.workbook_part)
        position = self.sheets.index(entry)
        quoted = "'" + entry.name.replace("'", "''") + "'"
        text = None if ref is None else X.escape_text(f"{quoted}!{ref}")
        pattern = re.compile(r"<((?:[\w.-]+:)?)definedName\b([^>]*)>([^<]*)</\1definedName>")
        for m in pattern.finditer(xml):
            attributes = X.parse_attributes(m.group(2))
            if attributes.get("name") != defined or attributes.get("localSheetId") != str(position):
                continue
            replacement = "" if text is None else f"<{m.group(1)}definedName{m.group(2)}>{text}</{m.group(1)}definedName>"
            if m.group(0) != replacement:
                self.set_text(self.workbook_part, xml[:m.start()] + replacement + xml[m.end():])
            return
        if text is None:
            return
        sheets = X.first(xml, "sheets")
        prefix = X.prefix_of(sheets.tag if sheets else "")
        flag = ' hidden="1"' if hidden else ""
        name = (f'<{prefix}definedName name="{defined}" localSheetId="{position}"{flag}>'
                f"{text}</{prefix}definedName>")
        if X.first(xml, "definedNames") is None:
            xml = _open_defined_names(xml, prefix)
        self.set_text(self.workbook_part, X.insert_child(xml, "definedNames", name))

    def forget_calculations(self, entry: SheetEntry, *, cells: set[tuple[int, int]] | None = None) -> None:
        """Drop the calculation chain's entries for a rewritten sheet (or only for ``cells``,
        1-based (row, column), of a patched one): Excel reports a file whose chain names
        cells without formulas as damaged. The chain is only a cache."""
        chain = next((r for r in self.relationships(self.workbook_part) if r.type.endswith("/calcChain")), None)
        if chain is None or not self.has(chain.target):
            return
        xml = self.text(chain.target)
        kept, current = [], ""
        refs = None if cells is None else {f"{_letters(c)}{r}" for r, c in cells}
        for element in X.elements(xml, "c"):
            current = element.attributes.get("i", current)
            if current != str(entry.sheet_id) or (refs is not None and element.attributes.get("r") not in refs):
                attributes = dict(element.attributes)
                attributes["i"] = current
                kept.append(X.start_tag(element.tag, attributes, empty=True))
        if refs is not None and len(kept) == len(list(X.elements(xml, "c"))):
            return
        if kept:
            root = X.first(xml, "calcChain")
            assert root is not None
            self.set_text(chain.target, xml[:root.end] + "".join(kept) + xml[X.closing(xml, root):])
            return
        self.remove(chain.target)
        self.remove_relationship(self.workbook_part, chain.id)

    def remove_relationship(self, part: str, rel_id: str) -> None:
        """Drop one relationship of ``part`` (the rest of its .rels stays as it is)."""
        path = rels_path(part)
        xml = self.text(path)
        for element in X.elements(xml, "Relationship"):
            if element.attributes.get("Id") == rel_id:
                self.set_text(path, xml[:element.start] + xml[element.end:])
                return

    def drop_related(self, part: str) -> None:
        """Remove what only ``part`` used (its notes, drawings, printer settings, and what
        those used in turn), and its relationships: the part is about to be rewritten."""
        doomed = {part}
        frontier = [r.target for r in self.relationships(part) if not r.external]
        owners = [_owner_of(n) for n in self.part_names() if n.endswith(".rels")]
        while frontier:
            target = frontier.pop()
            if target in doomed or not self.has(target):
                continue
            if any(target == r.target for o in owners if o not in doomed for r in self.relationships(o)):
                continue  # someone else points at it too
            doomed.add(target)
            frontier += [r.target for r in self.relationships(target) if not r.external]
        for name in doomed - {part}:
            self.remove(name)
            if self.has(rels_path(name)):
                self.remove(rels_path(name))
        self.set_relationships(part, [])

    def part_names(self) -> list[str]:
        """Every part now in the package, in stored order, new parts last."""
        names = [n for n in self._snapshot.names() if n not in self._removed]
        names += [n for n in self._changed if n not in self._snapshot]
        return names

    # --- writing ---------------------------------------------------------------------

    def write(self, handle: BinaryIO, *, now: datetime) -> None:
        """The whole package into ``handle``: changed parts anew, the rest as stored."""
        self._forget_removed_overrides()
        out = ZipWriter(handle)
        stamp = dos_stamp(now.timetuple()[:6])
        names = self.part_names()
        for name in [n for n in names if n not in self._deferred] + [n for n in names if n in self._deferred]:
            changed = self._changed.get(name)
            if name in self._deferred:
                text = self._deferred[name]()
                changed = changed if text is None else text
            if changed is None:
                member = self._snapshot.member(name)
                out.copy(member, self._snapshot.raw(member))
            elif isinstance(changed, (str, bytes)):
                out.write(name, [changed], stamp=stamp)
            else:
                out.write(name, changed(), stamp=stamp)
        out.close()


    def _forget_removed_overrides(self) -> None:
        present = {n.lower() for n in self.part_names()}
        for element in list(X.elements(self.text(CONTENT_TYPES), "Override")):
            name = element.attributes.get("PartName", "").lstrip("/").lower()
            if name not in present:
                self._remove_override(name)


def _open_defined_names(xml: str, prefix: str) -> str:
    """``xml`` with an empty ``<definedNames>`` where the schema wants it: after the sheets
    (and the function groups and external references that may follow them)."""
    at = 0
    for name in ("sheets", "functionGroups", "externalReferences"):
        found = X.first(xml, name)
        if found is not None:
            at = found.end if found.empty else X.closing(xml, found) + len(f"</{found.tag}>")
    return xml[:at] + f"<{prefix}definedNames></{prefix}definedNames>" + xml[at:]


def _letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _owner_of(rels: str) -> str:
    folder, name = posixpath.split(rels)
    return posixpath.join(posixpath.dirname(folder), name[: -len(".rels")])


def _absolute(ref: str) -> str:
    """``A1:C9`` as ``$A$1:$C$9``."""
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in ref.split(":"))
