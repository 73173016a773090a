"""Target profiles ("presets"): ready-made Settings values, a Mapping sheet and a Lookups
sheet for one accounting system, shipped as data (one JSON file per profile, next to this
module) so a maintainer edits a layout without touching code.

    preset_names()                 # ['computerease', 'fixed-width-example', …]
    load_preset(book, "quickbooks-iif")

Loading a preset sets the Settings values it names (and Target profile), keeping every
other Settings row, and replaces the Mapping and Lookups sheets with the preset's grids,
cell for cell as the clerk then sees and edits them. Each preset says how far it is
verified (``verified``, ``confidence``): a byte-for-byte vendor sample, or a documented
starting layout the clerk must adapt (Sage 300 CRE's template order, ComputerEase).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from stac_xl.book import layout
from stac_xl.book.port import WorkbookPort
from stac_xl.errors import ConfigError
from stac_xl.settings import HEADER, TARGET_PROFILE, setting_note

Grid = list[list[Any]]
_KEYS = ("name", "title", "description", "verified", "confidence", "settings", "mapping", "lookups")


@dataclass(frozen=True)
class Preset:
    """One target profile. ``settings`` maps Settings row names to values; ``mapping`` and
    ``lookups`` are sheet grids (row 1 first, ``None`` for an empty cell)."""

    name: str
    title: str
    description: str
    verified: bool      # True: matches a published sample or our own published schema
    confidence: str     # what is verified and what the clerk must confirm, in a sentence or two
    settings: dict[str, str]
    mapping: Grid
    lookups: Grid


def _normal(name: str) -> str:
    return "-".join(name.strip().lower().replace("_", " ").split())


@cache
def _texts() -> dict[str, str]:
    """Preset name → its JSON text, read once from the package data."""
    folder = resources.files("stac_xl.presets")
    return {entry.name[:-5]: entry.read_text(encoding="utf-8")
            for entry in folder.iterdir() if entry.name.endswith(".json")}


def preset_names() -> list[str]:
    """The names of the shipped presets, sorted."""
    return sorted(_texts())


def _cell(value: Any) -> Any:
    # JSON writes an empty cell as "" for readability; the port reads it back as None.
    return None if value == "" else value


def _grid(rows: Sequence[Sequence[Any]]) -> Grid:
    out = []
    for row in rows:
        cells = [_cell(c) for c in row]
        while cells and cells[-1] is None:
            cells.pop()
        out.append(cells)
    return out


def _parse(name: str, text: str) -> Preset:
    """A preset from its JSON; a malformed file is a packaging bug, so a ValueError."""
    data = json.loads(text)
    missing = [k for k in _KEYS if k not in data]
    if missing or data["name"] != name:
        raise ValueError(f"preset file {name}.json: missing {missing} or its name is not {name!r}")
    settings = data["settings"]
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in settings.items()):
        raise ValueError(f"preset file {name}.json: every setting value must be text")
    return Preset(name, data["title"], data["description"], bool(data["verified"]), data["confidence"],
                  dict(settings), _grid(data["mapping"]), _grid(data["lookups"]))


def get_preset(name: str) -> Preset:
    """The preset called ``name`` (case, spaces and _ forgiven); a fresh copy each call, so a
    caller may change its grids. An unknown name is a ConfigError listing the presets."""
    texts = _texts()
    key = _normal(name)
    if key not in texts:
        raise ConfigError(f"There is no preset called '{name}'; the presets are: {', '.join(preset_names())}.")
    return _parse(key, texts[key])


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def merge_settings(grid: Sequence[Sequence[Any]], values: Mapping[str, str]) -> Grid:
    """The Settings grid with ``values`` set: each named row's Value changed in place (every
    row of that name, as a repeated row would otherwise win on reading), rows for names not
    on the sheet appended with the note their declaration gives (a writer's rows included),
    every other row and cell kept."""
    out = [list(row) for row in grid] or [list(HEADER)]
    wanted = {name.lower(): (name, value) for name, value in values.items()}
    seen: set[str] = set()
    for row in out[1:]:
        key = _text(row[0] if row else None).lower()
        if key in wanted:
            while len(row) < 2:
                row.append(None)
            row[1] = _cell(wanted[key][1])
            seen.add(key)
    for key, (name, value) in wanted.items():
        if key not in seen:
            out.append([name, _cell(value), setting_note(name)])
    return out


def load_preset(book: WorkbookPort, name: str) -> None:
    """Put preset ``name`` into the workbook: Settings values merged, Mapping and Lookups replaced."""
    preset = get_preset(name)
    settings = merge_settings(book.read_grid(layout.SETTINGS), {TARGET_PROFILE.name: preset.name, **preset.settings})
    book.write_grid(layout.SETTINGS, settings, clear=True)
    book.write_grid(layout.MAPPING, preset.mapping, clear=True)
    book.write_grid(layout.LOOKUPS, preset.lookups, clear=True)
    book.status(f"Loaded the {preset.title} preset. Replace the sample rows on Lookups with yours.")
