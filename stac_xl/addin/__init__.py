"""Building and checking ``STAC.xlam``, the ServiceTrade ribbon add-in, without Excel.

``build_addin`` makes the file from xlwings' ribbon template (pyOpenVBA for the VBA,
zipfile for the parts); ``check_addin`` re-reads it with independent tools (olevba,
xmlschema); ``libreoffice_modules`` asks headless LibreOffice which modules it sees.

What ``stac-xl addin build`` needs at run time is the ``addin`` extra (pyOpenVBA). The
checks need the ``test`` extra (oletools, xmlschema) and LibreOffice, so they are imported
only when asked for: importing this package, or :mod:`stac_xl.addin.build`, never pulls
them in (PEP 562 module ``__getattr__`` below).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "DEFAULT_INTERPRETER_WIN": "stac_xl.addin.build",
    "AddinBuildError": "stac_xl.addin.build",
    "build_addin": "stac_xl.addin.build",
    "check_addin": "stac_xl.addin.checks",
    "libreoffice_modules": "stac_xl.addin.libreoffice",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module), name)
