"""The support log: what went wrong, in full, when a ribbon action failed unexpectedly.

The clerk sees one sentence; whoever supports stac_xl needs the traceback. It goes to
``support.log`` in the user's data folder (``platformdirs``: on Windows
``%LOCALAPPDATA%\\stac_xl``), or to the file ``STAC_SUPPORT_LOG`` names. The log keeps the
last megabyte or so: a full file moves to ``support.log.1``. No secrets: the traceback has
no local variables, and the values of the credential variables are blanked out.
"""

from __future__ import annotations

import os
import traceback
from datetime import datetime
from pathlib import Path

ENV_SUPPORT_LOG = "STAC_SUPPORT_LOG"
MAX_BYTES = 1_000_000
SECRET_VARIABLES = ("STAC_PASSWORD", "STAC_TOKEN")


def support_log_path() -> Path:
    """Where the support log is: ``STAC_SUPPORT_LOG``, else the user's data folder."""
    override = os.environ.get(ENV_SUPPORT_LOG, "").strip()
    if override:
        return Path(override)
    from platformdirs import user_data_dir  # imported here: most clicks never fail

    return Path(user_data_dir("stac_xl", appauthor=False)) / "support.log"


def record_failure(action: str, exc: BaseException) -> Path | None:
    """Append ``exc``'s traceback for ``action``; the log's path, or None if it cannot be written."""
    text = "".join(traceback.format_exception(exc))
    for name in SECRET_VARIABLES:
        secret = os.environ.get(name, "")
        if secret:
            text = text.replace(secret, "***")
    path = support_log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > MAX_BYTES:
            path.replace(path.with_name(path.name + ".1"))
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {datetime.now().isoformat(timespec='seconds')} {action}\n{text}\n")
    except OSError:
        return None
    return path
