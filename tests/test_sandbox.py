"""The ServiceTrade sandbox over real sockets: auth, paging, filters, data, faults, serve()."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from stac_xl.sandbox import FaultConfig, Sandbox, SandboxData
from stac_xl.sandbox.server import NO_FAULTS

TODAY = date(2024, 3, 15)  # DST began in New York on 2024-03-10: inside the 30-day window
TZ = ZoneInfo("America/New_York")
CENT = Decimal("0.01")
ROOT = Path(__file__).resolve().parent.parent


def d(value: Any) -> Decimal:
    """A JSON number as the client reads it."""
    return Decimal(str(value))


def login(base: str, session: requests.Session | None = None) -> requests.Session:
    s = session or requests.Session()
    r = s.post(f"{base}/auth", json={"username": "demo", "password": "demo"})
    assert r.status_code == 200, r.text
    return s


def fetch_all(s: requests.Session, base: str, **params: Any) -> list[dict[str, Any]]:
    out, page = [], 1
    while True:
        r = s.get(f"{base}/invoice", params={**params, "page": page, "limit": 2000})
        assert r.status_code == 200, r.text
        body = r.json()["data"]
        out.extend(body["invoices"])
        if page >= body["totalPages"]:
            return out
        page += 1


@contextmanager
def running(data: SandboxData, faults: FaultConfig = NO_FAULTS, **kwargs: str) -> Iterator[Sandbox]:
    with Sandbox(data, faults, **kwargs) as sb:
        sb.start()
        yield sb


@pytest.fixture(scope="module")
def big() -> SandboxData:
    return SandboxData.generate(invoices=4500, seed=7, today=TODAY)


@pytest.fixture(scope="module")
def big_sb(big: SandboxData) -> Iterator[Sandbox]:
    with running(big) as sb:  # read-only tests share it
        yield sb


@pytest.fixture()
def small() -> SandboxData:
    return SandboxData.generate(invoices=60, seed=3, today=TODAY)


# -- generated data ------------------------------------------------------------------


def test_same_seed_and_day_give_identical_data() -> None:
    a = SandboxData.generate(invoices=300, seed=11, today=TODAY)
    b = SandboxData.generate(invoices=300, seed=11, today=TODAY)
    c = SandboxData.generate(invoices=300, seed=12, today=TODAY)
    assert json.dumps(a.invoices) == json.dumps(b.invoices)
    assert a.companies == b.companies and a.locations == b.locations
    assert json.dumps(a.invoices) != json.dumps(c.invoices)


def test_every_invoice_keeps_the_money_invariant(big: SandboxData) -> None:
    for inv in big.invoices:
        items = inv["items"]
        for item in items:
            expected = (d(item["quantity"]) * d(item["price"])).quantize(CENT, rounding=ROUND_HALF_UP)
            assert d(item["totalPrice"]) == expected, item
        subtotal = sum((d(i["totalPrice"]) for i in items), Decimal(0))
        taxable = sum((d(i["totalPrice"]) for i in items if i["taxable"]), Decimal(0))
        assert d(inv["subtotal"]) == subtotal
        assert d(inv["taxAmount"]) == (taxable * Decimal("0.0725")).quantize(CENT, rounding=ROUND_HALF_UP)
        assert subtotal + d(inv["taxAmount"]) == d(inv["totalPrice"]), inv["id"]


def test_data_has_the_awkward_cases(big: SandboxData) -> None:
    invs = big.invoices
    texts = [i["description"] for inv in invs for i in inv["items"]]
    assert len({inv["invoiceNumber"] for inv in invs}) == len(invs)
    assert [inv["id"] for inv in invs] == sorted(inv["id"] for inv in invs)
    assert 0.01 < sum(inv["totalPrice"] < 0 for inv in invs) / len(invs) < 0.06  # credit memos ~3 %
    assert any(inv["totalPrice"] == 0 and inv["items"] for inv in invs)
    assert any(not inv["items"] for inv in invs)
    assert any(inv["job"] is None for inv in invs) and any(inv["job"] for inv in invs)
    assert all(re.fullmatch(r"24-\d{4}", inv["job"]["number"]) for inv in invs if inv["job"])
    assert any(isinstance(i["quantity"], float) for inv in invs for i in inv["items"])
    assert any(t[0] in "=+-@" for t in texts) and any(len(t) > 300 for t in texts)
    assert any("\n" in t for t in texts) and any("\t" in t for t in texts) and any('"' in t for t in texts)
    assert any("°F" in t for t in texts) and any("Prüfung" in t for t in texts)
    assert any((inv["customerPo"] or "x")[0] == "0" for inv in invs)
    names = {c["name"] for c in big.companies}
    assert {"Café Olé, LLC", "Müller Bäckerei"} <= names
    assert {inv["status"] for inv in invs} >= {"ok", "processed", "pending_accounting", "sent", "paid", "void", "draft"}
    assert min(len([x for x in big.locations if x["company"]["id"] == c["id"]]) for c in big.companies) >= 1


def test_dates_are_local_days_in_the_last_30(big: SandboxData) -> None:
    first = TODAY - timedelta(days=29)
    for inv in big.invoices:
        local = datetime.fromtimestamp(inv["created"], TZ)
        assert first <= local.date() <= TODAY
        midnight = datetime(local.year, local.month, local.day, tzinfo=TZ)
        assert inv["transactionDate"] == int(midnight.timestamp())
        due = datetime.combine(local.date() + timedelta(days=30), datetime.min.time(), TZ)
        assert inv["dueDate"] == int(due.timestamp())
        assert inv["updated"] >= inv["created"]


# -- authentication ------------------------------------------------------------------


def test_start_stop_and_context_manager(small: SandboxData) -> None:
    sb = Sandbox(small)
    with pytest.raises(RuntimeError):
        _ = sb.base_url
    with sb:
        url = sb.start(0)
        assert sb.start(0) == url == sb.base_url
        assert requests.get(f"{url}/auth").status_code == 404
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/auth", timeout=5)


def test_login_logout_and_refusals(small: SandboxData) -> None:
    with running(small) as sb:
        base = sb.base_url
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api", base)
        assert requests.post(f"{base}/auth", json={"username": "demo", "password": "nope"}).status_code == 403
        bad = requests.post(f"{base}/auth", json={"username": "demo"})
        assert bad.status_code == 400 and bad.json()["messages"]["error"]
        garbled = requests.post(f"{base}/auth", data=b"{not json", headers={"Content-Type": "application/json"})
        assert garbled.status_code == 400
        s = requests.Session()
        r = s.post(f"{base}/auth", json={"username": "demo", "password": "demo"})
        assert r.json()["data"]["authenticated"] is True
        assert s.cookies["PHPSESSID"] == r.json()["data"]["authToken"]
        assert sb.sessions_open == 1
        assert s.get(f"{base}/auth").json()["data"]["user"]["username"] == "demo"
        assert s.delete(f"{base}/auth").status_code == 200
        assert sb.sessions_open == 0
        assert s.get(f"{base}/auth").status_code == 404
        assert sb.stats["logins"] == 1 and sb.stats["logouts"] == 1


def test_cookie_bearer_and_no_credentials(small: SandboxData) -> None:
    with running(small, token="api-token-1") as sb:
        base = sb.base_url
        anon = requests.get(f"{base}/invoice")
        assert anon.status_code == 401 and anon.json()["data"] is None
        assert isinstance(anon.json()["messages"]["error"][0], str)
        assert requests.get(f"{base}/invoice", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert requests.get(f"{base}/invoice", headers={"Authorization": "Bearer api-token-1"}).status_code == 200
        token = login(base).cookies["PHPSESSID"]
        assert requests.get(f"{base}/invoice", cookies={"PHPSESSID": token}).status_code == 200
        assert requests.get(f"{base}/invoice", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert requests.delete(f"{base}/auth", cookies={"PHPSESSID": token}).status_code == 200
        assert requests.get(f"{base}/invoice", cookies={"PHPSESSID": token}).status_code == 401


def test_sessions_open_counts_every_session_until_logout(small: SandboxData) -> None:
    with running(small) as sb:
        sessions = [login(sb.base_url) for _ in range(3)]
        assert sb.sessions_open == 3
        for s in sessions:
            s.delete(f"{sb.base_url}/auth")
        assert sb.sessions_open == 0


# -- listing, paging, filters ----------------------------------------------------------


def test_paging_with_limit_2000(big_sb: Sandbox, big: SandboxData) -> None:
    s, base = login(big_sb.base_url), big_sb.base_url
    pages = [s.get(f"{base}/invoice", params={"limit": 2000, "page": p}).json()["data"] for p in (1, 2, 3, 4)]
    assert [len(p["invoices"]) for p in pages] == [2000, 2000, 500, 0]
    assert {p["totalPages"] for p in pages} == {3} and {p["totalCount"] for p in pages} == {4500}
    ids = [inv["id"] for p in pages for inv in p["invoices"]]
    assert ids == sorted(ids) == [inv["id"] for inv in big.invoices]
    assert pages[0]["invoices"][0]["uri"] == f"{base}/invoice/{ids[0]}"
    default = s.get(f"{base}/invoice").json()["data"]
    assert len(default["invoices"]) == 2000
    too_many = s.get(f"{base}/invoice", params={"limit": 2001})
    assert too_many.status_code == 400 and "2000" in too_many.json()["messages"]["error"][0]
    assert s.get(f"{base}/invoice", params={"createdAfter": "soon"}).status_code == 400
    none = s.get(f"{base}/invoice", params={"createdAfter": 4_000_000_000}).json()["data"]
    assert none == {"invoices": [], "page": 1, "totalPages": 0, "totalCount": 0}


def test_filters_are_inclusive(big_sb: Sandbox, big: SandboxData) -> None:
    s, base = login(big_sb.base_url), big_sb.base_url
    pivot = big.invoices[1234]
    c, t = pivot["created"], pivot["transactionDate"]

    def ids(**params: Any) -> set[int]:
        return {inv["id"] for inv in fetch_all(s, base, **params)}

    assert pivot["id"] in ids(createdAfter=c, createdBefore=c)
    assert pivot["id"] not in ids(createdAfter=c + 1) | ids(createdBefore=c - 1)
    same_day = ids(transactionDateAfter=t, transactionDateBefore=t)
    assert same_day == {inv["id"] for inv in big.invoices if inv["transactionDate"] == t}
    assert ids(status="ok,paid") == {inv["id"] for inv in big.invoices if inv["status"] in ("ok", "paid")}
    assert len(ids(type="invoice")) == 4500 and ids(type="vendorbill") == set()
    assert s.get(f"{base}/invoice", params={"status": "bogus"}).status_code == 400
    cust = pivot["customer"]["id"]
    assert ids(customerId=cust) == {inv["id"] for inv in big.invoices if inv["customer"]["id"] == cust}


def test_ground_truth_matches_what_paging_returns(big_sb: Sandbox, big: SandboxData) -> None:
    s, base = login(big_sb.base_url), big_sb.base_url
    after = int(datetime.combine(TODAY - timedelta(days=20), datetime.min.time(), TZ).timestamp())
    before = int(datetime.combine(TODAY - timedelta(days=5), datetime.max.time(), TZ).timestamp())
    got = fetch_all(s, base, createdAfter=after, createdBefore=before, status="ok")
    truth = big.invoices_in_range(created_after=after, created_before=before, statuses=["ok"])
    assert [inv["id"] for inv in got] == [inv["id"] for inv in truth] and len(got) > 500
    rows = sum(max(1, len(inv["items"])) for inv in got)
    assert rows == big.expected_row_count(created_after=after, created_before=before, statuses=["ok"])
    assert big.expected_row_count(created_after=None, created_before=None, statuses=None) >= 4500


def test_companies_and_locations(big_sb: Sandbox, big: SandboxData) -> None:
    s, base = login(big_sb.base_url), big_sb.base_url
    companies = s.get(f"{base}/company", params={"limit": 2000}).json()["data"]
    assert [c["id"] for c in companies["companies"]] == [c["id"] for c in big.companies]
    locs = s.get(f"{base}/location").json()["data"]  # ServiceTrade's default page is 10
    assert len(locs["locations"]) == 10 and locs["totalPages"] == -(-len(big.locations) // 10)
    one = big.companies[0]["id"]
    mine = s.get(f"{base}/location", params={"companyId": one, "limit": 100}).json()["data"]["locations"]
    assert mine and {x["company"]["id"] for x in mine} == {one}


def test_unknown_route_and_method(big_sb: Sandbox) -> None:
    s, base = login(big_sb.base_url), big_sb.base_url
    assert s.get(f"{base}/nonsense").status_code == 404
    assert s.get(f"{base}/invoice/999").json() == {"messages": {"error": ["Not found"]}, "data": None}
    assert s.delete(f"{base}/invoice").status_code == 405
    assert s.get(f"{base}/invoice").headers["x-request-id"].startswith("sbx-")


# -- single invoices and writes ---------------------------------------------------------


def test_items_in_list_false_omits_items(small: SandboxData) -> None:
    with running(small, FaultConfig(items_in_list=False)) as sb:
        s = login(sb.base_url)
        listed = s.get(f"{sb.base_url}/invoice").json()["data"]["invoices"]
        assert listed and all("items" not in inv for inv in listed)
        some = next(inv for inv in small.invoices if inv["items"])
        one = s.get(f"{sb.base_url}/invoice/{some['id']}").json()["data"]
        assert one["items"] == some["items"] and one["totalPrice"] == some["totalPrice"]


def test_put_status_and_void_refusal(small: SandboxData) -> None:
    with running(small) as sb:
        s, base = login(sb.base_url), sb.base_url
        target = next(inv for inv in small.invoices if inv["status"] == "ok")
        before = target["updated"]
        r = s.put(f"{base}/invoice/{target['id']}", json={"status": "processed"})
        assert r.status_code == 200 and r.json()["data"]["status"] == "processed"
        fetched = s.get(f"{base}/invoice/{target['id']}").json()["data"]
        assert fetched["status"] == "processed" and fetched["updated"] > before
        assert target["id"] not in {i["id"] for i in fetch_all(s, base, status="ok")}
        assert s.put(f"{base}/invoice/{target['id']}", json={"status": "done"}).status_code == 400
        assert s.put(f"{base}/invoice/{target['id']}", json={"status": ["ok"]}).status_code == 400
        assert s.put(f"{base}/invoice/{target['id']}", json={"notes": "x"}).status_code == 400
        garbled = s.put(f"{base}/invoice/{target['id']}", data=b"{", headers={"Content-Type": "application/json"})
        assert garbled.status_code == 400
        assert s.put(f"{base}/invoice/1", json={"status": "ok"}).status_code == 404
        assert s.put(f"{base}/invoice/{target['id']}", json={"status": "void"}).status_code == 200
        refused = s.put(f"{base}/invoice/{target['id']}", json={"status": "ok"})
        assert refused.status_code == 400 and "void" in refused.json()["messages"]["error"][0]
        assert small.by_id[target["id"]]["status"] == "void"


# -- faults ---------------------------------------------------------------------------


def statuses(sb: Sandbox, n: int) -> list[int]:
    s = requests.Session()
    s.headers["Authorization"] = "Bearer demo-token"
    return [s.get(f"{sb.base_url}/invoice", params={"limit": 5}).status_code for _ in range(n)]


def test_error_rate_gives_503_share_deterministically(small: SandboxData) -> None:
    with running(small, FaultConfig(error_rate=0.3, seed=5)) as sb:
        first = statuses(sb, 200)
        assert set(first) == {200, 503}
        assert 40 <= first.count(503) <= 80
        assert sb.stats["503"] == first.count(503)
    with running(small, FaultConfig(error_rate=0.3, seed=5)) as sb:
        assert statuses(sb, 200) == first


def test_503_body_is_servicetrade_shaped(small: SandboxData) -> None:
    with running(small, FaultConfig(error_rate=1.0)) as sb:
        r = requests.get(f"{sb.base_url}/invoice")
        assert r.status_code == 503 and r.json()["data"] is None and r.json()["messages"]["error"]


def test_rate_limit_every_kth_request(small: SandboxData) -> None:
    with running(small, FaultConfig(rate_limit_every=3, retry_after_s=2)) as sb:
        s = requests.Session()
        s.headers["Authorization"] = "Bearer demo-token"
        replies = [s.get(f"{sb.base_url}/invoice", params={"limit": 1}) for _ in range(9)]
        assert [r.status_code for r in replies] == [200, 200, 429] * 3
        assert all(r.headers["Retry-After"] == "2" for r in replies if r.status_code == 429)
        assert sb.stats["429"] == 3


def test_fault_counting_is_thread_safe(small: SandboxData) -> None:
    with running(small, FaultConfig(rate_limit_every=5)) as sb:
        results: list[list[int]] = []
        workers = [threading.Thread(target=lambda: results.append(statuses(sb, 25))) for _ in range(4)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        codes = [c for chunk in results for c in chunk]
        assert len(codes) == 100 and codes.count(429) == 20
        assert sb.stats["total"] == 100 and sb.stats["GET /invoice"] == 100 and sb.stats["429"] == 20


def test_expired_session_answers_401_and_relogin_works(small: SandboxData) -> None:
    with running(small, FaultConfig(expire_session_every=3)) as sb:
        s, base = login(sb.base_url), sb.base_url
        codes = [s.get(f"{base}/invoice", params={"limit": 1}).status_code for _ in range(3)]
        assert codes == [200, 200, 401] and sb.sessions_open == 0
        assert s.get(f"{base}/invoice").status_code == 401  # the session really is gone
        login(base, s)
        assert s.get(f"{base}/invoice").status_code == 200
        s.delete(f"{base}/auth")
        assert sb.sessions_open == 0 and sb.stats["401-expired"] == 1


def test_malformed_body_is_not_json(small: SandboxData) -> None:
    with running(small, FaultConfig(malformed_rate=1.0)) as sb:
        r = requests.get(f"{sb.base_url}/invoice", headers={"Authorization": "Bearer demo-token"})
        assert r.status_code == 200 and r.content.startswith(b'{"data"')
        with pytest.raises(ValueError):
            json.loads(r.content.decode("utf-8"))
        target = next(inv for inv in small.invoices if inv["status"] == "ok")
        put = requests.put(f"{sb.base_url}/invoice/{target['id']}", json={"status": "void"},
                           headers={"Authorization": "Bearer demo-token"})
        assert put.status_code == 200
        with pytest.raises(ValueError):
            json.loads(put.content.decode("utf-8"))
        assert target["status"] == "ok"  # a cut-short write is not applied
        assert sb.stats["malformed"] == 2


def test_claim_total_pages_lies_about_the_pages_but_not_the_count(small: SandboxData) -> None:
    with running(small, FaultConfig(claim_total_pages=10**6)) as sb:
        data = login(sb.base_url).get(f"{sb.base_url}/invoice", params={"limit": 2000}).json()["data"]
        assert data["totalPages"] == 10**6 and data["totalCount"] == len(small.invoices) == len(data["invoices"])


def test_never_answer_keeps_data_requests_silent_but_lets_sign_in_work(small: SandboxData) -> None:
    with running(small, FaultConfig(never_answer=True)) as sb:
        s = login(sb.base_url)  # /auth still answers
        with pytest.raises(requests.ReadTimeout):
            s.get(f"{sb.base_url}/invoice", timeout=0.2)
        assert sb.stats["silent"] == 1


def test_silent_after_headers_sends_the_status_then_nothing(small: SandboxData) -> None:
    with running(small, FaultConfig(silent_after_headers=True)) as sb:
        s = login(sb.base_url)
        r = s.get(f"{sb.base_url}/invoice", timeout=0.2, stream=True)
        assert r.status_code == 200 and r.headers["Content-Length"] == "1000"
        with pytest.raises(requests.ConnectionError):  # requests' name for a time-out mid-body
            _ = r.content  # reading the body is the point


def test_fault_config_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        FaultConfig(error_rate=1.5)
    with pytest.raises(ValueError):
        FaultConfig(rate_limit_every=-1)


# -- the command-line entry point -------------------------------------------------------


def test_serve_announces_itself_and_stops_on_ctrl_c() -> None:
    code = ("from datetime import date; from stac_xl.sandbox import serve, FaultConfig; "
            "serve(port=0, invoices=20, seed=1, faults=FaultConfig(), today=date(2024, 3, 15))")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            encoding="utf-8", env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert "not ServiceTrade" in line and "username demo, password demo" in line
        url = re.search(r"http://127\.0\.0\.1:\d+/api", line)
        assert url is not None
        assert requests.get(f"{url.group(0)}/auth").status_code == 404
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
