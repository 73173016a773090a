"""How a failed ServiceTrade exchange is told to the clerk: one sentence per failure.

The client decides *what* happened (retry, give up, log in again); this module turns it into
the project's exception with a sentence that names the method and path and says what to do.
Inputs are only the method, the path (never the query string), the status code, the server's
own error text and ``x-request-id`` — never request bodies, headers, cookies or tokens.
"""

from __future__ import annotations

import re
import socket
from typing import Any

import requests

from stac_xl.errors import (
    AccessDenied,
    BadResponse,
    ConnectionFailed,
    LoginFailed,
    ServerError,
    ServiceTradeError,
)

_MAX_SERVER_TEXT = 200
_SIGN_IN_AGAIN = (
    "Sign in again (ribbon: Sign in; command line: stac-xl login), "
    "or correct STAC_USERNAME and STAC_PASSWORD if you set them."
)


def request_id(response: requests.Response) -> str | None:
    """The server's ``x-request-id``, trimmed to something safe to print."""
    value = response.headers.get("x-request-id", "").strip()
    return re.sub(r"[^\w.:/+=-]", "", value)[:100] or None


def with_request_id(text: str, rid: str | None) -> str:
    """Append the request id, which ServiceTrade support asks for, to a message."""
    return f"{text} (ServiceTrade request id: {rid})" if rid else text


def tries(n: int) -> str:
    """'1 try' / '5 tries'."""
    return f"{n} try" if n == 1 else f"{n} tries"


def server_text(response: requests.Response) -> str | None:
    """ServiceTrade's own error text (``messages.error``), shortened; None if there is none."""
    try:
        payload = response.json()
    except ValueError:
        return None
    messages: Any = payload.get("messages") if isinstance(payload, dict) else None
    # The PHP SDK reads messages.error; the Node README shows a flat list. Accept both.
    errors = messages.get("error") if isinstance(messages, dict) else messages
    if isinstance(errors, str):
        errors = [errors]
    if not isinstance(errors, list):
        return None
    text = "; ".join(" ".join(str(e).split()) for e in errors if isinstance(e, (str, int, float)))
    if len(text) > _MAX_SERVER_TEXT:
        text = text[: _MAX_SERVER_TEXT - 1] + "…"
    return text or None


def describe_network_error(exc: requests.RequestException, timeout: float) -> str:
    """A few words on why the connection failed: 'connection refused', 'no answer within 30 s'."""
    if isinstance(exc, requests.exceptions.SSLError):
        return "its security certificate could not be verified"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"no connection within {timeout:g} s"
    if isinstance(exc, requests.Timeout):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
                        requests.exceptions.MissingSchema)):
        return "the address is not valid"
    if isinstance(exc, requests.exceptions.ProxyError):
        return "the proxy server refused the connection"
    causes = list(_causes(exc))
    if any(isinstance(c, socket.gaierror) or type(c).__name__ == "NameResolutionError" for c in causes):
        return "the server name could not be found"
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connection refused"
    if any(isinstance(c, ConnectionResetError) for c in causes):
        return "the connection was reset"
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
        return "the answer was cut off"
    return "network error"


def _causes(exc: BaseException) -> list[BaseException]:
    """Every exception reachable from ``exc`` through causes, contexts, args and ``.reason``."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(seen) < 50:
        current = todo.pop()
        if any(current is s for s in seen):
            continue
        seen.append(current)
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
        todo.extend(x for x in linked if isinstance(x, BaseException))
    return seen


def unreachable(base_url: str, method: str, path: str, reason: str, attempts: int | None) -> ConnectionFailed:
    """Network failure after all retries; ``attempts`` None for a failure that is not retried (TLS)."""
    after = f" after {tries(attempts)}" if attempts else ""
    return ConnectionFailed(
        f"Could not reach ServiceTrade at {base_url} ({reason}) for {method} {path}{after}. "
        "Check the internet connection and the Base URL on the Settings sheet."
    )


def server_trouble(method: str, path: str, status: int, rid: str | None, attempts: int) -> ServerError:
    """5xx or 429 after all retries."""
    if status == 429:
        text = (
            f"ServiceTrade kept asking to slow down (HTTP 429) on {method} {path} after "
            f"{tries(attempts)}. Wait a few minutes and try again."
        )
    else:
        text = (
            f"ServiceTrade kept answering with server errors (HTTP {status}) to {method} {path} "
            f"after {tries(attempts)}. Try again later."
        )
    return ServerError(with_request_id(text, rid), status=status, request_id=rid)


def unreadable(method: str, path: str, problem: str, status: int, rid: str | None, attempts: int) -> BadResponse:
    """A 2xx body that is not the JSON we expect, after all retries."""
    text = (
        f"ServiceTrade answered {method} {path} with something stac_xl cannot read ({problem}) "
        f"after {tries(attempts)}. Try again later; if it persists, check the Base URL on the Settings sheet."
    )
    return BadResponse(with_request_id(text, rid), status=status, request_id=rid)


def login_refused(status: int, rid: str | None) -> LoginFailed:
    """400/401/403 on POST /auth."""
    text = f"ServiceTrade refused the username or password. {_SIGN_IN_AGAIN}"
    return LoginFailed(with_request_id(text, rid), status=status, request_id=rid)


def token_refused(method: str, path: str, rid: str | None) -> LoginFailed:
    """401 while using a bearer token: there is no password to log in again with."""
    text = (
        f"ServiceTrade refused the access token (HTTP 401) for {method} {path}. "
        "Set a new token in STAC_TOKEN, or unset it to sign in with a username and password."
    )
    return LoginFailed(with_request_id(text, rid), status=401, request_id=rid)


def session_lost(method: str, path: str, rid: str | None) -> ServiceTradeError:
    """A second 401 for the same request, right after logging in again."""
    text = (
        f"ServiceTrade ended the session again (HTTP 401) for {method} {path} right after stac_xl "
        "signed in again. Try again; if it keeps happening, check the user's API access in ServiceTrade."
    )
    return ServiceTradeError(with_request_id(text, rid), status=401, request_id=rid)


def refused(method: str, path: str, response: requests.Response) -> ServiceTradeError:
    """A final answer that is not success and not worth retrying (403, 404, 400, 409…)."""
    status, rid = response.status_code, request_id(response)
    said = server_text(response)
    detail = f"HTTP {status}: {said}" if said else f"HTTP {status}"
    if status == 403:
        text = (
            f"ServiceTrade refused {method} {path} for this user ({detail}). Ask your ServiceTrade "
            "administrator to give the API user access (role Account Admin is recommended)."
        )
        return AccessDenied(with_request_id(text, rid), status=status, request_id=rid)
    if status == 404:
        text = f"ServiceTrade could not find {method} {path} ({detail}). Check that the record still exists."
    else:
        text = f"ServiceTrade rejected {method} {path} ({detail}). Check the values sent and try again."
    return ServiceTradeError(with_request_id(text, rid), status=status, request_id=rid)
