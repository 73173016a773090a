"""The sandbox's ServiceTrade API, independent of HTTP plumbing: request in, ``Reply`` out.

Routes (under ``/api``): ``POST|GET|DELETE /auth``, ``GET /invoice``, ``GET|PUT
/invoice/{id}``, ``GET /company``, ``GET /location``. Faults are decided first (a 429 or
503 answers before authentication, like a load balancer would), then the caller's
session is checked, then the route runs.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any, Protocol

from stac_xl.sandbox.data import SandboxData
from stac_xl.sandbox.faults import Fault, FaultConfig, FaultPlan, ListingShift
from stac_xl.sandbox.queries import BadRequest, int_list, invoice_filter, json_object, paging
from stac_xl.sandbox.state import STATUSES, InvoiceStore, Sessions, Stats, encode


class Headers(Protocol):
    """A request's headers, looked up by name without regard to case (``http.client`` gives these)."""

    def get(self, name: str, /) -> str | None:
        """The header's value, or None."""
        ...


@dataclass
class Reply:
    """An HTTP answer: status, JSON body bytes, extra headers."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def ok(data: Any, headers: dict[str, str] | None = None) -> Reply:
    """A 200 in ServiceTrade's envelope."""
    return Reply(200, encode({"data": data, "messages": {}}), headers or {})


