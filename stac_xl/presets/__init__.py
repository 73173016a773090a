"""Target profiles ("presets"): ready-made Settings values, a Mapping sheet and a Lookups
sheet for one accounting system, shipped as data (one JSON file per profile, next to this
module) so a maintainer edits a layout without touching code.

    preset_names()                 # ['computerease', 'fixed-width-example', …]
    load_preset(book, "quickbooks-iif")

Loading a preset sets the Settings values it names (and Target profile), keeping every
other Settings row, and replaces the Mapping sheet with the preset's grid, cell for cell as
the clerk then sees and edits it. *Lookups* keeps the clerk's rows: the preset's sample rows
go only into tables that have none of the clerk's (see :mod:`stac_xl.presets.lookups`),
unless the caller asks for the sheet to be replaced. Each preset says how far it is
verified (``verified``, ``confidence``): a byte-for-byte vendor sample, or a documented
starting layout the clerk must adapt (Sage 300 CRE's template order, ComputerEase).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
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


@dataclass(frozen=True)
class PresetLoaded:
    """What loading a preset did to *Lookups*, for the clerk's message."""

    title: str
    kept: tuple[str, ...] = ()   # tables of the clerk's rows, kept
    filled: tuple[str, ...] = ()  # tables given the preset's sample rows
    replaced: bool = False

    def summary(self) -> str:
        """One sentence: what to do next on *Lookups*."""
        if not self.kept:
            how = " Lookups now holds its sample rows only." if self.replaced else ""
            return f"Loaded the {self.title} preset.{how} Replace the sample rows on Lookups with your own."
        said = f"Loaded the {self.title} preset; your rows on Lookups were kept ({', '.join(self.kept)})"
        if self.filled:
            return f"{said}, and sample rows to replace with your own were added to {', '.join(self.filled)}."
        return f"{said}."


def load_preset(book: WorkbookPort, name: str, *, replace_lookups: bool = False,
                ask: Callable[[str], bool] | None = None) -> PresetLoaded:
    """Put preset ``name`` into the workbook: Settings values merged, Mapping replaced,
    Lookups merged keeping the clerk's rows; replaced instead with ``replace_lookups``, or
    when ``ask`` (the ribbon's question) is given and answers yes."""
    from stac_xl.presets.lookups import merge_lookups, shipped_samples, split_lookups

    preset = get_preset(name)
    settings = merge_settings(book.read_grid(layout.SETTINGS), {TARGET_PROFILE.name: preset.name, **preset.settings})
    shipped = [get_preset(n).lookups for n in preset_names()]
    merged = merge_lookups(book.read_grid(layout.LOOKUPS), preset.lookups, shipped_samples(shipped),
                           [split_lookups(grid)[0] for grid in shipped])
    if merged.kept and not replace_lookups and ask is not None:
        replace_lookups = ask(f"Lookups has rows of your own in {', '.join(merged.kept)}. Replace the whole sheet "
                              f"with the {preset.title} preset's sample rows? (If not, your rows are kept.)")
    book.write_grid(layout.SETTINGS, settings, clear=True)
    book.write_grid(layout.MAPPING, preset.mapping, clear=True)
    if replace_lookups:
        book.write_grid(layout.LOOKUPS, preset.lookups, clear=True)
        loaded = PresetLoaded(preset.title, replaced=True)
    else:
        book.write_grid(layout.LOOKUPS, merged.grid, clear=True)
        loaded = PresetLoaded(preset.title, tuple(merged.kept), tuple(merged.filled))
    book.status(loaded.summary())
    return loaded
