"""The ServiceTrade client against a fake ServiceTrade behind the handler transport."""

from __future__ import annotations

import itertools
import logging
import socket
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import pytest
import requests
from transport import adapter_of, body_json, cookie_of, json_reply, path_of, query_of, session_with_handler

from stac_xl.errors import (
    AccessDenied,
    BadResponse,
    ConfigError,
    ConnectionFailed,
    LoginFailed,
    ServerError,
    ServiceTradeError,
)
from stac_xl.servicetrade.client import ServiceTradeClient, check_base_url
from stac_xl.servicetrade.clock import TimeLimit, VirtualClock
from stac_xl.servicetrade.credentials import Password, Token
from stac_xl.servicetrade.retry import RetryPolicy, parse_retry_after

BASE = "https://api.servicetrade.com/api"
SECRET = "Tr0ub4dor&3-secret"
Reply = tuple[int, dict[str, str], bytes]


@dataclass(frozen=True)
class Seen:
    """One request as the fake server saw it."""

    method: str
    path: str
    query: dict[str, str]
    cookie: str | None
    authorization: str | None


def invoice(n: int, *, items: bool = True) -> dict[str, Any]:
    """A small invoice; without ``items`` it looks like a list entry of --no-items-in-list."""
    record: dict[str, Any] = {"id": 700000 + n, "invoiceNumber": str(10000 + n), "status": "ok"}
    if items:
        record["items"] = [{"id": 900000 + n, "description": "Inspection", "quantity": 1, "price": 10.0 * n}]
    return record


