"""Where the import file lands and what it is called, and writing it there once.

A workbook is data anyone can edit and email on, so its *Output folder*, *File extension*
and *File name pattern* are read as a clerk means them and nothing more:

- a relative Output folder is inside the workbook's folder (never the folder a command
  happened to start in), and may not climb out of it with ``..``;
- the extension is one the file type declares (:attr:`Writer.extensions`), so the file is
  always a data file, never a program or a script;
- the pattern is literal text and its documented fields (:data:`PATTERN_FIELDS`) only, and
  the name it makes is one file name every system takes: no path, no control character,
  no leading dot, no trailing dot or space, no Windows device name (``CON.csv``), ending in
  the file type's extension.

The file is written to a temp file in the target folder (created with the user's usual
permissions, as any program's new file is), flushed to disk, then linked into place, which
fails rather than replace a file of the same name.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import string
import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path, PurePath

from stac_xl.errors import ConfigError, ExportError
from stac_xl.writers.base import Writer

#: The fields a File name pattern may use, in the order the Settings note lists them.
PATTERN_FIELDS = ("profile", "date", "time", "ext", "batch")
# The Settings rows read here (stac_xl.settings declares them under these names).
OUTPUT_FOLDER_ROW = "Output folder"
PATTERN_ROW = "File name pattern"
PROFILE_ROW = "Target profile"
LONGEST_NAME = 200  # characters: well inside every file system's 255, with room for a folder
NOT_IN_NAMES = '\\/:*?"<>|'
# Names Windows opens as a device whatever follows the dot (CON.csv is the console).
DEVICE_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³")}
)
_FIELD_LIST = ", ".join("{" + f + "}" for f in PATTERN_FIELDS[:-1]) + " and {" + PATTERN_FIELDS[-1] + "}"


def shown(text: str) -> str:
    """``text`` with control characters written as escapes, so a message stays one line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _control_char(text: str) -> bool:
    return any(unicodedata.category(c).startswith("C") for c in text)


def output_folder(setting: str, book_folder: Path | Callable[[], Path]) -> Path:
    """The folder the *Output folder* setting names: the workbook's own when empty, inside it
    when relative; a value that would lead elsewhere unnoticed is a ConfigError.

    ``book_folder`` may be a function, called only when the setting is empty or relative."""
    if _control_char(setting):
        raise ConfigError(f"Settings: {OUTPUT_FOLDER_ROW} '{shown(setting)}' holds a control character "
                          "(a line break or a tab); type the folder again.")
    folder = PurePath(setting)
    if folder.is_absolute():
        return Path(folder)
    if folder.anchor:  # Windows' "\Imports" or "D:Imports": the root or the drive a program is on
        raise ConfigError(f"Settings: {OUTPUT_FOLDER_ROW} '{setting}' is neither a full path nor a folder inside "
                          r"the workbook's folder; give the full path, e.g. C:\Imports.")
    if PurePath(os.path.normpath(folder)).parts[:1] == ("..",):
        raise ConfigError(f"Settings: {OUTPUT_FOLDER_ROW} '{setting}' leads out of the workbook's folder; name a "
                          r"folder inside it, or give the full path of the folder you mean, e.g. C:\Imports.")
    base = book_folder() if callable(book_folder) else book_folder
    return base / folder if setting else base


def _pattern_fields(pattern: str) -> list[tuple[str, str | None]]:
    """(literal text, field or None) pieces of the pattern; a ConfigError for anything but
    its documented fields (no attribute, index, conversion or format)."""
    try:
        pieces = list(string.Formatter().parse(pattern))
    except ValueError:
        raise ConfigError(f"Settings: {PATTERN_ROW} '{shown(pattern)}' has a {{ or }} without its pair; "
                          f"write fields as {_FIELD_LIST}.") from None
    for _literal, field, spec, conversion in pieces:
        if field is not None and (field not in PATTERN_FIELDS or spec or conversion):
            written = "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise ConfigError(f"Settings: {PATTERN_ROW} '{shown(pattern)}' uses '{shown(written)}', which "
                              f"is not one of its fields; use only {_FIELD_LIST}.")
    return [(literal, field) for literal, field, _spec, _conversion in pieces]


def _character_problem(text: str) -> str | None:
    """Why ``text`` cannot be part of a file name, or None."""
    if _control_char(text):
        return "it holds a control character"
    if any(c in text for c in NOT_IN_NAMES):
        return f"a file name cannot hold any of {' '.join(NOT_IN_NAMES)}"
    return None


def _name_problem(name: str, extension: str) -> str | None:
    """Why ``name`` cannot be an import file's name, or None."""
    base = name.split(".")[0].rstrip(" ").upper()
    if not name:
        return "it is empty"
    if problem := _character_problem(name):
        return problem
    if name.startswith("."):
        return "it starts with a dot, which hides the file"
    if name.endswith((".", " ")):
        return "it ends with a dot or a space, which Windows drops"
    if base in DEVICE_NAMES:
        return f"{base} is the name of a device on Windows, not of a file"
    if len(name) > LONGEST_NAME:
        return f"it is longer than {LONGEST_NAME} characters"
    if not name.lower().endswith(extension.lower()) or name.lower() == extension.lower():
        return f"it must end in {extension}, the file type's extension (end the pattern with .{{ext}})"
    return None