def fail(status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    """An error in ServiceTrade's envelope: ``{"messages": {"error": [...]}, "data": null}``."""
    return Reply(status, encode({"messages": {"error": [message]}, "data": None}), headers or {})


def truncated(reply: Reply) -> Reply:
    """The reply cut in half at an ASCII byte: a 200 whose body is not valid JSON."""
    cut = max(1, len(reply.body) // 2)
    while cut > 1 and reply.body[cut] >= 0x80:  # never split a UTF-8 sequence
        cut -= 1
    return Reply(200, reply.body[:cut], reply.headers)


@dataclass
class Request:
    """One parsed request; ``arg`` is the path parameter (the invoice id), if any."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Headers
    body: bytes
    arg: str | None = None


Handler = Callable[[Request], Reply]


class SandboxApi:
    """Routes requests, injects faults, checks sessions, keeps statistics."""

    def __init__(
        self, data: SandboxData, faults: FaultConfig, *, username: str, password: str, token: str,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.store = InvoiceStore(data)
        self.faults = faults
        self._sleep = sleep  # the latency fault waits on it; tests pass one that does not wait
        self.sessions = Sessions()
        self.stats = Stats()
        self._plan = FaultPlan(faults)
        self.shift = ListingShift(faults)
        self._username, self._password, self._token = username, password, token
        self._request_ids = itertools.count(1)

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], headers: Headers, body: bytes
    ) -> Reply:
        """Answer one request. ``path`` has no query string; ``headers`` is case-insensitive."""
        req = Request(method, path.rstrip("/") or "/", query, headers, body)
        reply = self._answer(req)
        reply.headers["x-request-id"] = f"sbx-{next(self._request_ids):08d}"
        return reply

    def _answer(self, req: Request) -> Reply:
        key, methods, req.arg = self._route(req.method, req.path)
        self.stats.bump("total", key)
        is_auth = req.path == "/api/auth"
        fault = self._plan.next(is_auth=is_auth)
        if self.faults.latency_ms:
            self._sleep(self.faults.latency_ms / 1000)
        handler = methods.get(req.method) if methods else None
        refusal = self._refusal(req, fault, handler is not None, methods is not None, is_auth)
        if refusal is not None or handler is None:
            return refusal or fail(404, "Not found")
        try:
            reply = handler(req)
        except BadRequest as err:
            reply = fail(400, str(err))
        if fault is Fault.MALFORMED:
            self.stats.bump(fault.value)
            reply = truncated(reply)
        return reply

    def _refusal(self, req: Request, fault: Fault, routed: bool, path_known: bool, is_auth: bool) -> Reply | None:
        """The answer when the route must not run: an injected fault, no route, no session."""
        if fault is Fault.RATE_LIMITED:
            self.stats.bump(fault.value)
            retry = {"Retry-After": str(self.faults.retry_after_s)}
            return fail(429, "Too many requests; try again later", retry)
        if fault is Fault.UNAVAILABLE:
            self.stats.bump(fault.value)
            return fail(503, "Service temporarily unavailable")
        if not routed:
            return fail(405, "Method not allowed") if path_known else fail(404, "Not found")
        if is_auth and req.method == "POST" and self.faults.redirect_auth_to:
            self.stats.bump("307")
            return fail(307, "Moved", {"Location": self.faults.redirect_auth_to})
        if not is_auth:
            caller = self._caller(req.headers)
            if caller is None:
                return fail(401, "Not logged in, or the session has expired")
            if fault is Fault.SESSION_EXPIRED:
                self.stats.bump(fault.value)
                self.sessions.close(caller)  # a static bearer token is not a session: it survives
                return fail(401, "The session has expired; log in again")
        if fault is Fault.MALFORMED and req.method != "GET":
            self.stats.bump(fault.value)  # no side effects: a PUT or login is not applied
            return truncated(ok({"authenticated": True, "note": "cut short by the sandbox"}))
        return None

    def _route(self, method: str, path: str) -> tuple[str, dict[str, Handler] | None, str | None]:
        """(stats key such as ``GET /invoice/{id}``, handlers by method, the id in the path)."""
        table: dict[str, dict[str, Handler]] = {
            "/api/auth": {"POST": self._login, "DELETE": self._logout, "GET": self._whoami},
            "/api/invoice": {"GET": self._list_invoices},
            "/api/invoice/{id}": {"GET": self._get_invoice, "PUT": self._put_invoice},
            "/api/company": {"GET": self._list_companies},
            "/api/location": {"GET": self._list_locations},
        }
        pattern, arg = path, None
        head, _, last = path.rpartition("/")
        if head == "/api/invoice" and last.isdigit():
            pattern, arg = "/api/invoice/{id}", last
        methods = table.get(pattern)
        if methods is None:
            return f"{method} (unknown)", None, None
        return f"{method} {pattern[4:]}", methods, arg

    # -- authentication ---------------------------------------------------------------

    def _presented(self, headers: Headers) -> tuple[str | None, str | None]:
        """(PHPSESSID cookie value, bearer token) as the caller sent them."""
        cookie = None
        try:
            jar = SimpleCookie(headers.get("Cookie") or "")
            cookie = jar["PHPSESSID"].value if "PHPSESSID" in jar else None
        except CookieError:
            pass
        auth = headers.get("Authorization") or ""
        bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        return cookie, bearer

    def _caller(self, headers: Headers) -> str | None:
        """The credential that lets this request in: a live session token or the API token."""
        cookie, bearer = self._presented(headers)
        if cookie and self.sessions.is_live(cookie):
            return cookie
        if bearer and (bearer == self._token or self.sessions.is_live(bearer)):
            return bearer
        return None

    def _login(self, req: Request) -> Reply:
        fields = json_object(req.body)
        username, password = fields.get("username"), fields.get("password")
        if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
            raise BadRequest("username and password are required")
        if (username, password) != (self._username, self._password):
            return fail(403, "Invalid username or password")
        token = self.sessions.open()
        self.stats.bump("logins")
        return ok({"authenticated": True, "authToken": token}, {"Set-Cookie": f"PHPSESSID={token}; Path=/; HttpOnly"})

    def _logout(self, req: Request) -> Reply:
        cookie, bearer = self._presented(req.headers)
        for token in (cookie, bearer):
            if token and self.sessions.close(token):
                self.stats.bump("logouts")
        return ok({"authenticated": False}, {"Set-Cookie": "PHPSESSID=deleted; Path=/; Max-Age=0"})

    def _whoami(self, req: Request) -> Reply:
        if self._caller(req.headers) is None:
            return fail(404, "Not found")
        company = {"id": 1, "name": "Sandbox Fire & Mechanical (not ServiceTrade)"}
        return ok({"user": {"id": 1, "username": self._username, "name": "Demo Clerk", "company": company}})

    # -- invoices ---------------------------------------------------------------------

    def _list_invoices(self, req: Request) -> Reply:
        keep = invoice_filter(req.query)
        page, limit = paging(req.query, default=2000, maximum=2000)
        filter_key = tuple(sorted((k, tuple(v)) for k, v in req.query.items() if k not in ("page", "limit")))
        found, changed = self.shift.apply(self.store.select(keep, key=filter_key), page)
        if changed:
            self.stats.bump(changed)
        chunk = found[(page - 1) * limit: page * limit]
        parts = [self.store.encoded(inv, with_items=self.faults.items_in_list) for inv in chunk]
        total_pages = self.faults.claim_total_pages or -(-len(found) // limit)
        tail = encode({"page": page, "totalPages": total_pages, "totalCount": len(found)})
        body_bytes = b'{"data":{"invoices":[' + b",".join(parts) + b"]," + tail[1:] + b',"messages":{}}'
        return Reply(200, body_bytes)

    def _get_invoice(self, req: Request) -> Reply:
        invoice = self.store.get(int(req.arg or "0"))
        if invoice is None:
            return fail(404, "Not found")
        return Reply(200, b'{"data":' + self.store.encoded(invoice, with_items=True) + b',"messages":{}}')

    def _put_invoice(self, req: Request) -> Reply:
        invoice = self.store.get(int(req.arg or "0"))
        if invoice is None:
            return fail(404, "Not found")
        refused = self.store.refusal(invoice["id"])
        if refused is not None:
            return fail(400, refused)
        fields = json_object(req.body)
        changes = {k: fields[k] for k in ("status", "invoiceNumber") if k in fields}
        if not changes:
            raise BadRequest("Nothing to update: send status and/or invoiceNumber")
        if "status" in changes and (not isinstance(changes["status"], str) or changes["status"] not in STATUSES):
            raise BadRequest(f"Invalid status {changes['status']!r}")
        if "invoiceNumber" in changes and not (isinstance(changes["invoiceNumber"], str) and changes["invoiceNumber"]):
            raise BadRequest("invoiceNumber must be a non-empty string")
        problem = self.store.update(invoice["id"], {key: str(value) for key, value in changes.items()})
        if problem:
            raise BadRequest(problem)
        return self._get_invoice(req)

    # -- companies and locations -------------------------------------------------------

    def _list_companies(self, req: Request) -> Reply:
        return self._listing("companies", self.store.data.companies, req.query, default=2000)

    def _list_locations(self, req: Request) -> Reply:
        wanted = int_list(req.query, "companyId")
        rows = [loc for loc in self.store.data.locations if wanted is None or loc["company"]["id"] in wanted]
        # ServiceTrade's location default is 10 per page (sources disagree on the maximum).
        return self._listing("locations", rows, req.query, default=10)

    def _listing(self, key: str, rows: list[dict[str, Any]], query: dict[str, list[str]], *, default: int) -> Reply:
        page, limit = paging(query, default=default, maximum=2000)
        chunk = rows[(page - 1) * limit: page * limit]
        return ok({key: chunk, "page": page, "totalPages": -(-len(rows) // limit), "totalCount": len(rows)})

