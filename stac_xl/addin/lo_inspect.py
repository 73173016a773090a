"""Open an Office file in headless LibreOffice and print what it sees, as JSON.

Runs under the *system* Python that has LibreOffice's ``uno`` module (``/usr/bin/python3``
with ``python3-uno``), not in the project's venv, so it imports nothing from stac_xl.
Usage: ``python3 lo_inspect.py FILE``. Output: ``{"modules": [[library, module, type]],
"sheets": {name: [[cell text, ...], ...]}}``; the type is the ``VBA_ModuleType`` LibreOffice
records when it imports VBA (``VBAModule``, ``VBAClassModule``, ``VBADocumentModule``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import uno
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

# LibreOffice 7.4's type detection refuses .xlam; naming the import filter makes it load.
FILTER = "Calc MS Excel 2007 VBA XML"
CONNECT_ATTEMPTS = 240  # x 0.25 s: a cold first start of soffice can take a while
_TYPE = re.compile(r"^Rem Attribute VBA_ModuleType=(\w+)", re.M)


def _prop(name: str, value: object) -> PropertyValue:
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _connect(pipe: str) -> Any:  # a UNO proxy: untyped
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(CONNECT_ATTEMPTS):
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            time.sleep(0.25)
    raise SystemExit("LibreOffice did not accept a connection")


def _modules(doc: Any) -> list[list[str]]:
    found = []
    libraries = doc.BasicLibraries
    for library in libraries.getElementNames():
        libraries.loadLibrary(library)
        modules = libraries.getByName(library)
        for name in modules.getElementNames():
            match = _TYPE.search(modules.getByName(name))
            found.append([library, name, match.group(1) if match else "Basic"])
    return found


def _sheets(doc: Any) -> dict[str, list[list[str]]]:
    sheets = {}
    for sheet in doc.Sheets:
        cursor = sheet.createCursor()
        cursor.gotoEndOfUsedArea(False)
        last_row, last_col = cursor.RangeAddress.EndRow, cursor.RangeAddress.EndColumn
        cells = sheet.getCellRangeByPosition(0, 0, last_col, last_row)
        sheets[sheet.Name] = [[str(v) for v in row] for row in cells.getDataArray()]
    return sheets


def inspect(path: Path) -> dict[str, object]:
    """Start soffice, load ``path`` read-only without running macros, and describe it."""
    with tempfile.TemporaryDirectory(prefix="stac-lo-") as profile:
        pipe = f"stac_lo_{os.getpid()}"
        office = subprocess.Popen(
            ["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
             f"-env:UserInstallation={Path(profile).as_uri()}", f"--accept=pipe,name={pipe};urp;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            context = _connect(pipe)
            desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
            args = (_prop("Hidden", True), _prop("ReadOnly", True), _prop("FilterName", FILTER),
                    _prop("MacroExecutionMode", 0))  # NEVER_EXECUTE: list, don't run
            doc = desktop.loadComponentFromURL(path.resolve().as_uri(), "_blank", 0, args)
            if doc is None:
                raise SystemExit(f"LibreOffice could not load {path}")
            try:
                return {"modules": _modules(doc), "sheets": _sheets(doc)}
            finally:
                doc.close(True)
                desktop.terminate()
        finally:
            try:
                office.wait(timeout=30)
            except subprocess.TimeoutExpired:
                office.kill()
                office.wait()


if __name__ == "__main__":
    json.dump(inspect(Path(sys.argv[1])), sys.stdout)