def file_name(pattern: str, *, profile: str, writer: Writer, now: datetime) -> str:
    """The import file's name from the *File name pattern* setting, for ``writer``'s file;
    a pattern or a name that is not an import file's is a ConfigError naming the setting."""
    extension = writer.extension
    if extension.lower() not in (e.lower() for e in type(writer).extensions):
        allowed = ", ".join(type(writer).extensions)
        raise ConfigError(f"Settings: File extension '{shown(extension)}' is not one {writer.key} files are written "
                          f"with; use {allowed}.")
    values = {
        "profile": profile, "date": now.strftime("%Y%m%d"), "time": now.strftime("%H%M%S"),
        "ext": extension.lstrip("."), "batch": now.strftime("%Y%m%d-%H%M%S"),
    }
    pieces = _pattern_fields(pattern)
    if any(field == "profile" for _literal, field in pieces) and (problem := _character_problem(profile)):
        raise ConfigError(f"Settings: {PROFILE_ROW} '{shown(profile)}' goes into the file name as {{profile}}, but "
                          f"{problem}; change {PROFILE_ROW} or {PATTERN_ROW}.")
    name = "".join(literal + (values[field] if field else "") for literal, field in pieces)
    problem = _name_problem(name, extension)
    if problem:
        raise ConfigError(f"Settings: {PATTERN_ROW} '{shown(pattern)}' gives '{shown(name)}', which cannot be "
                          f"an import file's name: {problem}.")
    return name


def check_target(folder: Path, name: str) -> Path:
    """``folder/name`` if the folder exists and the file does not; else an ExportError."""
    if not folder.is_dir():
        raise ExportError(f"The output folder {folder} does not exist; create it or change {OUTPUT_FOLDER_ROW} on Settings.")
    target = folder / name
    if target.exists() or target.is_symlink():
        raise ExportError(f"{target} already exists; stac_xl never overwrites an import file. "
                          "Move it away or export again in a minute.")
    return target


def _open_part(folder: Path, prefix: str) -> tuple[int, Path]:
    """A new temp file in ``folder``, open for writing. Mode 0o666 lets the OS apply the
    user's umask, as for any new file (mkstemp's 0o600 would hide it from an import that
    runs as another user); O_EXCL never opens a file that is already there."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    for _attempt in range(100):
        part = folder / f"{prefix}{secrets.token_hex(6)}.part"
        with contextlib.suppress(FileExistsError):
            return os.open(part, flags, 0o666), part
    raise FileExistsError(f"no free temp file name in {folder}")


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entry for the new file to disk, where the OS allows it (not Windows)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_new_file(folder: Path, name: str, content: bytes, *, prefix: str = ".stac-",
                   after_link: Callable[[], None] | None = None) -> Path:
    """Write ``content`` as ``folder/name`` atomically; refuse if that file exists.
    ``after_link`` runs once the file is in place (a test's crash point)."""
    target = check_target(folder, name)
    try:
        fd, part = _open_part(folder, prefix)
    except OSError as exc:  # a read-only or full folder refuses even the temp file
        raise ExportError(f"Could not write into the output folder {folder} ({exc.strerror or exc}); "
                          f"choose a folder you may write to on Settings ({OUTPUT_FOLDER_ROW}) or with --out.") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.link(part, target)  # fails if the name appeared meanwhile: never overwrite
        _sync_folder(folder)
        if after_link is not None:
            after_link()
    except FileExistsError:
        raise ExportError(f"{target} already exists; stac_xl never overwrites an import file.") from None
    except OSError as exc:
        raise ExportError(f"Could not write {target} ({exc.strerror or exc}).") from None
    finally:
        part.unlink(missing_ok=True)
    return target


#: Extensions Windows or a shell runs or opens as code: no file type may declare one.
PROGRAM_EXTENSIONS = frozenset({
    ".bat", ".cmd", ".com", ".cpl", ".exe", ".hta", ".inf", ".jar", ".js", ".jse", ".lnk", ".msc", ".msi",
    ".msp", ".pif", ".ps1", ".psm1", ".py", ".pyw", ".reg", ".scf", ".scr", ".sh", ".url", ".vb", ".vbe",
    ".vbs", ".ws", ".wsf", ".wsh", ".xlam", ".xlsm", ".docm", ".iqy",
})


def refused_extensions(extensions: Sequence[str]) -> list[str]:
    """Those of ``extensions`` a file type may not declare: not a dot and a lower-case word,
    or a program's or a script's."""
    return [e for e in extensions
            if not (e.startswith(".") and e[1:].isalnum() and e == e.lower()) or e in PROGRAM_EXTENSIONS]
