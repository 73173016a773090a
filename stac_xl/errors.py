"""The errors a clerk can see, and nothing else.

Every message is one sentence the clerk can act on; the CLI prints it and exits with the
class's ``exit_code``, the ribbon shows it in a message box. Programmer mistakes (a bad
argument to one of our own functions) stay ordinary Python exceptions and are not part of
this family; so do the internal signals a part raises and translates before a clerk sees
them (a transform's value problem, a rule's syntax problem, a Balance check that cannot be
read: each becomes a :class:`Problem` or one of the errors below).

    StacError                 root; exit code 1
    ├── ConfigError           exit 2: a Settings row, a command-line option, a preset name,
    │   │                     the add-in extra; the message names the row or option
    │   └── CredentialsMissing   no username/password or token in the environment nor stored
    ├── ServiceTradeError     exit 3: ServiceTrade refused a call not worth retrying (404,
    │   │                     400, 409…), ended the session again right after a re-login, or
    │   │                     redirected where stac_xl does not follow
    │   ├── ConnectionFailed  unreachable after the retries: network, DNS, time-out; a bad
    │   │                     TLS certificate or address at once, without retrying; the
    │   │                     Fetch time limit ran out
    │   ├── LoginFailed       the sign-in was refused: 400/401/403 (or authenticated false)
    │   │                     on POST /auth, or 401 for a bearer token
    │   ├── AccessDenied      403 on a data call: the user lacks permission
    │   ├── ServerError       5xx or 429 still after all retries
    │   └── BadResponse       a body that is not the JSON we expect (after the retries), too
    │                         large, a page count that does not add up, an invoice entry that
    │                         is not an invoice, a sign-in that started no session
    ├── WorkbookError         exit 4: not a STAC workbook, a sheet or file missing, open or
    │                         locked elsewhere, an unreadable cell on Invoices
    ├── MappingError          exit 5: a bad rule on Mapping/Lookups (names sheet, row, column)
    │   └── MappingErrors     several at once; ``errors`` holds each one
    ├── ValidationFailed      exit 6: export refused; ``problems`` holds a line per problem
    └── ExportError           exit 7: the import file could not be written (exists, folder)
        └── WriteProblem      a record, field or record type cannot be laid out in this file kind
            └── EncodingProblem  a value has a character the file's encoding cannot represent

Secrets never go into a message: the client builds messages from the URL path and status
code only, never from request bodies, headers or cookies.
"""

from __future__ import annotations

from collections.abc import Sequence


class StacError(Exception):
    """Root of every error a user can cause or fix. ``str(err)`` is the sentence to show."""

    exit_code = 1


class ConfigError(StacError):
    """A setting is missing or wrong: on the Settings sheet, an option, or the environment."""

    exit_code = 2


class CredentialsMissing(ConfigError):
    """No credentials in the environment nor in the OS credential store."""


class ServiceTradeError(StacError):
    """Talking to ServiceTrade failed. ``request_id`` is the server's x-request-id, if any.

    Raised as itself for a refusal not worth retrying (404, 400, 409…), for a session
    ServiceTrade ends again right after stac_xl signed in again, and for a redirect
    stac_xl does not follow."""

    exit_code = 3

    def __init__(self, message: str, *, status: int | None = None, request_id: str | None = None):
        super().__init__(message)
        self.status = status
        self.request_id = request_id


class ConnectionFailed(ServiceTradeError):
    """ServiceTrade could not be reached (network, DNS, time-out) even after retries, at once
    for a bad certificate or address, or not within the *Fetch time limit*."""


class LoginFailed(ServiceTradeError):
    """ServiceTrade refused the sign-in: the username and password (400, 401 or 403 on
    POST /auth, or an answer saying not authenticated), or the bearer token (401)."""


class AccessDenied(ServiceTradeError):
    """ServiceTrade refused a data request for this user (403 outside /auth)."""


class ServerError(ServiceTradeError):
    """ServiceTrade kept answering with server errors (5xx) or rate limits (429)."""


class BadResponse(ServiceTradeError):
    """ServiceTrade answered with a body that is not the JSON we expect (or far too large),
    a listing whose pages do not add up, an invoice entry that is not an invoice, or a
    sign-in that started no session."""


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


class MappingErrors(MappingError):
    """Several wrong rules; ``errors`` has each one (with its cell), ``str`` lists them all."""

    def __init__(self, errors: Sequence[MappingError]):
        # StacError's own __init__: the message is the list, not one cell's "where: what"
        StacError.__init__(self, "\n".join(str(e) for e in errors))
        first = errors[0]
        self.sheet, self.row, self.column = first.sheet, first.row, first.column
        self.errors = list(errors)


class ValidationFailed(StacError):
    """The export was refused; ``problems`` has one line per problem found (not just the
    first), each naming its Export cell."""

    exit_code = 6

    def __init__(self, message: str, problems: list[str]):
        super().__init__(message)
        self.problems = problems


class ExportError(StacError):
    """The import file could not be written: it exists already, or the folder is missing."""

    exit_code = 7


class WriteProblem(ExportError):
    """A record cannot be written as it stands. ``record_index`` is 0-based in write order."""

    def __init__(
        self, message: str, *, record_index: int | None = None,
        record: str | None = None, field: str | None = None,
    ):
        super().__init__(message)
        self.record_index = record_index
        self.record = record
        self.field = field


class EncodingProblem(WriteProblem):
    """A value holds a character the file's encoding cannot represent (never replaced)."""
