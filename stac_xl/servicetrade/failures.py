"""How a failed ServiceTrade exchange is told to the clerk: one sentence per failure.

The client decides *what* happened (retry, give up, log in again); this module turns it into
the project's exception with a sentence that names the method and path and says what to do.
Inputs are only the method, the path (never the query string), the status code, the server's
own error text and ``x-request-id`` — never request bodies, headers, cookies or tokens. The
server's text is shown only after anything cookie- or token-like is taken out of it (a server
may echo the session cookie), and only its first sentence.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import orjson
import requests
from urllib3.exceptions import ReadTimeoutError

from stac_xl.errors import (
    AccessDenied,
    BadResponse,
    ConnectionFailed,
    LoginFailed,
    ServerError,
    ServiceTradeError,
)
from stac_xl.servicetrade.clock import TimeLimit

_MAX_SERVER_TEXT = 200
_REMOVED = "[removed]"
# What a secret looks like in a server's error text: a named credential with its value
# (PHPSESSID=…, Cookie: …, Bearer …, "authToken": "…", password=…), a JWT, or a long run of
# letters and digits with no spaces (session ids, hex or base64 tokens).
_SECRET_LIKE = re.compile(
    r"""(?ix)
    (?:set-)?cookie\s*[:=]\s*[^\s;,()"']+(?:\s*;\s*[^\s;,()"']+)*
    | \b(?:phpsessid|session(?:[_-]?id)?|sid|auth[_-]?token|access[_-]?token|refresh[_-]?token|token
          |api[_-]?key|password|passwd|secret)\b["']?\s*[:=]\s*["']?[^\s"',;()]+
    | \bbearer\s+[^\s"',;()]+
    | \beyJ[\w-]+\.[\w-]+\.[\w-]*
    | (?<![\w/.-])(?=[\w+/=-]*\d)(?=[\w+/=-]*[a-z])[\w+/=-]{20,}
    """
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
_SIGN_IN_AGAIN = (
    "Sign in again (ribbon: Sign in; command line: stac-xl login), "
    "or correct STAC_USERNAME and STAC_PASSWORD if you set them."
)


def request_id(headers: Mapping[str, str]) -> str | None:
    """The server's ``x-request-id`` (``headers`` looked up without regard to case), trimmed to
    something safe to print."""
    value = (headers.get("x-request-id") or "").strip()
    return re.sub(r"[^\w.:/+=-]", "", value)[:100] or None


def with_request_id(text: str, rid: str | None) -> str:
    """Append the request id, which ServiceTrade support asks for, to a message."""
    return f"{text} (ServiceTrade request id: {rid})" if rid else text


def tries(n: int) -> str:
    """'1 try' / '5 tries'."""
    return f"{n} try" if n == 1 else f"{n} tries"


def server_text(body: bytes) -> str | None:
    """ServiceTrade's own error text (``messages.error``), without anything secret-like, cut to
    its first sentence; None if there is none."""
    try:
        payload = orjson.loads(body)
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
    return first_sentence(without_secrets(text)) or None


def without_secrets(text: str) -> str:
    """``text`` with every cookie-, token- or password-like part replaced by ``[removed]``."""
    return _SECRET_LIKE.sub(_REMOVED, text)


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` without its full stop, at most 200 characters."""
    text = _SENTENCE_END.split(text.strip(), maxsplit=1)[0].rstrip(".")
    if len(text) > _MAX_SERVER_TEXT:
        text = text[: _MAX_SERVER_TEXT - 1] + "…"
    return text


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
    if any(isinstance(c, ReadTimeoutError) for c in causes):
        # requests reports a time-out while reading the body as a connection error.
        return f"the answer started but then nothing came for {timeout:g} s"
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


def refused(method: str, path: str, status: int, headers: Mapping[str, str], body: bytes) -> ServiceTradeError:
    """A final answer that is not success and not worth retrying (403, 404, 400, 409…)."""
    rid = request_id(headers)
    said = server_text(body)
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


def out_of_time(method: str, path: str, limit: TimeLimit) -> ConnectionFailed:
    """The whole job's time limit ran out; ``method`` and ``path`` are where it stopped."""
    return ConnectionFailed(
        f"ServiceTrade did not finish within {limit.spoken}, the {limit.setting} on the Settings sheet; "
        f"stac_xl stopped at {method} {path}. Try again later, or raise the {limit.setting}."
    )


def too_large(method: str, path: str, limit_mb: int) -> BadResponse:
    """A body beyond what any real page is: read no further."""
    return BadResponse(
        f"ServiceTrade sent more than {limit_mb} MB for {method} {path}, far more than a page of records; "
        "stac_xl stopped reading. Check the Base URL on the Settings sheet."
    )


def pages_do_not_add_up(path: str, pages: int, count: int | None, ceiling: int) -> BadResponse:
    """A listing whose page count is a lie (10**6 pages for 3,000 records) or beyond any real one."""
    if count is None:
        said = f"{pages:,} pages, more than the {ceiling:,} stac_xl reads in one go"
    else:
        said = f"{pages:,} page{'s' if pages != 1 else ''} for {count:,} records"
    return BadResponse(
        f"ServiceTrade's listing of GET {path} does not add up ({said}); stac_xl stopped rather than ask "
        "for every page. Try again later, or fetch a shorter date range."
    )


def redirected(method: str, path: str, status: int, location: str | None) -> ServiceTradeError:
    """A redirect stac_xl does not follow: any for /auth, another host for anything."""
    target = urlsplit(location or "").hostname or "another address"
    return ServiceTradeError(
        f"ServiceTrade answered {method} {path} with a redirect (HTTP {status}) to {target}, which stac_xl "
        "does not follow so your sign-in goes nowhere else. Check the Base URL on the Settings sheet.",
        status=status,
    )


def listing_kept_changing(path: str, rounds: int) -> BadResponse:
    """A listing that was still moving after every re-read."""
    return BadResponse(
        f"The list of GET {path} kept changing while stac_xl read it, even after reading it again {rounds} times "
        "(someone is adding or changing many records right now). Try again in a few minutes."
    )
