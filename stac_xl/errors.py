"""The errors a clerk can see, and nothing else.

Every message is one sentence the clerk can act on; the CLI prints it and exits non-zero,
the ribbon shows it in a message box. Programmer mistakes (a bad argument to one of our own
functions) stay ordinary Python exceptions and are not part of this family.

    StacError
    ├── ConfigError            Settings sheet, command-line options, credentials setup
    │   └── CredentialsMissing no username/password/token anywhere
    ├── ServiceTradeError      anything that went wrong talking to ServiceTrade
    │   ├── ConnectionFailed   server unreachable, DNS, TLS, time-out after retries
    │   ├── LoginFailed        403 on /auth: wrong username or password
    │   ├── AccessDenied       403 on a data call: the user lacks permission
    │   ├── ServerError        5xx (or 429) after all retries
    │   └── BadResponse        body is not the JSON we expect
    ├── WorkbookError          not a STAC workbook, a missing sheet, file open or locked
    ├── MappingError           a bad rule on Mapping/Lookups (names sheet, row, column)
    ├── ValidationFailed       export refused: the problems are in ``.problems``
    └── ExportError            the import file could not be written (exists, folder missing)

Secrets never go into a message: the client builds messages from the URL path and status
code only, never from request bodies, headers or cookies.
"""

from __future__ import annotations

from typing import Any


class StacError(Exception):
    """Root of every error a user can cause or fix. ``str(err)`` is the sentence to show."""

    exit_code = 1


class ConfigError(StacError):
    """A setting is missing or wrong: on the Settings sheet, an option, or the environment."""

    exit_code = 2


class CredentialsMissing(ConfigError):
    """No credentials in the environment nor in the OS credential store."""


class ServiceTradeError(StacError):
    """Talking to ServiceTrade failed. ``request_id`` is the server's x-request-id, if any."""

    exit_code = 3

    def __init__(self, message: str, *, status: int | None = None, request_id: str | None = None):
        super().__init__(message)
        self.status = status
        self.request_id = request_id


class ConnectionFailed(ServiceTradeError):
    """ServiceTrade could not be reached (network, DNS, TLS, time-out) even after retries."""


class LoginFailed(ServiceTradeError):
    """ServiceTrade refused the username and password (403 on /auth)."""


class AccessDenied(ServiceTradeError):
    """ServiceTrade refused a data request for this user (403 outside /auth)."""


class ServerError(ServiceTradeError):
    """ServiceTrade kept answering with server errors (5xx) or rate limits (429)."""


class BadResponse(ServiceTradeError):
    """ServiceTrade answered with a body that is not the JSON we expect."""


class WorkbookError(StacError):
    """The workbook is not a STAC workbook, lacks a sheet, or is open/locked elsewhere."""

    exit_code = 4


class MappingError(StacError):
    """A rule on the Mapping or Lookups sheet is wrong. Names sheet, row and column."""

    exit_code = 5

    def __init__(self, message: str, *, sheet: str, row: int | None = None, column: str | None = None):
        where = sheet if row is None else f"{sheet}!{column or ''}{row}" if column else f"{sheet} row {row}"
        super().__init__(f"{where}: {message}")
        self.sheet = sheet
        self.row = row
        self.column = column


class ValidationFailed(StacError):
    """The export was refused; ``problems`` lists every problem found (not just the first)."""

    exit_code = 6

    def __init__(self, message: str, problems: list[Any]):
        super().__init__(message)
        self.problems = problems


class ExportError(StacError):
    """The import file could not be written: it exists already, or the folder is missing."""

    exit_code = 7
