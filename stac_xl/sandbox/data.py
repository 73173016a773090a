"""Deterministic made-up ServiceTrade data: companies, locations, jobs and invoices.

The same ``seed`` and ``today`` always give identical data. Money is computed with
``Decimal`` (line total = round-half-up(quantity × price), tax = round-half-up(7.25 % of the
taxable subtotal), total = subtotal + tax exactly) and emitted as JSON numbers in dollars,
as ServiceTrade does. The ground-truth helpers answer what a correct client should have
fetched, so tests can compare without re-implementing the filters.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from stac_xl.sandbox import vocab
from stac_xl.sandbox.lines import LineMaker, money

TAX_RATE = Decimal("0.0725")
CENT = Decimal("0.01")
DAYS = 30  # created dates span the 30 days up to and including today
PLACEHOLDER_BASE = "http://127.0.0.1/api"  # replaced by the real URL when a server starts


def round_cents(value: Decimal) -> Decimal:
    """Round to cents, halves away from zero (what accounting systems do)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class SandboxData:
    """Everything the sandbox serves. Invoices are full dicts, items included, sorted by id.

    The sandbox mutates this object (PUT changes ``status``/``updated``; starting a server
    rewrites every ``uri``), so the ground-truth helpers always agree with what it serves.
    """

    companies: list[dict[str, Any]]
    locations: list[dict[str, Any]]
    jobs: list[dict[str, Any]]
    invoices: list[dict[str, Any]]
    today: date
    tz: str
    base_url: str = PLACEHOLDER_BASE
    by_id: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.by_id = {inv["id"]: inv for inv in self.invoices}

    @classmethod
    def generate(cls, *, invoices: int, seed: int, today: date, tz: str = "America/New_York") -> SandboxData:
        """Make ``invoices`` invoices created over the 30 days up to ``today`` in ``tz``."""
        if invoices < 0:
            raise ValueError("invoices must be >= 0")
        return _Generator(random.Random(seed), today, ZoneInfo(tz)).build(invoices, tz)

    def rebase(self, base_url: str) -> None:
        """Point every ``uri`` at ``base_url`` (e.g. ``http://127.0.0.1:5000/api``)."""
        old, new = self.base_url, base_url.rstrip("/")
        refs: list[dict[str, Any]] = [*self.companies, *self.locations, *self.jobs]
        for inv in self.invoices:
            refs.append(inv)
            refs.extend(inv[k] for k in ("customer", "location", "job") if inv[k] is not None)
        for loc in self.locations:
            refs.append(loc["company"])
        for ref in refs:
            if ref["uri"].startswith(old):
                ref["uri"] = new + ref["uri"][len(old):]
        self.base_url = new

    def invoices_in_range(
        self, *, created_after: int | None, created_before: int | None, statuses: list[str] | None
    ) -> list[dict[str, Any]]:
        """Invoices with ``created`` on or after / on or before the bounds, in the statuses."""
        wanted = set(statuses) if statuses else None
        return [
            inv for inv in self.invoices
            if (created_after is None or inv["created"] >= created_after)
            and (created_before is None or inv["created"] <= created_before)
            and (wanted is None or inv["status"] in wanted)
        ]

    def expected_row_count(
        self, *, created_after: int | None, created_before: int | None, statuses: list[str] | None
    ) -> int:
        """Rows the *Invoices* sheet should get: one per line, one for a line-less invoice."""
        found = self.invoices_in_range(
            created_after=created_after, created_before=created_before, statuses=statuses
        )
        return sum(max(1, len(inv["items"])) for inv in found)


