"""Fixtures shared by the test files."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import xl_memory_engine
import xlwings as xw
from xl_memory_engine import MemoryEngine


@pytest.fixture()
def engine() -> Iterator[MemoryEngine]:
    """The in-memory xlwings engine, active for one test (the previous engine restored)."""
    previous = xw.engines.active
    engine = xl_memory_engine.install()
    yield engine
    xw.engines.active = previous
