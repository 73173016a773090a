"""One ServiceTrade request, authenticated and retried: the client's HTTP engine.

``Exchange.call`` sends a request with the session cookie or bearer token, retries network
errors, 5xx, 429 and malformed bodies with back-off (per request, and a total budget for the
whole client), logs in again on 401, and returns the envelope's ``data``. Nothing outlives
the client's time limit: each request's time-out is cut to the time left, a body is read in
chunks with the clock checked between them, and no back-off sleeps past the end.

Login state is a *generation* counter: each successful login bumps it. When several threads
see 401 for the same dead session, the first one to take the lock signs in again and the
others just repeat their request under the new session: one re-login serves every request
that was in flight. A session opened by a re-login that dies before serving a single request
means ServiceTrade refuses our sessions, and that is reported instead of signing in forever.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from stac_xl.errors import BadResponse, ServiceTradeError
from stac_xl.servicetrade.clock import Clock, TimeLimit
from stac_xl.servicetrade.credentials import Password, Token
from stac_xl.servicetrade.failures import (
    describe_network_error,
    login_refused,
    out_of_time,
    redirected,
    refused,
    request_id,
    server_trouble,
    session_lost,
    token_refused,
    too_large,
    unreachable,
    unreadable,
)
from stac_xl.servicetrade.json_body import parse_json
from stac_xl.servicetrade.retry import RetryPolicy

log = logging.getLogger("stac_xl.servicetrade.client")

AUTH_PATH = "/auth"
SESSION_COOKIE = "PHPSESSID"
MAX_BODY_MB = 200  # a 2000-invoice page is about 3 MB
_CHUNK = 256 * 1024
_MAX_REDIRECTS = 4  # tries in all, so at most three same-host GET redirects
_MIN_TIMEOUT = 0.05  # below this a socket time-out means "no time left", see _timeout_now

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
    expect: Expect | None  # None: the body is not parsed (DELETE /auth)
    authenticate: bool
    attempts: int
    in_time_limit: bool = True  # False only for signing out, which must happen even after it


@dataclass(frozen=True)
class _Answer:
    """An HTTP answer read in full."""

    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class _Done:
    data: Any


@dataclass(frozen=True)
class _Retry:
    fail: Callable[[int], ServiceTradeError]  # the error to raise after that many tries
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
        time_limit: TimeLimit | None = None,
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
        self._time_limit = time_limit
        self._deadline = None if time_limit is None else clock.monotonic() + time_limit.seconds
        self._auth_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._count = 0
        self._retries_left = retry.budget
        self.generation = 0  # successful logins so far; only ever grows
        self._session_open = False
        self._from_relogin: set[int] = set()  # generations opened by signing in again
        self._served: Counter[int] = Counter()  # successful data answers per generation

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

        At most two tries, even after the time limit: an unclosed session only ages out on the
        server, while a full retry budget here would keep the clerk waiting after ServiceTrade
        has already failed once.
        """
        if not isinstance(self._credentials, Password) or not self._session_open:
            return
        attempts = min(2, self._retry.attempts)
        with self._auth_lock:
            try:
                self._loop(_Call("DELETE", AUTH_PATH, None, None, None, authenticate=False, attempts=attempts,
                                 in_time_limit=False))
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

    def _session_ended(self, call: _Call, seen: int, rid: str | None) -> None:
        """A 401 for a request sent under session ``seen``: sign in again, once for everyone."""
        with self._auth_lock:
            if self.generation != seen:
                return  # another thread already signed in again: just repeat the request
            if seen in self._from_relogin and self._served[seen] == 0:
                # The session we signed in again for died before serving anything.
                raise session_lost(call.method, call.path, rid)
            log.info("ServiceTrade session ended (HTTP 401); signing in again")
            self._login_locked()
            self._from_relogin.add(self.generation)

    def _drop_session_cookie(self) -> None:
        jar = self._session.cookies
        for cookie in [c for c in jar if c.name == SESSION_COOKIE]:
            jar.clear(cookie.domain, cookie.path, cookie.name)

    # -- time ------------------------------------------------------------------------------

    def _check_time(self, call: _Call) -> None:
        if call.in_time_limit and self._time_left() == 0.0:
            assert self._time_limit is not None
            raise out_of_time(call.method, call.path, self._time_limit)

    def _time_left(self) -> float | None:
        """Seconds until the time limit (0.0 once it has passed); None without a limit."""
        if self._deadline is None:
            return None
        return max(0.0, self._deadline - self._clock.monotonic())

    def _timeout_now(self, call: _Call) -> float:
        """This try's socket time-out: the client's, cut to the time left."""
        left = self._time_left() if call.in_time_limit else None
        return self._timeout if left is None else max(_MIN_TIMEOUT, min(self._timeout, left))

    def _wait(self, call: _Call, delay: float) -> None:
        """Back off before the next try, unless the wait would end past the time limit."""
        left = self._time_left()
        if call.in_time_limit and left is not None and delay >= left:
            assert self._time_limit is not None
            raise out_of_time(call.method, call.path, self._time_limit)
        self._clock.sleep(delay)

    def _spend_retry(self) -> bool:
        """Take one retry from the client's total budget; False when it is spent."""
        with self._count_lock:
            if self._retries_left <= 0:
                return False
            self._retries_left -= 1
            return True

    # -- requests --------------------------------------------------------------------------

    def call(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None,
        expect: Expect,
    ) -> Any:
        """Send an authenticated request and return the reply's ``data`` once ``expect`` accepts it."""
        return self._loop(_Call(method, path, params, body, expect, authenticate=True,
                                attempts=self._retry.attempts))

    def _loop(self, call: _Call) -> Any:
        failed = 0
        while True:
            self._check_time(call)
            seen = self._ensure_session() if call.authenticate else self.generation
            outcome = self._attempt(call, failed + 1, seen)
            if isinstance(outcome, _Done):
                return outcome.data
            if isinstance(outcome, _Expired):
                self._session_ended(call, seen, outcome.request_id)
                continue
            failed += 1
            if failed >= call.attempts or not self._spend_retry():
                raise outcome.fail(failed) from outcome.cause
            log.warning("%s %s failed (%s); retrying in %.1f s (try %d of %d)",
                        call.method, call.path, outcome.reason, outcome.delay, failed, call.attempts)
            self._wait(call, outcome.delay)

    def _attempt(self, call: _Call, try_no: int, seen: int) -> _Done | _Retry | _Expired:
        timeout = self._timeout_now(call)
        try:
            answer = self._send(call, try_no, timeout)
        except requests.RequestException as exc:
            return self._network_failure(call, exc, try_no, timeout)
        status, rid = answer.status, request_id(answer.headers)
        if call.method == "POST" and call.path == AUTH_PATH and status in (400, 401, 403):
            raise login_refused(status, rid)
        if status == 401 and call.authenticate:
            if isinstance(self._credentials, Token):
                raise token_refused(call.method, call.path, rid)
            return _Expired(rid)
        if 300 <= status < 400:
            raise redirected(call.method, call.path, status, answer.headers.get("Location"))
        if status == 429 or status >= 500:
            if status == 429:
                delay = self._retry.delay_for_retry_after(answer.headers.get("Retry-After"), try_no)
            else:
                delay = self._retry.delay_after(try_no)
            return _Retry(lambda n: server_trouble(call.method, call.path, status, rid, n), None, delay,
                          f"HTTP {status}")
        if not 200 <= status < 300:
            raise refused(call.method, call.path, status, answer.headers, answer.body)
        if call.authenticate:
            with self._count_lock:
                self._served[seen] += 1
        if call.expect is None:
            return _Done(None)
        return self._read(call, answer, try_no)

    def _send(self, call: _Call, try_no: int, timeout: float) -> _Answer:
        headers = {"Accept": "application/json"}
        if isinstance(self._credentials, Token):
            headers["Authorization"] = f"Bearer {self._credentials.token}"
        with self._in_flight:
            self._check_time(call)  # the wait for a free slot may have used up the time left
            with self._count_lock:
                self._count += 1
            response = self._follow(call, headers, timeout)
            try:
                body = self._body(call, response)
            finally:
                response.close()
        log.debug("%s %s -> HTTP %d (try %d)", call.method, call.path, response.status_code, try_no)
        return _Answer(response.status_code, response.headers, body)

    def _follow(self, call: _Call, headers: dict[str, str], timeout: float) -> requests.Response:
        """Send the request, following only a GET's redirects within the Base URL's own host.

        requests would follow any redirect: a 307 for ``POST /auth`` would re-send the sign-in's
        body to wherever the server points, an address the clerk never chose. So it never
        follows, and this follows a few same-host GET redirects (a moved path) by hand; any
        other redirect reaches ``_attempt`` and is refused there."""
        url, params = self._base_url + call.path, call.params
        for _ in range(_MAX_REDIRECTS):
            response = self._session.request(
                call.method, url, params=params, json=call.body,
                headers=headers, timeout=timeout, stream=True, allow_redirects=False,
            )
            target = urljoin(response.url, response.headers.get("Location", "")) if response.is_redirect else None
            if target is None or call.method != "GET" or call.path == AUTH_PATH or not self._same_host(target):
                return response
            response.close()
            url, params = target, None
            with self._count_lock:
                self._count += 1
        return response

    def _same_host(self, url: str) -> bool:
        mine, theirs = urlsplit(self._base_url), urlsplit(url)
        return (mine.scheme, mine.netloc.lower()) == (theirs.scheme, theirs.netloc.lower())

    def _body(self, call: _Call, response: requests.Response) -> bytes:
        """The whole body, in chunks, stopping at the size cap or the time limit."""
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(_CHUNK):
            size += len(chunk)
            if size > MAX_BODY_MB * 1024 * 1024:
                raise too_large(call.method, call.path, MAX_BODY_MB)
            self._check_time(call)
            chunks.append(chunk)
        return b"".join(chunks)

    def _network_failure(self, call: _Call, exc: requests.RequestException, try_no: int, timeout: float) -> _Retry:
        reason = describe_network_error(exc, timeout)
        if not isinstance(exc, _TRANSIENT) or isinstance(exc, requests.exceptions.SSLError):
            # A bad certificate or address will not fix itself in a few seconds.
            raise unreachable(self._base_url, call.method, call.path, reason, None) from exc
        base = self._base_url
        return _Retry(lambda n: unreachable(base, call.method, call.path, reason, n), exc,
                      self._retry.delay_after(try_no), reason)

    def _read(self, call: _Call, answer: _Answer, try_no: int) -> _Done | _Retry:
        cause: BaseException | None = None
        try:
            payload = parse_json(answer.body)
        except ValueError as exc:
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
        said, status, rid = problem or "", answer.status, request_id(answer.headers)
        return _Retry(lambda n: unreadable(call.method, call.path, said, status, rid, n), cause,
                      self._retry.delay_after(try_no), said)


def _login_data(data: Any) -> str | None:
    return None if isinstance(data, dict) else "no data object"