class _Generator:
    """One generation run; holds the RNG and the id counters."""

    def __init__(self, rng: random.Random, today: date, zone: ZoneInfo):
        self.rng = rng
        self.today = today
        self.zone = zone
        self.lines = LineMaker(rng)
        self.companies: list[dict[str, Any]] = []
        self.locations: list[dict[str, Any]] = []
        self.jobs: list[dict[str, Any]] = []
        self.jobs_at: dict[int, list[dict[str, Any]]] = {}
        self.exempt: set[int] = set()  # company ids that pay no sales tax

    def build(self, count: int, tz: str) -> SandboxData:
        self._customers(count)
        created = sorted(self._created_times(count))
        statuses, weights = zip(*vocab.STATUS_WEIGHTS)
        invoices = []
        for n, stamp in enumerate(created):
            status = self.rng.choices(statuses, weights)[0]
            invoices.append(self._invoice(700001 + n, 10001 + n, stamp, status))
        return SandboxData(self.companies, self.locations, self.jobs, invoices, self.today, tz)

    def _midnight(self, day: date) -> int:
        return int(datetime(day.year, day.month, day.day, tzinfo=self.zone).timestamp())

    def _created_times(self, count: int) -> list[int]:
        days = [self.today - timedelta(days=k) for k in range(DAYS)]
        midnights = [self._midnight(d) for d in days]
        # Office hours 07:00-18:59 local: inside the day even on DST change days.
        return [self.rng.choice(midnights) + self.rng.randint(7 * 3600, 19 * 3600 - 1) for _ in range(count)]

    def _customers(self, invoice_count: int) -> None:
        more = list(vocab.COMPANIES_MORE)
        self.rng.shuffle(more)
        pool = vocab.COMPANIES_ALWAYS + more
        wanted = min(len(pool), max(len(vocab.COMPANIES_ALWAYS), invoice_count // 25))
        for n, (name, kind) in enumerate(pool[:wanted]):
            company = self._company(1001 + n, name)
            if kind in vocab.TAX_EXEMPT_KINDS:
                self.exempt.add(company["id"])
            self.companies.append(company)
            sites = self.rng.sample(vocab.SITES, self.rng.randint(1, 4))
            for site in sites:
                loc_name = name if len(sites) == 1 else f"{name} — {site}"
                self.locations.append(self._location(2001 + len(self.locations), loc_name, company))

    def _address(self) -> dict[str, str]:
        city, state, postal = self.rng.choice(vocab.CITIES)
        street = f"{self.rng.randint(1, 9800)} {self.rng.choice(vocab.STREETS)}"
        return {"street": street, "city": city, "state": state, "postalCode": postal}

    def _company(self, cid: int, name: str) -> dict[str, Any]:
        return {
            "id": cid, "uri": f"{PLACEHOLDER_BASE}/company/{cid}", "name": name,
            "status": "active", "isCustomer": True, "address": self._address(),
            "phoneNumber": f"919-555-{self.rng.randint(0, 9999):04d}",
        }

    def _location(self, lid: int, name: str, company: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": lid, "uri": f"{PLACEHOLDER_BASE}/location/{lid}", "name": name,
            "status": "active", "address": self._address(),
            "taxable": company["id"] not in self.exempt,
            "company": {"id": company["id"], "uri": company["uri"], "name": company["name"]},
        }

    def _job_for(self, location: dict[str, Any]) -> dict[str, Any] | None:
        if self.rng.random() < 0.15:
            return None  # recurring invoice: no job
        pool = self.jobs_at.setdefault(location["id"], [])
        if pool and self.rng.random() < 0.5:
            return self.rng.choice(pool)
        jid = 3001 + len(self.jobs)
        job = {
            "id": jid, "uri": f"{PLACEHOLDER_BASE}/job/{jid}",
            "number": f"{self.today.year % 100:02d}-{1001 + len(self.jobs)}",
            "name": self.rng.choice(vocab.JOB_NAMES),
        }
        self.jobs.append(job)
        pool.append(job)
        return job

    def _customer_po(self) -> str | None:
        if self.rng.random() < 0.4:
            return None
        style = self.rng.choice(vocab.PO_STYLES)
        return style.format(n=self.rng.randint(1000, 99999), z=f"{self.rng.randint(1, 999):06d}")

    def _invoice(self, iid: int, number: int, created: int, status: str) -> dict[str, Any]:
        location = self.rng.choice(self.locations)
        exempt = location["company"]["id"] in self.exempt
        items = self.lines.invoice_lines(exempt=exempt)
        subtotal = sum((Decimal(str(i["totalPrice"])) for i in items), Decimal("0.00"))
        taxable = sum((Decimal(str(i["totalPrice"])) for i in items if i["taxable"]), Decimal("0.00"))
        tax = round_cents(taxable * TAX_RATE)
        day = datetime.fromtimestamp(created, self.zone).date()
        inv_number = str(number) if self.rng.random() > 0.02 else f"{number}-R"
        updated = created if status in ("ok", "draft") else created + self.rng.randint(600, 72 * 3600)
        job = self._job_for(location)
        return {
            "id": iid, "uri": f"{PLACEHOLDER_BASE}/invoice/{iid}",
            "invoiceNumber": inv_number, "type": "invoice", "status": status,
            "name": f"Invoice {inv_number}",
            "transactionDate": self._midnight(day),
            "dueDate": self._midnight(day + timedelta(days=30)),
            "created": created, "updated": updated,
            "customerPo": self._customer_po(), "terms": {"id": 1, "name": "Net 30"},
            "customer": dict(location["company"]),
            "location": {k: location[k] for k in ("id", "uri", "name")} | {"address": dict(location["address"])},
            "job": dict(job) if job else None,
            "subtotal": money(subtotal), "taxAmount": money(tax), "totalPrice": money(subtotal + tax),
            "items": items,
        }
