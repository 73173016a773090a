"""Ask headless LibreOffice what it sees in an add-in: VBA modules and sheet cells.

An independent reader of the file (neither pyOpenVBA nor olevba). LibreOffice's UNO
bridge lives in the system Python, so :mod:`stac_xl.addin.lo_inspect` runs there as a
subprocess. Install on Debian 12::

    apt-get update && apt-get install -y --no-install-recommends libreoffice-calc-nogui python3-uno
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

SYSTEM_PYTHON = "/usr/bin/python3"
INSTALL_HINT = (
    "install LibreOffice: apt-get update && apt-get install -y --no-install-recommends "
    "libreoffice-calc-nogui python3-uno"
)
SCRIPT = Path(__file__).with_name("lo_inspect.py")
TIMEOUT_SECONDS = 300  # generous: a first start builds a fresh profile


class LibreOfficeMissing(RuntimeError):
    """soffice or LibreOffice's Python bridge (python3-uno) is not installed."""


def libreoffice_available() -> str | None:
    """None if LibreOffice and its UNO bridge can be used, else what is missing and how to fix it."""
    if shutil.which("soffice") is None:
        return f"soffice not found; {INSTALL_HINT}"
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, check=False)
    if probe.returncode != 0:
        return f"{SYSTEM_PYTHON} cannot import uno; {INSTALL_HINT}"
    return None


def libreoffice_inspect(path: Path) -> dict[str, object]:
    """LibreOffice's view of ``path``: ``{"modules": [[lib, name, type]], "sheets": {...}}``."""
    missing = libreoffice_available()
    if missing:
        raise LibreOfficeMissing(missing)
    result = subprocess.run(
        [SYSTEM_PYTHON, str(SCRIPT), str(Path(path).resolve())],
        capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"LibreOffice could not inspect {path}: {result.stderr.strip()[-2000:]}")
    found: dict[str, object] = json.loads(result.stdout)
    return found


def libreoffice_modules(path: Path) -> list[tuple[str, str]]:
    """``(module name, module type)`` for every VBA module LibreOffice imports, sorted.

    Types are LibreOffice's ``VBAModule``, ``VBAClassModule``, ``VBADocumentModule``
    (``VBAFormModule`` for forms). Raises :class:`LibreOfficeMissing` if not installed.
    """
    modules = libreoffice_inspect(path)["modules"]
    return sorted((str(name), str(kind)) for _library, name, kind in modules)  # type: ignore[attr-defined]


def libreoffice_sheets(path: Path) -> dict[str, list[list[str]]]:
    """Sheet name → used cells as text, as LibreOffice reads them."""
    return libreoffice_inspect(path)["sheets"]  # type: ignore[return-value]
