"""The sandbox's HTTP server: ``Sandbox`` (start/stop, for tests) and ``serve`` (for the CLI).

Standard library only: a ``ThreadingHTTPServer`` bound to 127.0.0.1 with daemon threads,
speaking HTTP/1.1 keep-alive so a client's ``requests.Session`` reuses its connection.
It is a stand-in for ServiceTrade and says so: in the startup line, in the ``Server``
header, and in the company name ``GET /auth`` reports.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from stac_xl.sandbox.api import Reply, SandboxApi, fail
from stac_xl.sandbox.data import SandboxData
from stac_xl.sandbox.faults import FaultConfig

HOST = "127.0.0.1"
NO_FAULTS = FaultConfig()  # a well-behaved ServiceTrade


class _Server(ThreadingHTTPServer):
    """Tracks open connections so ``stop`` can cut idle keep-alive ones at once."""

    daemon_threads = True

    def __init__(self, port: int, api: SandboxApi):
        self.api = api
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        self.stopping = threading.Event()  # releases handlers kept silent by a fault
        super().__init__((HOST, port), _Handler)

    def process_request(  # type: ignore[override]
        self, request: socket.socket, client_address: tuple[str, int]
    ) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def cut_connections(self) -> None:
        """Close every open client connection (their handler threads then end)."""
        with self.connections_lock:
            open_now = list(self.connections)
        for conn in open_now:
            with contextlib.suppress(OSError):  # already closed by the client
                conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    """Turns each HTTP request into one ``SandboxApi.handle`` call."""

    protocol_version = "HTTP/1.1"
    server_version = "stac_xl-sandbox (not ServiceTrade)"
    timeout = 60  # idle keep-alive connections end eventually
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stall
    server: _Server

    def version_string(self) -> str:
        """The ``Server`` header: plainly not ServiceTrade."""
        return self.server_version

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def _serve(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            self._send(fail(400, "Bad Content-Length"))
            return
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        if self.server.api.faults.silent and not split.path.rstrip("/").endswith("/auth"):
            self._stay_silent()
            return
        query = parse_qs(split.query, keep_blank_values=True)
        try:
            reply = self.server.api.handle(self.command, split.path, query, self.headers, body)
        except Exception:  # a sandbox bug must look like a server error, not a dropped socket
            reply = fail(500, "Internal error in the sandbox")
        self._send(reply)

    def _stay_silent(self) -> None:
        """Never answer, or answer only the headers, until the sandbox stops."""
        faults, stats = self.server.api.faults, self.server.api.stats
        stats.bump("total", "silent")
        if faults.silent_after_headers:
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.flush()
        self.server.stopping.wait()
        self.close_connection = True

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: tests and the CLI window stay readable


class Sandbox:
    """A local ServiceTrade stand-in on 127.0.0.1: ``with Sandbox(data) as sb: url = sb.start()``.

    ``sleep`` is what the latency fault waits with: tests that want slow answers without
    waiting pass one that records the delay and returns.

    Entering the ``with`` block does not start the server (so ``start(port)`` can choose
    the port); leaving it stops the server.

    ``stats`` counts requests (``total``, per route such as ``GET /invoice/{id}``, per
    injected fault ``503``/``429``/``401-expired``/``malformed``, plus ``logins`` and
    ``logouts``). ``sessions_open`` is the number of live sessions: logins minus logouts
    minus sessions dropped by the expire-session fault.
    """

    def __init__(
        self, data: SandboxData, faults: FaultConfig = NO_FAULTS, *,
        username: str = "demo", password: str = "demo", token: str = "demo-token",
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.data = data
        self.faults = faults
        self.api = SandboxApi(data, faults, username=username, password=password, token=token, sleep=sleep)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._base_url: str | None = None

    def start(self, port: int = 0) -> str:
        """Listen on ``port`` (0 = any free one); returns ``http://127.0.0.1:PORT/api``.

        Calling it again while running returns the same URL if ``port`` is 0 or the same.
        """
        if self._server is not None:
            if port in (0, self._server.server_address[1]):
                return self.base_url
            raise RuntimeError(f"the sandbox is already running at {self.base_url}")
        server = _Server(port, self.api)
        self._base_url = f"http://{HOST}:{server.server_address[1]}/api"
        self.api.store.rebase(self._base_url)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="stac-sandbox", daemon=True
        )
        self._thread.start()
        return self._base_url

    def stop(self) -> None:
        """Stop listening and cut open connections. Safe to call twice."""
        server, thread = self._server, self._thread
        if server is None:
            return
        server.stopping.set()
        server.shutdown()
        server.server_close()
        server.cut_connections()
        if thread is not None:
            thread.join()
        self._server = self._thread = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/api`` of the running (or last) server."""
        if self._base_url is None:
            raise RuntimeError("the sandbox has not been started")
        return self._base_url

    @property
    def stats(self) -> dict[str, int]:
        """A snapshot of the request counters; missing keys mean zero."""
        return self.api.stats.snapshot()

    @property
    def sessions_open(self) -> int:
        """Sessions logged in and neither logged out nor expired."""
        return self.api.sessions.count()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def _say(line: str) -> None:
    """Print and flush; fall back to ASCII on consoles that cannot show the dash."""
    try:
        print(line, flush=True)
    except UnicodeEncodeError:
        print(line.replace("—", "-"), flush=True)


def serve(*, port: int, invoices: int, seed: int, faults: FaultConfig, today: date | None = None) -> None:
    """Run a sandbox in the foreground until Ctrl+C (KeyboardInterrupt)."""
    tz = "America/New_York"
    day = today or datetime.now(ZoneInfo(tz)).date()
    data = SandboxData.generate(invoices=invoices, seed=seed, today=day, tz=tz)
    sandbox = Sandbox(data, faults)
    try:  # everything after start inside: Ctrl+C may land right after the line is printed
        url = sandbox.start(port)
        _say(f"ServiceTrade sandbox (a local stand-in, not ServiceTrade) at {url} — "
             "username demo, password demo. Ctrl+C to stop.")
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    sys.stdout.flush()
