"""A test transport for ``requests``: a Session whose adapter calls a plain handler function.

    def handler(request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "application/json"}, b'{"data": {}}'

    session = session_with_handler(handler)

The response goes through requests' real response building, so ``Set-Cookie`` lands in the
session's cookie jar exactly as it would from a server. A handler may raise a
``requests.RequestException`` (e.g. ``requests.ConnectionError``) to simulate a network
failure. Every call is recorded on ``adapter.calls`` with its timeout and verify setting.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3 import HTTPResponse

Handler = Callable[[requests.PreparedRequest], tuple[int, dict[str, str], bytes]]


@dataclass(frozen=True)
class SentRequest:
    """What the adapter saw for one request (besides the request itself)."""

    method: str
    url: str
    timeout: Any
    verify: Any


class _OriginalResponse:
    """Stands in for http.client.HTTPResponse: requests reads cookies from ``.msg``."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.msg = HTTPMessage()
        for name, value in headers.items():
            self.msg[name] = value

    def isclosed(self) -> bool:
        return True

    def close(self) -> None:
        pass


class HandlerAdapter(BaseAdapter):
    """A requests adapter whose ``send()`` asks ``handler`` for (status, headers, body)."""

    def __init__(self, handler: Handler) -> None:
        super().__init__()
        self.handler = handler
        self.calls: list[SentRequest] = []
        self._lock = threading.Lock()
        self._builder = HTTPAdapter()

    def send(  # type: ignore[override]
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        """Record the call, run the handler, and build a real ``requests.Response``."""
        with self._lock:
            self.calls.append(SentRequest(request.method or "", request.url or "", timeout, verify))
        status, headers, body = self.handler(request)
        raw = HTTPResponse(
            body=io.BytesIO(body),
            headers=headers,
            status=status,
            preload_content=False,
            decode_content=False,
            original_response=_OriginalResponse(headers),  # type: ignore[arg-type]
        )
        return self._builder.build_response(request, raw)

    def close(self) -> None:
        """Nothing to release."""


def session_with_handler(handler: Handler) -> requests.Session:
    """A ``requests.Session`` that sends every http(s) request to ``handler``."""
    session = requests.Session()
    adapter = HandlerAdapter(handler)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def adapter_of(session: requests.Session) -> HandlerAdapter:
    """The HandlerAdapter mounted by ``session_with_handler``."""
    adapter = session.get_adapter("https://")
    assert isinstance(adapter, HandlerAdapter)
    return adapter


def json_reply(status: int, payload: Any, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """A handler result carrying ``payload`` as JSON."""
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(payload).encode()


def path_of(request: requests.PreparedRequest) -> str:
    """The URL path of a request, e.g. ``/api/invoice``."""
    return urlsplit(request.url or "").path


def query_of(request: requests.PreparedRequest) -> dict[str, str]:
    """The query parameters of a request, one value each."""
    return {key: values[-1] for key, values in parse_qs(urlsplit(request.url or "").query).items()}


def body_json(request: requests.PreparedRequest) -> Any:
    """The request's JSON body, or None if it has none."""
    body = request.body
    if not body:
        return None
    return json.loads(body if isinstance(body, (bytes, str)) else bytes(body))


def cookie_of(request: requests.PreparedRequest, name: str) -> str | None:
    """The value of cookie ``name`` sent with the request, or None."""
    header = request.headers.get("Cookie", "")
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None
