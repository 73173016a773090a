"""One ServiceTrade request, authenticated and retried: the client's HTTP engine.

``Exchange.call`` sends a request with the session cookie or bearer token, retries network
errors, 5xx, 429 and malformed bodies with back-off (one shared budget), logs in again once
on 401, and returns the envelope's ``data``. Login state is a *generation* counter: each
successful login bumps it, so when several threads see 401 for the same dead session only
the first one logs in again and the rest just repeat their request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
import requests

from stac_xl.errors import BadResponse, ServiceTradeError
from stac_xl.servicetrade.clock import Clock
from stac_xl.servicetrade.credentials import Password, Token
from stac_xl.servicetrade.failures import (
    describe_network_error,
    login_refused,
    refused,
    request_id,
    server_trouble,
    session_lost,
    token_refused,
    unreachable,
    unreadable,
)
from stac_xl.servicetrade.retry import RetryPolicy

log = logging.getLogger("stac_xl.servicetrade.client")

AUTH_PATH = "/auth"
SESSION_COOKIE = "PHPSESSID"

# What is wrong with a reply's ``data`` (a few words), or None when it is what we expect.
Expect = Callable[[Any], "str | None"]

_TRANSIENT = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


@dataclass(frozen=True)
class _Call:
    method: str
    path: str
    params: dict[str, Any] | None
    body: Any
    expect: Expect | None  # None: the body is not read (DELETE /auth)
    authenticate: bool
    attempts: int


@dataclass(frozen=True)
class _Done:
    data: Any


@dataclass(frozen=True)
class _Retry:
    error: ServiceTradeError  # raised if this was the last try
    cause: BaseException | None
    delay: float
    reason: str  # for the log


@dataclass(frozen=True)
class _Expired:
    request_id: str | None


class Exchange:
    """Sends ServiceTrade requests for one client; thread-safe."""

    def __init__(
        self,
        session: requests.Session,
        base_url: str,
        credentials: Password | Token,
        *,
        timeout: float,
        retry: RetryPolicy,
        clock: Clock,
        in_flight: int = 1_000_000,
    ) -> None:
        self._session = session
        # At most this many requests on the wire at once. The slot is held while a reply's
        # body arrives and freed before it is parsed, so parsing one page (CPU) overlaps
        # the wait for the next one.
        self._in_flight = threading.BoundedSemaphore(in_flight)
        self._base_url = base_url
        self._credentials = credentials
        self._timeout = timeout
        self._retry = retry
        self._clock = clock
        self._auth_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._count = 0
        self.generation = 0  # successful logins so far; only ever grows
        self._session_open = False

    @property
    def request_count(self) -> int:
        """HTTP requests sent so far (every try counts)."""
        with self._count_lock:
            return self._count

    # -- session ---------------------------------------------------------------------------

    def login(self) -> None:
        """Open a session with the password credentials (no-op for a bearer token)."""
        with self._auth_lock:
            self._login_locked()

    def logout(self) -> None:
        """Close the session with ``DELETE /auth``; failures are logged, never raised.

        At most two tries: an unclosed session only ages out on the server, while a full retry
        budget here would keep the clerk waiting after ServiceTrade has already failed once.
        """
        if not isinstance(self._credentials, Password) or not self._session_open:
            return
        attempts = min(2, self._retry.attempts)
        with self._auth_lock:
            try:
                self._loop(_Call("DELETE", AUTH_PATH, None, None, None, authenticate=False, attempts=attempts))
                log.info("Signed out of ServiceTrade")
            except ServiceTradeError as exc:
                log.warning("Signing out of ServiceTrade failed: %s", exc)
            finally:
                self._drop_session_cookie()
                self._session_open = False

    def _login_locked(self) -> None:
        if not isinstance(self._credentials, Password):
            return
        body = {"username": self._credentials.username, "password": self._credentials.password}
        data = self._loop(_Call("POST", AUTH_PATH, None, body, _login_data, authenticate=False,
                                attempts=self._retry.attempts))
        if data.get("authenticated") is False:
            raise login_refused(200, None)
        if not any(cookie.name == SESSION_COOKIE for cookie in self._session.cookies):
            token = data.get("authToken")
            if not isinstance(token, str) or not token:
                raise BadResponse(
                    f"ServiceTrade accepted the sign-in but started no session (no {SESSION_COOKIE} "
                    "cookie). Check the Base URL on the Settings sheet."
                )
            # Some proxies strip Set-Cookie; the same value comes back as data.authToken.
            self._session.cookies.set(SESSION_COOKIE, token)
        self.generation += 1
        self._session_open = True
        log.info("Signed in to ServiceTrade (session %d)", self.generation)

    def _ensure_session(self) -> int:
        """Log in lazily if no session is open; returns the generation requests go out under."""
        if isinstance(self._credentials, Password) and not self._session_open:
            with self._auth_lock:
                if not self._session_open:
                    self._login_locked()
        return self.generation

    def _relogin(self, seen_generation: int) -> None:
        with self._auth_lock:
            if self.generation == seen_generation:
                log.info("ServiceTrade session ended (HTTP 401); signing in again")
                self._login_locked()

    def _drop_session_cookie(self) -> None:
        jar = self._session.cookies
        for cookie in [c for c in jar if c.name == SESSION_COOKIE]:
            jar.clear(cookie.domain, cookie.path, cookie.name)

    # -- requests --------------------------------------------------------------------------

    def call(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None,
        expect: Expect,
    ) -> Any:
        """Send an authenticated request and return the reply's ``data`` once ``expect`` accepts it."""
        return self._loop(_Call(method, path, params, body, expect, authenticate=True,
                                attempts=self._retry.attempts))

    def _loop(self, call: _Call) -> Any:
        relogged_in = False  # this request has had its one re-login
        stale = 0  # 401s for a session another thread had already replaced
        failed = 0
        while True:
            seen = self._ensure_session() if call.authenticate else self.generation
            outcome = self._attempt(call, failed + 1)
            if isinstance(outcome, _Done):
                return outcome.data
            if isinstance(outcome, _Expired):
                if self.generation != seen and stale < call.attempts:
                    # The 401 was for a session already replaced by another thread's re-login:
                    # repeat with the new one without spending this request's re-login.
                    stale += 1
                    continue
                if relogged_in:
                    raise session_lost(call.method, call.path, outcome.request_id)
                relogged_in = True
                self._relogin(seen)
                continue
            failed += 1
            if failed >= call.attempts:
                raise outcome.error from outcome.cause
            log.warning("%s %s failed (%s); retrying in %.1f s (try %d of %d)",
                        call.method, call.path, outcome.reason, outcome.delay, failed, call.attempts)
            self._clock.sleep(outcome.delay)

    def _attempt(self, call: _Call, try_no: int) -> _Done | _Retry | _Expired:
        try:
            response = self._send(call, try_no)
        except requests.RequestException as exc:
            return self._network_failure(call, exc, try_no)
        status, rid = response.status_code, request_id(response)
        if call.method == "POST" and call.path == AUTH_PATH and status in (400, 401, 403):
            raise login_refused(status, rid)
        if status == 401 and call.authenticate:
            if isinstance(self._credentials, Token):
                raise token_refused(call.method, call.path, rid)
            return _Expired(rid)
        if status == 429 or status >= 500:
            if status == 429:
                delay = self._retry.delay_for_retry_after(response.headers.get("Retry-After"), try_no)
            else:
                delay = self._retry.delay_after(try_no)
            error = server_trouble(call.method, call.path, status, rid, call.attempts)
            return _Retry(error, None, delay, f"HTTP {status}")
        if not 200 <= status < 300:
            raise refused(call.method, call.path, response)
        if call.expect is None:
            return _Done(None)
        return self._read(call, response, try_no)

    def _send(self, call: _Call, try_no: int) -> requests.Response:
        headers = {"Accept": "application/json"}
        if isinstance(self._credentials, Token):
            headers["Authorization"] = f"Bearer {self._credentials.token}"
        with self._count_lock:
            self._count += 1
        with self._in_flight:
            response = self._session.request(  # not streamed: the body is read in here
                call.method, self._base_url + call.path, params=call.params, json=call.body,
                headers=headers, timeout=self._timeout,
            )
        log.debug("%s %s -> HTTP %d (try %d)", call.method, call.path, response.status_code, try_no)
        return response

    def _network_failure(self, call: _Call, exc: requests.RequestException, try_no: int) -> _Retry:
        reason = describe_network_error(exc, self._timeout)
        if not isinstance(exc, _TRANSIENT) or isinstance(exc, requests.exceptions.SSLError):
            # A bad certificate or address will not fix itself in a few seconds.
            raise unreachable(self._base_url, call.method, call.path, reason, None) from exc
        error = unreachable(self._base_url, call.method, call.path, reason, call.attempts)
        return _Retry(error, exc, self._retry.delay_after(try_no), reason)

    def _read(self, call: _Call, response: requests.Response, try_no: int) -> _Done | _Retry:
        cause: BaseException | None = None
        try:
            # orjson: a 2000-invoice page is ~3 MB, and parsing it is most of a fetch's CPU.
            payload = orjson.loads(response.content)
        except ValueError as exc:  # orjson.JSONDecodeError is a ValueError
            problem: str | None = "not JSON"
            cause = exc
        else:
            if not isinstance(payload, dict) or "data" not in payload:
                problem = "no data in the reply"
            else:
                assert call.expect is not None
                problem = call.expect(payload["data"])
            if problem is None:
                return _Done(payload["data"])
        # A proxy hiccup can truncate a body, so a malformed one is retried like a 5xx.
        error = unreadable(call.method, call.path, problem or "", response.status_code,
                           request_id(response), call.attempts)
        return _Retry(error, cause, self._retry.delay_after(try_no), problem or "")


def _login_data(data: Any) -> str | None:
    return None if isinstance(data, dict) else "no data object"