class FakeServiceTrade:
    """Just enough ServiceTrade: session login, paged lists, invoice detail and PUT, faults.

    ``faults[(method, path)]`` is a queue of replies served before the normal answer;
    ``on_request(seen)`` may return a reply to override the answer (it runs unlocked, so it
    may block on a barrier or an event).
    """

    def __init__(self, invoices: list[dict[str, Any]] | None = None, *, page_size: int = 2000) -> None:
        self.invoices = invoices if invoices is not None else [invoice(n) for n in range(1, 6)]
        self.page_size = page_size
        self.sessions: set[str] = set()
        self.logins = 0
        self.seen: list[Seen] = []
        self.faults: dict[tuple[str, str], list[Reply]] = {}
        self.on_request: Callable[[Seen], Reply | None] | None = None
        self.token: str | None = None
        self._lock = threading.Lock()

    def handler(self, request: requests.PreparedRequest) -> Reply:
        """The transport handler."""
        seen = Seen(
            request.method or "", path_of(request).removeprefix("/api"), query_of(request),
            cookie_of(request, "PHPSESSID"), request.headers.get("Authorization"),
        )
        with self._lock:
            self.seen.append(seen)
            queued = self.faults.get((seen.method, seen.path))
            fault = queued.pop(0) if queued else None
        if fault is not None:
            return fault
        override = self.on_request(seen) if self.on_request else None
        return override or self._route(seen, request)

    def _route(self, seen: Seen, request: requests.PreparedRequest) -> Reply:
        if seen.path == "/auth":
            return self._auth(seen, request)
        if not self._authorised(seen):
            return json_reply(401, {"messages": {"error": ["Not logged in"]}, "data": None})
        if seen.path == "/invoice":
            wanted = seen.query.get("status", "").split(",")
            return self._page("invoices", [i for i in self.invoices if i["status"] in wanted], seen)
        if seen.path in ("/company", "/location"):
            key = "companies" if seen.path == "/company" else "locations"
            return self._page(key, [{"id": n, "name": f"{key} {n}"} for n in range(1, 4)], seen)
        if seen.path.startswith("/invoice/"):
            return self._invoice(seen, request)
        return json_reply(404, {"messages": {"error": ["Not found"]}, "data": None})

    def _auth(self, seen: Seen, request: requests.PreparedRequest) -> Reply:
        if seen.method == "DELETE":
            with self._lock:
                self.sessions.discard(seen.cookie or "")
            return json_reply(200, {"data": {}, "messages": {}})
        body = body_json(request)
        if body != {"username": "clerk@example.com", "password": SECRET}:
            return json_reply(403, {"messages": {"error": ["Invalid username or password"]}, "data": None})
        with self._lock:
            self.logins += 1
            sid = f"sess-{self.logins}"
            self.sessions.add(sid)
        headers = {"Set-Cookie": f"PHPSESSID={sid}; path=/; HttpOnly"}
        return json_reply(200, {"data": {"authenticated": True, "authToken": sid}}, headers)

    def _authorised(self, seen: Seen) -> bool:
        if self.token is not None:
            return seen.authorization == f"Bearer {self.token}"
        with self._lock:
            return seen.cookie in self.sessions

    def _page(self, key: str, records: list[dict[str, Any]], seen: Seen) -> Reply:
        page = int(seen.query["page"])
        total = -(-len(records) // self.page_size)
        chunk = records[(page - 1) * self.page_size : page * self.page_size]
        data = {key: chunk, "page": page, "totalPages": total, "totalCount": len(records)}
        return json_reply(200, {"data": data, "messages": {}})

    def _invoice(self, seen: Seen, request: requests.PreparedRequest) -> Reply:
        wanted = int(seen.path.rsplit("/", 1)[1])
        for record in self.invoices:
            if record["id"] == wanted:
                if seen.method == "PUT":
                    record["status"] = body_json(request)["status"]
                detail = record if "items" in record else {**record, "items": [], "detailed": True}
                return json_reply(200, {"data": detail, "messages": {}})
        return json_reply(404, {"messages": {"error": ["Invoice not found"]}, "data": None})

    def calls(self, method: str, path: str) -> list[Seen]:
        """The requests seen for one method and path."""
        return [s for s in self.seen if (s.method, s.path) == (method, path)]


@pytest.fixture
def fake() -> FakeServiceTrade:
    return FakeServiceTrade()


@pytest.fixture
def sleeps() -> list[float]:
    return []


def make_client(
    fake: FakeServiceTrade, sleeps: list[float], *, credentials: Password | Token | None = None, **options: Any
) -> ServiceTradeClient:
    """A client wired to the fake, recording its sleeps."""
    return ServiceTradeClient(
        options.pop("base_url", BASE),
        credentials or Password("clerk@example.com", SECRET),
        session=session_with_handler(fake.handler),
        clock=VirtualClock(sleeps=sleeps),
        **options,
    )


def reply(status: int, headers: dict[str, str] | None = None, body: bytes | None = None) -> Reply:
    """A fault reply; JSON error envelope unless a raw body is given."""
    if body is not None:
        return status, headers or {}, body
    return json_reply(status, {"messages": {"error": [f"HTTP {status}"]}, "data": None}, headers)


# -- session ---------------------------------------------------------------------------------


def test_login_cookie_is_reused_on_later_calls(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    with make_client(fake, sleeps) as client:
        client.list_invoices()
        client.get_invoice(700001)
    assert fake.logins == 1
    data_calls = [s for s in fake.seen if s.path != "/auth"]
    assert [s.cookie for s in data_calls] == ["sess-1", "sess-1"]
    assert (fake.seen[-1].method, fake.seen[-1].path, fake.seen[-1].cookie) == ("DELETE", "/auth", "sess-1")


def test_logout_is_sent_even_when_the_block_fails(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    with pytest.raises(ServiceTradeError, match="Invoice not found"), make_client(fake, sleeps) as client:
        client.get_invoice(1)
    assert fake.calls("DELETE", "/auth")[0].cookie == "sess-1"
    assert fake.sessions == set()


def test_failing_logout_does_not_hide_the_original_error(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    fake.faults[("DELETE", "/auth")] = [reply(500)] * 2
    with pytest.raises(KeyError, match="the clerk's own error"), make_client(fake, sleeps):
        raise KeyError("the clerk's own error")
    assert len(fake.calls("DELETE", "/auth")) == 2, "logout gets two tries, not the full budget"
    assert sleeps == [0.5]


def test_a_failing_logout_after_success_is_only_logged(
    fake: FakeServiceTrade, sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    fake.faults[("DELETE", "/auth")] = [reply(503)] * 2
    with make_client(fake, sleeps) as client:
        assert len(client.list_invoices()) == 5
    assert any("Signing out of ServiceTrade failed" in r.getMessage() for r in caplog.records)


def test_wrong_password_is_login_failed_and_no_logout_is_sent(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    with (
        pytest.raises(LoginFailed) as caught,
        make_client(fake, sleeps, credentials=Password("clerk@example.com", "wrong")),
    ):
        pass
    assert str(caught.value) == (
        "ServiceTrade refused the username or password. Sign in again (ribbon: Sign in; command line: "
        "stac-xl login), or correct STAC_USERNAME and STAC_PASSWORD if you set them."
    )
    assert caught.value.status == 403
    assert fake.calls("DELETE", "/auth") == []


def test_missing_username_400_is_login_failed(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    fake.faults[("POST", "/auth")] = [reply(400, {"x-request-id": "r-400"})]
    with pytest.raises(LoginFailed) as caught:
        make_client(fake, sleeps).login()
    assert caught.value.status == 400
    assert caught.value.request_id == "r-400"
    assert str(caught.value).endswith("(ServiceTrade request id: r-400)")


def test_first_request_logs_in_by_itself_without_a_with_block(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    client = make_client(fake, sleeps)
    assert client.get_invoice(700002)["id"] == 700002
    assert fake.logins == 1
    client.close()
    assert fake.calls("DELETE", "/auth")[0].cookie == "sess-1"


def test_bearer_token_is_sent_and_no_login_or_logout_happens(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    fake.token = "tok-123"
    with make_client(fake, sleeps, credentials=Token("tok-123")) as client:
        client.list_invoices()
    assert fake.calls("POST", "/auth") == [] and fake.calls("DELETE", "/auth") == []
    assert {s.authorization for s in fake.seen} == {"Bearer tok-123"}


def test_a_refused_token_is_login_failed_without_retry(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    fake.token = "the-real-one"
    with (
        pytest.raises(LoginFailed, match=r"refused the access token \(HTTP 401\) for GET /invoice"),
        make_client(fake, sleeps, credentials=Token("expired")) as client,
    ):
        client.list_invoices()
    assert len(fake.seen) == 1 and sleeps == []


# -- paging and details ----------------------------------------------------------------------


def test_paging_fetches_each_page_once_in_order_even_when_pages_finish_out_of_order(
    sleeps: list[float],
) -> None:
    fake = FakeServiceTrade([invoice(n) for n in range(1, 11)], page_size=2)
    last_page_served = threading.Event()

    def page_two_waits_for_page_five(seen: Seen) -> Reply | None:
        if seen.path == "/invoice" and seen.query["page"] == "2":
            assert last_page_served.wait(timeout=5), "pages were not fetched concurrently"
        if seen.path == "/invoice" and seen.query["page"] == "5":
            last_page_served.set()
        return None

    fake.on_request = page_two_waits_for_page_five
    messages: list[tuple[str, str]] = []
    with make_client(fake, sleeps, concurrency=4) as client:
        invoices = client.list_invoices(
            statuses=["ok", "processed"], created_after=1710000000, created_before=1710099999,
            progress=lambda text: messages.append((threading.current_thread().name, text)),
        )
    assert [i["id"] for i in invoices] == [700000 + n for n in range(1, 11)]
    pages = fake.calls("GET", "/invoice")
    assert sorted(int(s.query["page"]) for s in pages) == [1, 2, 3, 4, 5]
    sent = {(s.query["limit"], s.query["status"], s.query["createdAfter"], s.query["createdBefore"]) for s in pages}
    assert sent == {("2000", "ok,processed", "1710000000", "1710099999")}
    assert [text for _, text in messages][-1] == "Fetched page 5 of 5 (invoices)"
    assert {name for name, _ in messages} == {threading.current_thread().name}


def test_no_more_requests_are_in_flight_than_the_concurrency_allows(sleeps: list[float]) -> None:
    fake = FakeServiceTrade([invoice(n) for n in range(1, 41)], page_size=2)
    lock, in_flight, peak = threading.Lock(), [0], [0]

    def count(seen: Seen) -> Reply | None:
        if seen.path == "/invoice" and seen.query["page"] != "1":
            with lock:
                in_flight[0] += 1
                peak[0] = max(peak[0], in_flight[0])
            threading.Event().wait(0.05)  # hold the reply a moment so requests overlap
            with lock:
                in_flight[0] -= 1
        return None

    fake.on_request = count
    with make_client(fake, sleeps, concurrency=3) as client:
        assert len(client.list_invoices()) == 40
    assert peak[0] == 3


def test_an_empty_list_is_one_request(sleeps: list[float]) -> None:
    fake = FakeServiceTrade([])
    with make_client(fake, sleeps) as client:
        assert client.list_invoices() == []
    assert len(fake.calls("GET", "/invoice")) == 1


def test_details_are_fetched_only_for_invoices_without_items(sleeps: list[float]) -> None:
    fake = FakeServiceTrade([invoice(1), invoice(2, items=False), invoice(3), invoice(4, items=False)])
    with make_client(fake, sleeps, concurrency=3) as client:
        invoices = client.list_invoices()
    assert [i["id"] for i in invoices] == [700001, 700002, 700003, 700004]
    assert [i.get("detailed", False) for i in invoices] == [False, True, False, True]
    assert sorted(s.path for s in fake.seen if s.path.startswith("/invoice/")) == ["/invoice/700002", "/invoice/700004"]


def test_companies_and_locations_are_paged_with_the_large_limit(sleeps: list[float]) -> None:
    fake = FakeServiceTrade(page_size=2)
    with make_client(fake, sleeps) as client:
        companies, locations = client.list_companies(), client.list_locations()
    assert [c["id"] for c in companies] == [1, 2, 3] and [loc["id"] for loc in locations] == [1, 2, 3]
    assert {s.query["limit"] for s in fake.seen if s.method == "GET"} == {"2000"}


def test_set_invoice_status_puts_the_status(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    with make_client(fake, sleeps) as client:
        updated = client.set_invoice_status(700003, "processed")
    assert updated["status"] == "processed"
    assert fake.calls("PUT", "/invoice/700003")


def test_every_request_has_a_timeout_and_verifies_tls(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    client = make_client(fake, sleeps, timeout=12.5)
    with client:
        client.list_invoices()
    adapter = adapter_of(client._session)
    assert adapter.calls and {c.timeout for c in adapter.calls} == {12.5}
    # verify is True or a CA bundle path (REQUESTS_CA_BUNDLE), never False.
    assert all(c.verify is True or isinstance(c.verify, str) for c in adapter.calls)
    assert client.request_count == len(adapter.calls) == 3


def test_a_session_without_tls_verification_is_refused() -> None:
    session = requests.Session()
    session.verify = False
    with pytest.raises(ValueError, match="TLS verification"):
        ServiceTradeClient(BASE, Token("t"), session=session)


# -- retries ---------------------------------------------------------------------------------


def test_503_is_retried_with_exponential_back_off_then_succeeds(
    fake: FakeServiceTrade, sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="stac_xl.servicetrade.client")
    fake.faults[("GET", "/invoice")] = [reply(503), reply(502), reply(500)]
    with make_client(fake, sleeps) as client:
        assert len(client.list_invoices()) == 5
    assert sleeps == [0.5, 1.0, 2.0]
    lines = [r.getMessage() for r in caplog.records if r.name == "stac_xl.servicetrade.client"]
    assert "GET /invoice failed (HTTP 503); retrying in 0.5 s (try 1 of 5)" in lines
    assert "GET /invoice -> HTTP 200 (try 4)" in lines
    assert not any("?" in line or "page=" in line for line in lines), "paths only, never query strings"


def test_back_off_is_capped() -> None:
    policy = RetryPolicy(attempts=8, backoff=0.5, max_backoff=3.0)
    assert [policy.delay_after(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0]


@pytest.mark.parametrize(
    ("header", "expected"),
    [({"Retry-After": "7"}, 7.0), ({"Retry-After": "600"}, 60.0), ({}, 0.5), ({"Retry-After": "soon"}, 0.5)],
)
def test_429_honours_retry_after_capped(
    fake: FakeServiceTrade, sleeps: list[float], header: dict[str, str], expected: float
) -> None:
    fake.faults[("GET", "/invoice")] = [reply(429, header)]
    with make_client(fake, sleeps) as client:
        assert len(client.list_invoices()) == 5
    assert sleeps == [expected]


def test_retry_after_may_be_an_http_date() -> None:
    from datetime import datetime

    now = datetime(2024, 3, 15, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Fri, 15 Mar 2024 12:00:30 GMT", now=now) == 30.0


def test_429_storm_is_server_error_saying_slow_down(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    fake.faults[("GET", "/invoice")] = [reply(429, {"Retry-After": "1"})] * 5
    with (
        pytest.raises(ServerError, match=r"kept asking to slow down \(HTTP 429\) on GET /invoice after 5 tries"),
        make_client(fake, sleeps) as client,
    ):
        client.list_invoices()
    assert sleeps == [1.0] * 4


def test_server_error_storm_gives_the_exact_message(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    fake.faults[("GET", "/invoice")] = [reply(503, {"x-request-id": "req-42"})] * 5
    with pytest.raises(ServerError) as caught, make_client(fake, sleeps) as client:
        client.list_invoices()
    assert str(caught.value) == (
        "ServiceTrade kept answering with server errors (HTTP 503) to GET /invoice after 5 tries. "
        "Try again later. (ServiceTrade request id: req-42)"
    )
    assert (caught.value.status, caught.value.request_id) == (503, "req-42")
    assert sleeps == [0.5, 1.0, 2.0, 4.0]
    assert fake.seen[-1].method == "DELETE"


def test_malformed_body_is_retried_then_bad_response(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    fake.faults[("GET", "/invoice")] = [reply(200, {"Content-Type": "text/html"}, b"<html>proxy</html>")] * 5
    with pytest.raises(BadResponse) as caught, make_client(fake, sleeps) as client:
        client.list_invoices()
    assert str(caught.value).startswith(
        "ServiceTrade answered GET /invoice with something stac_xl cannot read (not JSON) after 5 tries."
    )
    assert isinstance(caught.value.__cause__, ValueError)
    assert sleeps == [0.5, 1.0, 2.0, 4.0]


def test_a_truncated_body_once_is_just_retried(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    fake.faults[("GET", "/invoice")] = [reply(200, {}, b'{"data": {"invoi')]
    with make_client(fake, sleeps) as client:
        assert len(client.list_invoices()) == 5
    assert sleeps == [0.5]


def test_json_without_the_expected_keys_is_bad_response(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    fake.faults[("GET", "/invoice")] = [json_reply(200, {"data": {"jobs": []}})] * 2
    with (
        pytest.raises(BadResponse, match=r"\(no data.invoices list\) after 2 tries"),
        make_client(fake, sleeps, retry=RetryPolicy(attempts=2)) as client,
    ):
        client.list_invoices()


def test_401_logs_in_again_once_then_succeeds(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    with make_client(fake, sleeps) as client:
        fake.sessions.clear()  # the server forgot the session
        assert client.get_invoice(700001)["id"] == 700001
    assert fake.logins == 2
    assert [s.cookie for s in fake.calls("GET", "/invoice/700001")] == ["sess-1", "sess-2"]
    assert sleeps == []


def test_401_twice_for_the_same_request_is_an_error(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    fake.faults[("GET", "/invoice/700001")] = [reply(401), reply(401, {"x-request-id": "r-2"})]
    with pytest.raises(ServiceTradeError) as caught, make_client(fake, sleeps) as client:
        client.get_invoice(700001)
    assert type(caught.value) is ServiceTradeError
    assert str(caught.value).startswith("ServiceTrade ended the session again (HTTP 401) for GET /invoice/700001")
    assert caught.value.request_id == "r-2"
    assert fake.logins == 2


def test_concurrent_401s_cause_one_relogin(sleeps: list[float]) -> None:
    fake = FakeServiceTrade([invoice(n) for n in range(1, 11)], page_size=2)
    together = threading.Barrier(4, timeout=5)

    def old_session_expires_for_pages_two_to_five(seen: Seen) -> Reply | None:
        if seen.path == "/invoice" and seen.query["page"] != "1" and seen.cookie == "sess-1":
            together.wait()  # all four threads hold a 401 for the same session at once
            return reply(401)
        return None

    fake.on_request = old_session_expires_for_pages_two_to_five
    with make_client(fake, sleeps, concurrency=4) as client:
        invoices = client.list_invoices()
    assert fake.logins == 2
    assert [i["id"] for i in invoices] == [700000 + n for n in range(1, 11)]
    repeated = sorted(s.query["page"] for s in fake.calls("GET", "/invoice") if s.cookie == "sess-2")
    assert repeated == ["2", "3", "4", "5"]


def test_a_401_for_a_session_already_replaced_does_not_use_up_the_relogin(
    fake: FakeServiceTrade, sleeps: list[float]
) -> None:
    client = make_client(fake, sleeps)
    answers = iter(["another thread logs in meanwhile", "expired again", "fine"])

    def hook(seen: Seen) -> Reply | None:
        if seen.path != "/invoice/700001":
            return None
        step = next(answers)
        if step == "another thread logs in meanwhile":
            client.login()  # what a concurrent re-login looks like from this request
        return reply(401) if step != "fine" else None

    fake.on_request = hook
    with client:
        assert client.get_invoice(700001)["id"] == 700001
    assert fake.logins == 3
    assert [s.cookie for s in fake.calls("GET", "/invoice/700001")] == ["sess-1", "sess-2", "sess-3"]


def test_403_on_a_data_call_is_access_denied(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    fake.faults[("GET", "/company")] = [json_reply(403, {"messages": {"error": ["Permission denied"]}, "data": None})]
    with (
        pytest.raises(AccessDenied, match=r"refused GET /company for this user \(HTTP 403: Permission denied\)"),
        make_client(fake, sleeps) as client,
    ):
        client.list_companies()
    assert sleeps == []


def test_404_carries_the_servers_message(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    with pytest.raises(ServiceTradeError) as caught, make_client(fake, sleeps) as client:
        client.get_invoice(12)
    assert str(caught.value) == (
        "ServiceTrade could not find GET /invoice/12 (HTTP 404: Invoice not found). Check that the record still exists."
    )
    assert caught.value.status == 404


def closed_port() -> int:
    """A local port nobody listens on: bind, note the port, close."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_connection_refused_on_a_real_socket_is_connection_failed(sleeps: list[float]) -> None:
    port = closed_port()
    client = ServiceTradeClient(
        f"http://127.0.0.1:{port}/api", Token("t"), retry=RetryPolicy(attempts=3), clock=VirtualClock(sleeps=sleeps), timeout=5
    )
    with pytest.raises(ConnectionFailed) as caught, client:
        client.list_invoices()
    assert str(caught.value) == (
        f"Could not reach ServiceTrade at http://127.0.0.1:{port}/api (connection refused) for GET /invoice "
        "after 3 tries. Check the internet connection and the Base URL on the Settings sheet."
    )
    assert isinstance(caught.value.__cause__, requests.ConnectionError)
    assert sleeps == [0.5, 1.0] and client.request_count == 3


def test_time_outs_are_retried_then_connection_failed(sleeps: list[float]) -> None:
    def never_answers(request: requests.PreparedRequest) -> Reply:
        raise requests.ReadTimeout("read timed out")

    client = ServiceTradeClient(BASE, Token("t"), session=session_with_handler(never_answers), clock=VirtualClock(sleeps=sleeps))
    with pytest.raises(ConnectionFailed, match=r"\(no answer within 30 s\) for GET /invoice/5 after 5 tries"):
        client.get_invoice(5)
    assert len(sleeps) == 4


def test_a_bad_certificate_is_not_retried(sleeps: list[float]) -> None:
    def bad_certificate(request: requests.PreparedRequest) -> Reply:
        raise requests.exceptions.SSLError("certificate verify failed")

    client = ServiceTradeClient(BASE, Token("t"), session=session_with_handler(bad_certificate), clock=VirtualClock(sleeps=sleeps))
    with pytest.raises(ConnectionFailed, match="security certificate could not be verified"):
        client.get_invoice(5)
    assert sleeps == [] and client.request_count == 1


# -- base URL --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8765/api", "http://localhost:8765/api/", "http://[::1]:8765/api", BASE]
)
def test_https_or_loopback_http_is_accepted(url: str) -> None:
    assert check_base_url(url) == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    [
        "http://api.servicetrade.com/api",
        "ftp://api.servicetrade.com/api",
        "api.servicetrade.com",
        "https://",
        "https://api.service trade.com/api",
    ],
)
def test_other_base_urls_are_config_errors(url: str) -> None:
    with pytest.raises(ConfigError, match="Base URL"):
        ServiceTradeClient(url, Token("t"))


def test_a_base_url_with_a_password_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigError) as caught:
        check_base_url(f"https://clerk:{SECRET}@api.servicetrade.com/api")
    assert SECRET not in str(caught.value)


# -- secrets ---------------------------------------------------------------------------------


def test_the_password_never_appears_in_messages_logs_or_reprs(
    fake: FakeServiceTrade, sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    scenarios: list[Callable[[], None]] = [
        lambda: make_client(fake, sleeps, credentials=Password("clerk@example.com", SECRET + "x")).login(),
        lambda: make_client(fake, sleeps).get_invoice(1),
    ]
    fake.faults[("POST", "/auth")] = [reply(500)] * 5
    scenarios.insert(0, lambda: make_client(fake, sleeps).login())
    for scenario in scenarios:
        with pytest.raises(ServiceTradeError) as caught:
            scenario()
        errors.append(caught.value)
    client = make_client(fake, sleeps)
    fake.sessions.clear()
    client.list_invoices()
    client.close()

    chain = [e for err in errors for e in (err, err.__cause__, err.__context__) if e is not None]
    texts = [str(e) for e in chain] + [repr(e) for e in chain]
    texts += [r.getMessage() for r in caplog.records] + [repr(r.args) for r in caplog.records]
    texts += [repr(Password("u", SECRET)), str(Password("u", SECRET)), repr(client.__dict__)]
    assert caplog.records and all(SECRET not in text for text in texts)
    assert repr(Token(SECRET)) == "Token('***')"


# -- a server that lies, stalls or echoes secrets ----------------------------------------------


def listing(key: str, records: list[dict[str, Any]], total_pages: int, total_count: int | None) -> Reply:
    """One page of a listing that says whatever it is told to."""
    data: dict[str, Any] = {key: records, "page": 1, "totalPages": total_pages}
    if total_count is not None:
        data["totalCount"] = total_count
    return json_reply(200, {"data": data, "messages": {}})


@pytest.mark.parametrize(
    ("pages", "count", "said"),
    [
        (10**6, 5, "1,000,000 pages for 5 records"),
        (10**6, None, "1,000,000 pages, more than the 500 stac_xl reads in one go"),
        (1, 4001, "1 page for 4,001 records"),
    ],
    ids=["count-says-otherwise", "beyond-the-ceiling", "too-few-pages"],
)
def test_a_page_count_that_does_not_add_up_is_refused_after_page_one(
    fake: FakeServiceTrade, sleeps: list[float], pages: int, count: int | None, said: str
) -> None:
    fake.faults[("GET", "/invoice")] = [listing("invoices", fake.invoices, pages, count)]
    with pytest.raises(BadResponse) as caught, make_client(fake, sleeps) as client:
        client.list_invoices()
    assert str(caught.value) == (
        f"ServiceTrade's listing of GET /invoice does not add up ({said}); stac_xl stopped rather than ask "
        "for every page. Try again later, or fetch a shorter date range."
    )
    assert len(fake.calls("GET", "/invoice")) == 1


def test_a_server_that_pages_smaller_than_asked_is_read_to_the_end(sleeps: list[float]) -> None:
    fake = FakeServiceTrade([invoice(n) for n in range(1, 8)], page_size=3)  # it ignores limit=2000
    with make_client(fake, sleeps) as client:
        assert [i["id"] for i in client.list_invoices()] == [700000 + n for n in range(1, 8)]
    assert len(fake.calls("GET", "/invoice")) == 3


def test_the_time_limit_stops_the_back_off_before_it_would_overrun(fake: FakeServiceTrade) -> None:
    clock = VirtualClock()
    fake.faults[("GET", "/invoice")] = [reply(503)] * 5
    client = ServiceTradeClient(BASE, Password("clerk@example.com", SECRET), session=session_with_handler(fake.handler),
                                clock=clock, time_limit=TimeLimit(3.0, "Fetch time limit (minutes)"))
    with pytest.raises(ConnectionFailed) as caught, client:
        client.list_invoices()
    assert str(caught.value) == (
        "ServiceTrade did not finish within 3 seconds, the Fetch time limit (minutes) on the Settings sheet; "
        "stac_xl stopped at GET /invoice. Try again later, or raise the Fetch time limit (minutes)."
    )
    assert clock.sleeps == [0.5, 1.0]  # the next wait (2 s) would end past the limit: not slept
    assert fake.calls("DELETE", "/auth"), "signing out happens even after the limit"


def test_each_request_waits_at_most_the_time_left(fake: FakeServiceTrade) -> None:
    clock = VirtualClock()
    client = ServiceTradeClient(BASE, Password("clerk@example.com", SECRET), session=session_with_handler(fake.handler),
                                clock=clock, timeout=30.0, time_limit=TimeLimit(60.0, "Fetch time limit (minutes)"))
    with client:
        clock.advance(50.0)
        client.get_invoice(700001)
    timeouts = [c.timeout for c in adapter_of(client._session).calls]
    assert timeouts == [30.0, 10.0, 30.0]  # sign in, the late request, sign out (not time-limited)


def test_the_retry_budget_is_shared_by_every_request_of_a_client(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    fake.faults[("GET", "/invoice/700001")] = [reply(503)] * 2
    fake.faults[("GET", "/invoice/700002")] = [reply(503)] * 10
    with make_client(fake, sleeps, retry=RetryPolicy(attempts=10, budget=3)) as client:
        assert client.get_invoice(700001)["id"] == 700001  # spends two of the three retries
        with pytest.raises(ServerError, match=r"\(HTTP 503\) to GET /invoice/700002 after 2 tries"):
            client.get_invoice(700002)
    assert len(fake.calls("GET", "/invoice/700002")) == 2 and sleeps == [0.5, 1.0, 0.5]


def test_the_servers_error_text_loses_cookies_and_tokens_and_keeps_one_sentence(
    fake: FakeServiceTrade, sleeps: list[float]
) -> None:
    echo = (
        "Bad request for session PHPSESSID=sess-1; path=/ (Cookie: PHPSESSID=sess-1) with token "
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08. Contact support. Bearer abc.def"
    )
    fake.faults[("GET", "/invoice/700001")] = [json_reply(400, {"messages": {"error": [echo]}, "data": None})]
    with pytest.raises(ServiceTradeError) as caught, make_client(fake, sleeps) as client:
        client.get_invoice(700001)
    message = str(caught.value)
    assert message == (
        "ServiceTrade rejected GET /invoice/700001 (HTTP 400: Bad request for session [removed]; path=/ ([removed]) "
        "with token [removed]). Check the values sent and try again."
    )
    assert "sess-1" not in message and "9f86d0" not in message and "Contact support" not in message


# -- redirects -------------------------------------------------------------------------------


def test_a_307_from_auth_is_not_followed_even_to_the_same_host(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    fake.faults[("POST", "/auth")] = [reply(307, {"Location": "https://api.servicetrade.com/api/auth2"})]
    client = make_client(fake, sleeps)
    with pytest.raises(ServiceTradeError) as caught:
        client.login()
    assert str(caught.value) == (
        "ServiceTrade answered POST /auth with a redirect (HTTP 307) to api.servicetrade.com, which stac_xl does "
        "not follow so your sign-in goes nowhere else. Check the Base URL on the Settings sheet."
    )
    assert [c.url for c in adapter_of(client._session).calls] == [f"{BASE}/auth"]


def test_a_get_redirect_is_followed_within_the_host_and_never_to_another(fake: FakeServiceTrade, sleeps: list[float]) -> None:
    fake.faults[("GET", "/invoice/700001")] = [reply(301, {"Location": "/api/invoice/700002"})]
    fake.faults[("GET", "/invoice/700003")] = [reply(302, {"Location": "https://elsewhere.example/api/invoice/3"})]
    with make_client(fake, sleeps) as client:
        assert client.get_invoice(700001)["id"] == 700002
        with pytest.raises(ServiceTradeError, match=r"redirect \(HTTP 302\) to elsewhere\.example, which stac_xl"):
            client.get_invoice(700003)
    urls = [c.url for c in adapter_of(client._session).calls]
    assert f"{BASE}/invoice/700002" in urls and not any("elsewhere" in url for url in urls)


def test_a_listed_id_that_is_not_a_whole_number_is_refused_not_rounded(sleeps: list[float]) -> None:
    fake = FakeServiceTrade([{"id": 1.8446744073709552e19, "invoiceNumber": "1", "status": "ok"}])
    with (
        pytest.raises(BadResponse, match=r"listed an invoice whose id 1\.8446744073709552e\+19 is not a whole number"),
        make_client(fake, sleeps) as client,
    ):
        client.list_invoices()
    assert [s.path for s in fake.seen if s.path.startswith("/invoice/")] == []


# -- a listing that moves while it is paged --------------------------------------------------


def test_only_the_pages_read_from_the_older_listing_are_read_again(sleeps: list[float]) -> None:
    fake = FakeServiceTrade([invoice(n) for n in range(1, 11)], page_size=2)
    grown = threading.Event()

    def one_more_after_page_three(seen: Seen) -> Reply | None:
        if seen.path == "/invoice" and seen.query["page"] == "3" and not grown.is_set():
            fake.invoices.insert(0, invoice(0))  # 11 records now: every later one shifts on
            grown.set()
        return None

    fake.on_request = one_more_after_page_three
    with make_client(fake, sleeps, concurrency=1) as client:
        ids = [i["id"] for i in client.list_invoices()]
    assert ids == [700000 + n for n in range(0, 11)]
    reads = Counter(int(s.query["page"]) for s in fake.calls("GET", "/invoice"))
    assert reads == {1: 2, 2: 2, 3: 1, 4: 1, 5: 1, 6: 1}  # pages 1-2 again, page 6 is new


def test_a_listing_that_never_settles_is_one_sentence(sleeps: list[float]) -> None:
    fake = FakeServiceTrade([invoice(n) for n in range(1, 11)], page_size=2)
    answers = itertools.count()

    def count_flips_every_answer(seen: Seen) -> Reply | None:
        if seen.path != "/invoice":
            return None
        page, n = int(seen.query["page"]), next(answers)
        chunk = fake.invoices[(page - 1) * 2 : page * 2]
        return listing("invoices", chunk, 5, 10 - n % 2)  # 10, 9, 10, 9…: five pages either way

    fake.on_request = count_flips_every_answer
    with pytest.raises(BadResponse) as caught, make_client(fake, sleeps, concurrency=1) as client:
        client.list_invoices()
    assert str(caught.value) == (
        "The list of GET /invoice kept changing while stac_xl read it, even after reading it again 5 times "
        "(someone is adding or changing many records right now). Try again in a few minutes."
    )
