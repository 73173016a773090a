"""An in-memory keyring backend: the real ``keyring`` module, with nothing on disk.

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    ...
    keyring.set_keyring(previous)

The ``memory_keyring`` fixture in conftest.py does exactly that around one test.
"""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """Secrets in a dict, keyed by (service, username); deleting a missing one raises, as keyring does."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.entries:
            raise PasswordDeleteError("not found")
        del self.entries[(service, username)]
