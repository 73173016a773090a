"""Small, exact edits of a workbook's XML parts, as text.

Parts the adapter changes only a little (the content types, relationships, the workbook's
sheet list, the styles) are edited in place: an element inserted before a closing tag, one
element's attributes rewritten. Everything else in the part stays byte for byte, prefixes,
namespaces and extensions included, which re-serialising a parsed tree would not keep.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape

_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_PREFIX = r"(?:[\w.-]+:)?"


def escape_text(text: str) -> str:
    """Text content escaped for XML (a carriage return is kept as a character reference)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def escape_attribute(text: str) -> str:
    """An attribute value escaped for double quotes."""
    return escape_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


@dataclass(frozen=True)
class Element:
    """One element found in a part's text: where it starts and ends, its tag and attributes."""

    start: int
    end: int          # after the start tag's '>' for an open element, after '/>' when empty
    tag: str          # as written, prefix included
    attributes: dict[str, str]
    empty: bool

    def local(self, name: str) -> str | None:
        """The value of the attribute whose local name is ``name`` (any prefix)."""
        for key, value in self.attributes.items():
            if key == name or key.endswith(":" + name):
                return value
        return None


def parse_attributes(text: str) -> dict[str, str]:
    """Attributes of a start tag's inside, values unescaped."""
    return {m.group(1): unescape(m.group(2) if m.group(2) is not None else m.group(3) or "")
            for m in _ATTRIBUTE.finditer(text)}


def elements(xml: str, name: str, start: int = 0, end: int | None = None) -> Iterator[Element]:
    """Start tags of elements with local name ``name`` (any prefix), in document order."""
    pattern = re.compile(rf"<({_PREFIX}{re.escape(name)})(?=[\s/>])([^>]*?)(/?)>")
    for m in pattern.finditer(xml, start, len(xml) if end is None else end):
        yield Element(m.start(), m.end(), m.group(1), parse_attributes(m.group(2)), m.group(3) == "/")


def first(xml: str, name: str, start: int = 0) -> Element | None:
    """The first element called ``name``, or None."""
    return next(elements(xml, name, start), None)


def closing(xml: str, element: Element) -> int:
    """Where the closing tag of an open ``element`` starts."""
    at = xml.find(f"</{element.tag}>", element.end)
    if at < 0:
        raise ValueError(f"no closing tag for <{element.tag}>")
    return at


def start_tag(tag: str, attributes: dict[str, str], *, empty: bool) -> str:
    """A start tag (or an empty element) with the attributes in the given order."""
    inside = "".join(f' {k}="{escape_attribute(v)}"' for k, v in attributes.items())
    return f"<{tag}{inside}{'/' if empty else ''}>"


def insert_child(xml: str, parent: str, child: str) -> str:
    """``child`` (XML text) appended as the last child of the first ``parent`` element;
    an empty parent (``<sheets/>``) is opened up for it."""
    found = first(xml, parent)
    if found is None:
        raise ValueError(f"no <{parent}> element")
    if found.empty:
        opened = start_tag(found.tag, found.attributes, empty=False)
        return xml[:found.start] + opened + child + f"</{found.tag}>" + xml[found.end:]
    at = closing(xml, found)
    return xml[:at] + child + xml[at:]


def prefix_of(tag: str) -> str:
    """``x:`` for ``x:sheet``; empty for an unprefixed tag."""
    return tag[: tag.index(":") + 1] if ":" in tag else ""


def namespace_prefix(xml: str, uri: str) -> str | None:
    """The prefix a part declares for namespace ``uri`` (``r`` usually), or None."""
    m = re.search(rf'xmlns:([\w.-]+)\s*=\s*["\']{re.escape(uri)}["\']', xml)
    return m.group(1) if m else None


def set_count(xml: str, element: Element, count: int) -> str:
    """``xml`` with the ``count`` attribute of ``element`` set (other attributes kept)."""
    attributes = dict(element.attributes)
    attributes["count"] = str(count)
    return xml[:element.start] + start_tag(element.tag, attributes, empty=element.empty) + xml[element.end:]
