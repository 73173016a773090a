"""The workbook's cell formats (``xl/styles.xml``): finding the ones STAC uses, adding the
ones it lacks.

A cell names its format by index into ``cellXfs``. STAC cells use a small set: a number
format per column kind, the header (bold on a blue fill), the title (bold, 12 pt), the
mark fills, and the quote prefix that keeps formula-looking text as text. A new workbook
gets all of them at once (:func:`new_styles_xml`), so later commands find every format
they need and leave the part byte for byte; a workbook Excel re-saved, or someone else's
book, gets only the missing ones appended, everything else in the part untouched.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace

from stac_xl.book import xlsx_xml as X
from stac_xl.book.cells import NUMBER_FORMATS

HEADER_FILL = "D9E1F2"
MARK_FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "edited": "DDEBF7"}  # light red, yellow, blue
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd h:mm:ss"  # what a plain write gives a datetime (openpyxl's choice)
FONTS = {"header": (11.0, "Calibri"), "title": (12.0, "Calibri")}  # bold; a name, or LibreOffice picks a serif
_BUILTIN_FORMATS = {
    "General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10, "0.00E+00": 11,
    "mm-dd-yy": 14, "d-mmm-yy": 15, "d-mmm": 16, "mmm-yy": 17, "h:mm AM/PM": 18, "h:mm:ss AM/PM": 19,
    "h:mm": 20, "h:mm:ss": 21, "m/d/yy h:mm": 22, "@": 49,
}
_AUTOMATIC_COLOURS: tuple[dict[str, str], ...] = ({}, {"theme": "1"}, {"indexed": "64"}, {"indexed": "8"}, {"rgb": "FF000000"})


@dataclass(frozen=True)
class CellStyle:
    """A STAC cell format: number format, font (plain, header or title), fill, quote prefix."""

    number_format: str = "General"
    font: str = "plain"
    fill: str | None = None
    quote: bool = False


@dataclass(frozen=True)
class Xf:
    """One entry of ``cellXfs``: indexes into the other lists, plus what we keep as text."""

    num_fmt: int
    font: int
    fill: int
    border: int
    quote: bool
    extra: str = ""          # alignment / protection children, as written
    parent: int = 0          # the cell style (xfId) it is based on
    switched_off: bool = False  # an apply flag says "0": Excel would ignore some part of it


def new_styles_xml() -> str:
    """``styles.xml`` for a new workbook, with every format STAC cells use."""
    sheet = StyleSheet(_BASE)
    sheet.add_stac_formats()
    return sheet.xml()


class StyleSheet:
    """``styles.xml`` as text, with lookups of its formats and appends of new ones."""

    def __init__(self, xml: str) -> None:
        self._xml = xml
        self.changed = False
        self._formats = {int(e.attributes["numFmtId"]): e.attributes.get("formatCode", "")
                         for e in X.elements(xml, "numFmt")}
        self._fonts = _children(xml, "fonts", "font")
        self._fills = _children(xml, "fills", "fill")
        self._borders = _children(xml, "borders", "border")
        self.xfs = [_xf(e, inner) for e, inner in _children_elements(xml, "cellXfs", "xf")]
        self._cache: dict[CellStyle, int] = {}
        self._completing = False

    def xml(self) -> str:
        """The part's text, with whatever was appended."""
        return self._xml

    def add_stac_formats(self) -> None:
        """Make sure every format a STAC command may give a cell is there, so that later
        commands find them all and leave the part as it is."""
        formats = sorted(set(NUMBER_FORMATS.values()) | {DATE_FORMAT, DATETIME_FORMAT})
        fills = [None, *MARK_FILLS.values()]
        for number_format, fill, quote in itertools.product(formats, fills, (False, True)):
            self.index(CellStyle(number_format, "plain", fill, quote))
        for font, number_format, quote in itertools.product(("header", "title"), formats, (False, True)):
            self.index(CellStyle(number_format, font, HEADER_FILL if font == "header" else None, quote))

    def number_format(self, index: int) -> str:
        """The format code of cell format ``index`` (General if unknown)."""
        if not 0 <= index < len(self.xfs):
            return "General"
        num = self.xfs[index].num_fmt
        return self._formats.get(num) or next((k for k, v in _BUILTIN_FORMATS.items() if v == num), "General")

    def index(self, style: CellStyle) -> int:
        """The ``cellXfs`` index of ``style``, appended to the part if it has none."""
        found = self._cache.get(style)
        if found is None and not self._completing and self._missing(style):
            # One STAC format missing (a book Excel or LibreOffice re-saved, or someone
            # else's): add them all now, so that no later command changes the part again.
            self._completing = True
            self.add_stac_formats()
            found = self._cache.get(style)
        if found is None:
            xf = Xf(self._format_id(style.number_format), self._font_id(style.font),
                    self._fill_id(style.fill), self._empty_border(), style.quote)
            found = self._cache[style] = self.xf_index(xf)
        return found

    def _missing(self, style: CellStyle) -> bool:
        known = self._formats.copy()
        if style.number_format not in _BUILTIN_FORMATS and style.number_format not in known.values():
            return True
        try:
            xf = Xf(self._format_id(style.number_format), self._font_id(style.font, add=False),
                    self._fill_id(style.fill, add=False), self._empty_border(), style.quote)
        except LookupError:
            return True
        return xf not in self.xfs

    def derive(self, index: int, *, number_format: str | None = None, fill: str | None = None,
               quote: bool | None = None) -> int:
        """Cell format ``index`` with another number format, fill or quote prefix: what a
        value written into a cell that already has a format of its own gets."""
        base = self.xfs[index] if 0 <= index < len(self.xfs) else Xf(0, 0, 0, self._empty_border(), False)
        changed = replace(base,
                          num_fmt=base.num_fmt if number_format is None else self._format_id(number_format),
                          fill=base.fill if fill is None else self._fill_id(fill),
                          quote=base.quote if quote is None else quote,
                          switched_off=False)
        return self.xf_index(changed)

    def xf_index(self, wanted: Xf) -> int:
        """The index of an equal ``cellXfs`` entry, appending one if there is none."""
        for i, xf in enumerate(self.xfs):
            if xf == wanted:
                return i
        self.xfs.append(wanted)
        self._append("cellXfs", _xf_xml(wanted))
        return len(self.xfs) - 1

    def _format_id(self, code: str) -> int:
        if code in _BUILTIN_FORMATS:
            return _BUILTIN_FORMATS[code]
        for number, existing in self._formats.items():
            if existing == code:
                return number
        number = max([163, *self._formats]) + 1
        self._formats[number] = code
        element = X.start_tag("numFmt", {"numFmtId": str(number), "formatCode": code}, empty=True)
        if X.first(self._xml, "numFmts") is None:
            root = X.first(self._xml, "styleSheet")
            assert root is not None
            prefix = X.prefix_of(root.tag)
            self._xml = self._xml[:root.end] + f'<{prefix}numFmts count="0"></{prefix}numFmts>' + self._xml[root.end:]
        self._append("numFmts", element)
        return number

    def _font_id(self, font: str, *, add: bool = True) -> int:
        if font == "plain":
            return 0
        size, name = FONTS[font]
        for i, inner in enumerate(self._fonts):
            if _font_key(inner) == (True, size, name):
                return i
        if not add:
            raise LookupError(font)
        inner = f'<b/><sz val="{size:g}"/><name val="{name}"/><family val="2"/>'
        self._fonts.append(inner)
        self._append("fonts", f"<font>{inner}</font>")
        return len(self._fonts) - 1

    def _fill_id(self, rgb: str | None, *, add: bool = True) -> int:
        if rgb is None:
            return 0
        for i, inner in enumerate(self._fills):
            if _fill_rgb(inner) == rgb.upper():
                return i
        if not add:
            raise LookupError(rgb)
        inner = f'<patternFill patternType="solid"><fgColor rgb="FF{rgb}"/><bgColor indexed="64"/></patternFill>'
        self._fills.append(inner)
        self._append("fills", f"<fill>{inner}</fill>")
        return len(self._fills) - 1

    def _empty_border(self) -> int:
        for i, inner in enumerate(self._borders):
            if "style=" not in inner:
                return i
        self._borders.append("<left/><right/><top/><bottom/><diagonal/>")
        self._append("borders", "<border><left/><right/><top/><bottom/><diagonal/></border>")
        return len(self._borders) - 1

    def _append(self, parent: str, child: str) -> None:
        found = X.first(self._xml, parent)
        assert found is not None, parent
        prefix = X.prefix_of(found.tag)
        if prefix:
            child = re.sub(r"<(/?)(?=[a-zA-Z])", rf"<\1{prefix}", child)
        count = int(found.attributes.get("count", "0")) + 1
        self._xml = X.set_count(self._xml, found, count)
        self._xml = X.insert_child(self._xml, parent, child)
        self.changed = True


