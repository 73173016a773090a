"""Invoice lines for the sandbox: what was sold, how many, at what price, taxable or not.

About 3 % of invoices are credit memos (every line has a negative quantity), about 1 % are
$0 (no lines at all, or lines at $0.00), and some descriptions are long, non-ASCII, quoted,
multi-line or start with a spreadsheet formula character.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from stac_xl.sandbox import vocab

CENT = Decimal("0.01")
CREDIT_SHARE = 0.03
ZERO_SHARE = 0.01
ODD_SHARE = 0.08  # lines whose description is one of the awkward strings
LONG_SHARE = 0.01  # lines whose description is longer than 300 characters


def money(value: Decimal) -> float:
    """A cents Decimal as a JSON number; the float's repr is the exact two-decimal value."""
    return float(value)


def number(value: Decimal) -> int | float:
    """A quantity as JSON: an int when whole (``1``), else a float (``1.5``)."""
    return int(value) if value == value.to_integral_value() else float(value)


class LineMaker:
    """Makes the ``items`` of one invoice at a time; item ids run on across invoices."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.next_id = 900001
        self.weights = [lib[3] for lib in vocab.LIB_ITEMS]

    def invoice_lines(self, *, exempt: bool) -> list[dict[str, Any]]:
        """The lines of one invoice; ``exempt`` customers get no taxable lines."""
        roll = self.rng.random()
        if roll < ZERO_SHARE / 2:
            return []
        count = self.rng.choices(range(1, 9), vocab.LINE_COUNT_WEIGHTS)[0]
        primary = self.rng.choice(vocab.SERVICE_LINES)
        sign = -1 if ZERO_SHARE <= roll < ZERO_SHARE + CREDIT_SHARE else 1
        free = roll < ZERO_SHARE
        return [self._line(primary, sign=sign, free=free, exempt=exempt) for _ in range(count)]

    def _line(self, primary: tuple[int, str, str, str], *, sign: int, free: bool, exempt: bool) -> dict[str, Any]:
        service = primary if self.rng.random() < 0.8 else self.rng.choice(vocab.SERVICE_LINES)
        lib = self.rng.choices(vocab.LIB_ITEMS, self.weights)[0]
        lib_id, code, lib_name, _, (lo, hi), style, usually_taxable = lib
        price = Decimal(0) if free else Decimal(self.rng.randint(lo, hi)) / 100
        quantity = self._quantity(style) * sign
        total = (quantity * price).quantize(CENT, rounding=ROUND_HALF_UP)
        taxable = (not exempt) and (usually_taxable if self.rng.random() < 0.9 else not usually_taxable)
        item = {
            "id": self.next_id,
            "description": self._description(code, service),
            "quantity": number(quantity), "price": money(price.quantize(CENT)),
            "totalPrice": money(total), "taxable": taxable,
            "libItem": {"id": lib_id, "code": code, "name": lib_name},
            "serviceLine": {"id": service[0], "name": service[1], "abbr": service[2]},
        }
        self.next_id += 1
        return item

    def _quantity(self, style: str) -> Decimal:
        if style == "hours":
            return Decimal(self.rng.randint(2, 24)) / 4  # quarter hours: 0.5 … 6
        if style == "count":
            return Decimal(self.rng.choice([1, 1, 1, 2, 2, 3, 4, 6, 12]))
        if style == "measure":
            return Decimal(self.rng.randint(2, 100)) / 2  # 1, 1.5, … 50 ft or lb
        return Decimal(1)

    def _description(self, code: str, service: tuple[int, str, str, str]) -> str:
        roll = self.rng.random()
        if roll < LONG_SHARE:
            return vocab.LONG_NOTE
        if roll < LONG_SHARE + ODD_SHARE:
            return self.rng.choice(vocab.ODD_DESCRIPTIONS)
        if code == "INSPECTION":
            return f"{self.rng.choice(vocab.PERIODS)} {service[3]}"
        if code in ("LABOR", "LABOR-OT"):
            return self.rng.choice(vocab.LABOR) + (" (overtime)" if code == "LABOR-OT" else "")
        if code == "PARTS":
            return self.rng.choice(vocab.PARTS)
        if code == "MATERIAL":
            return self.rng.choice(vocab.MATERIALS)
        if code == "TRIP":
            return f"Trip charge — {service[1]}"
        if code == "PERMIT":
            return "City of Raleigh permit fee"
        return f"{service[1]}: {code.lower()}"
