"""Fixtures shared by the test files."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
import xl_memory_engine
import xlwings as xw
from memory_keyring import MemoryKeyring
from xl_memory_engine import MemoryEngine


@pytest.fixture()
def engine() -> Iterator[MemoryEngine]:
    """The in-memory xlwings engine, active for one test (the previous engine restored)."""
    previous = xw.engines.active
    engine = xl_memory_engine.install()
    yield engine
    xw.engines.active = previous


@pytest.fixture(autouse=True)
def _own_ledger(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets an export ledger of its own, never the user's (STAC_LEDGER wins)."""
    monkeypatch.setenv("STAC_LEDGER", str(tmp_path_factory.mktemp("ledger") / "ledger.sqlite3"))


@pytest.fixture()
def memory_keyring() -> Iterator[MemoryKeyring]:
    """The real keyring module with an in-memory backend for one test (the previous one restored)."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
