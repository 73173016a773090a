"""Benchmark: fetching invoices with injected latency, against the minimum possible.

Prints, for the sandbox with ``--latency-ms`` per response:
- requests issued vs the minimum (login + one per page + logout, plus one per invoice
  when the list omits the lines);
- wall time vs the lower bound pages ÷ concurrency × latency (the issue's bound) and vs a
  stricter bound that also counts the login, the first page (needed to learn totalPages)
  and the logout, which cannot overlap anything.
Target: within 1.3x of the bound. Also a concurrency-1 run side by side, for the speed-up.

    python bench/fetch.py [--invoices 20000] [--latency-ms 200] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import math
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from stac_xl.servicetrade.client import ServiceTradeClient
from stac_xl.servicetrade.credentials import Password

PAGE = 2000
TINY_ARGS = ["--invoices", "60", "--latency-ms", "20"]  # what tests/test_bench.py runs it with


@contextmanager
def sandbox_process(invoices: int, latency_ms: int) -> Iterator[str]:
    """The sandbox in its own process, as `stac-xl sandbox` runs it: sharing this process's
    GIL would charge the server's work to the client."""
    cmd = [sys.executable, "-m", "stac_xl.cli", "sandbox", "--port", "0", "--invoices", str(invoices),
           "--seed", "3", "--latency-ms", str(latency_ms)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        match = re.search(r"(http://127\.0\.0\.1:\d+/api)", line)
        if not match:
            raise SystemExit(f"the sandbox did not start: {line!r}")
        yield match.group(1)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def timed_fetch(base_url: str, concurrency: int) -> tuple[float, int, int]:
    """(seconds, requests sent, invoices) for one full fetch including login and logout."""
    start = time.perf_counter()
    with ServiceTradeClient(base_url, Password("demo", "demo"), concurrency=concurrency) as client:
        invoices = client.list_invoices(statuses=["ok", "processed", "pending_accounting", "sent", "paid", "void", "draft"])
    elapsed = time.perf_counter() - start
    return elapsed, client.request_count, len(invoices)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--invoices", type=int, default=20000)
    ap.add_argument("--latency-ms", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=4)
    args = ap.parse_args()
    latency = args.latency_ms / 1000
    pages = math.ceil(args.invoices / PAGE)

    with sandbox_process(args.invoices, args.latency_ms) as url:
        timed_fetch(url, args.concurrency)  # warm-up: imports, JSON caches
        seconds, sent, got = timed_fetch(url, args.concurrency)
        serial_seconds, _, _ = timed_fetch(url, 1)

    minimum = pages + 2
    issue_bound = pages / args.concurrency * latency
    strict_bound = (3 + math.ceil((pages - 1) / args.concurrency)) * latency
    print(f"invoices {got}, pages {pages}, latency {args.latency_ms} ms, concurrency {args.concurrency}")
    print(f"requests issued {sent} vs minimum {minimum} (login + {pages} pages + logout): ratio {sent / minimum:.2f}")
    print(f"wall {seconds:.2f} s vs bound pages/concurrency*latency {issue_bound:.2f} s: ratio {seconds / issue_bound:.2f}")
    print(f"wall {seconds:.2f} s vs strict bound (login, first page, rest/concurrency, logout) {strict_bound:.2f} s: "
          f"ratio {seconds / strict_bound:.2f}")
    print(f"concurrency 1 for comparison: {serial_seconds:.2f} s; speed-up {serial_seconds / seconds:.2f}x")
    print(f"target within 1.3x of the strict bound: {'MET' if seconds / strict_bound <= 1.3 else 'NOT MET'}")


if __name__ == "__main__":
    main()
