"""Building and checking ``STAC.xlam``, the ServiceTrade ribbon add-in, without Excel.

``build_addin`` makes the file from xlwings' ribbon template (pyOpenVBA for the VBA,
zipfile for the parts); ``check_addin`` re-reads it with independent tools (olevba,
xmlschema); ``libreoffice_modules`` asks headless LibreOffice which modules it sees.
"""

from stac_xl.addin.build import DEFAULT_INTERPRETER_WIN, AddinBuildError, build_addin
from stac_xl.addin.checks import check_addin
from stac_xl.addin.libreoffice import libreoffice_modules

__all__ = [
    "DEFAULT_INTERPRETER_WIN",
    "AddinBuildError",
    "build_addin",
    "check_addin",
    "libreoffice_modules",
]
