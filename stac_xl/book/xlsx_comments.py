"""Cell notes (what Excel calls comments, or notes since 365): the two parts a sheet needs.

The comments part holds the text; the legacy VML drawing holds one hidden shape per note,
without which Excel shows no red triangle. Shape ids count from a block of 1024 per
``idmap`` entry, so a sheet with more notes lists more blocks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from stac_xl.book.cells import column_letter
from stac_xl.book.xlsx_xml import escape_attribute, escape_text

COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
VML_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
AUTHOR = "STAC"
_BLOCK = 1024
Notes = Mapping[tuple[int, int], str]


def comments_xml(notes: Notes, *, author: str = AUTHOR) -> Iterator[str]:
    """The comments part for ``notes`` ((row, column) → text, 1-based), in cell order."""
    yield ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           f"<authors><author>{escape_text(author)}</author></authors><commentList>")
    for (row, column), text in sorted(notes.items()):
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        yield (f'<comment ref="{column_letter(column)}{row}" authorId="0"><text><r><rPr><sz val="9"/>'
               f'<rFont val="Tahoma"/><family val="2"/></rPr><t{space}>{escape_text(text)}</t></r></text></comment>')
    yield "</commentList></comments>"


def vml_xml(notes: Notes, *, first_block: int = 1, width_pt: float = 225, height_pt: float = 90) -> Iterator[str]:
    """The VML drawing with one hidden note shape per entry of ``notes``."""
    blocks = max(1, -(-(len(notes) + 1) // _BLOCK))
    ids = ",".join(str(first_block + b) for b in range(blocks))
    yield ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
           'xmlns:x="urn:schemas-microsoft-com:office:excel">'
           f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{ids}"/></o:shapelayout>'
           '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
           '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')
    for n, (row, column) in enumerate(sorted(notes), start=1):
        shape = first_block * _BLOCK + n
        style = escape_attribute(f"position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:{width_pt:g}pt;"
                                 f"height:{height_pt:g}pt;z-index:{n};visibility:hidden")
        yield (f'<v:shape id="_x0000_s{shape}" type="#_x0000_t202" style="{style}" fillcolor="#ffffe1" '
               'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
               '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
               '<div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note">'
               f"<x:MoveWithCells/><x:SizeWithCells/><x:Anchor>{column}, 15, {max(row - 2, 0)}, 10, {column + 2}, 15, "
               f"{row + 3}, 4</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{row - 1}</x:Row>"
               f"<x:Column>{column - 1}</x:Column></x:ClientData></v:shape>")
    yield "</xml>"