def _children_elements(xml: str, parent: str, child: str) -> list[tuple[X.Element, str]]:
    """The ``child`` elements of the first ``parent``, each with its inner text."""
    found = X.first(xml, parent)
    if found is None or found.empty:
        return []
    end = X.closing(xml, found)
    result = []
    for element in X.elements(xml, child, found.end, end):
        inner = "" if element.empty else xml[element.end:X.closing(xml, element)]
        result.append((element, inner))
    return result


def _children(xml: str, parent: str, child: str) -> list[str]:
    return [inner for _, inner in _children_elements(xml, parent, child)]


def _xf(element: X.Element, inner: str) -> Xf:
    a = element.attributes
    off = any(k.startswith("apply") and v in ("0", "false") for k, v in a.items())
    return Xf(int(a.get("numFmtId", "0")), int(a.get("fontId", "0")), int(a.get("fillId", "0")),
              int(a.get("borderId", "0")), a.get("quotePrefix", "0") in ("1", "true"), inner,
              int(a.get("xfId", "0")), off)


def _xf_xml(xf: Xf) -> str:
    attributes = {"numFmtId": str(xf.num_fmt), "fontId": str(xf.font), "fillId": str(xf.fill),
                  "borderId": str(xf.border), "xfId": str(xf.parent)}
    for flag, on in (("applyNumberFormat", xf.num_fmt), ("applyFont", xf.font), ("applyFill", xf.fill)):
        if on:
            attributes[flag] = "1"
    if xf.extra:
        attributes["applyAlignment"] = "1"
    if xf.quote:
        attributes["quotePrefix"] = "1"
    if not xf.extra:
        return X.start_tag("xf", attributes, empty=True)
    return X.start_tag("xf", attributes, empty=False) + xf.extra + "</xf>"


_CHILD = re.compile(r"<(?:[\w.-]+:)?([\w]+)\b([^>]*?)/?>")


def _font_key(inner: str) -> tuple[bool, float, str] | None:
    """(bold, size, name) of a plain font (no italic, underline, strike or colour)."""
    parts = {m.group(1): X.parse_attributes(m.group(2)) for m in _CHILD.finditer(inner)}
    if any(flag in parts and parts[flag].get("val", "1") not in ("0", "false") for flag in ("i", "u", "strike")):
        return None
    if parts.get("color", {}) not in _AUTOMATIC_COLOURS:
        return None
    bold = "b" in parts and parts["b"].get("val", "1") not in ("0", "false")
    try:
        size = float(parts.get("sz", {}).get("val", "11"))
    except ValueError:
        return None
    return bold, size, parts.get("name", {}).get("val", "")


def _fill_rgb(inner: str) -> str | None:
    pattern = X.first(inner, "patternFill")
    colour = X.first(inner, "fgColor")
    if pattern is None or colour is None or pattern.attributes.get("patternType") != "solid":
        return None
    rgb = colour.attributes.get("rgb", "")
    return rgb[-6:].upper() if rgb else None


_BASE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/>'
    '</styleSheet>'
)
