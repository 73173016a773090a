"""Where the ServiceTrade username/password or token come from: environment, then keyring.

Order: ``STAC_TOKEN``; else ``STAC_USERNAME`` + ``STAC_PASSWORD`` (scheduled runs); else the
OS credential store (Windows Credential Manager, macOS Keychain, Secret Service) under the
service name ``stac_xl``: the username under the fixed key ``username``, the password under
the username. The store is a tiny protocol so tests pass a dict-backed one instead of patching.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from stac_xl.errors import ConfigError, CredentialsMissing

SERVICE = "stac_xl"
USERNAME_KEY = "username"
ENV_TOKEN = "STAC_TOKEN"
ENV_USERNAME = "STAC_USERNAME"
ENV_PASSWORD = "STAC_PASSWORD"

_HOW_TO_FIX = f"run 'stac-xl login' (ribbon: Sign in), or set {ENV_USERNAME} and {ENV_PASSWORD}"


@dataclass(frozen=True)
class Password:
    """A ServiceTrade username and password for session login; repr/str hide the password."""

    username: str
    password: str = field(repr=False)

    def __repr__(self) -> str:
        return f"Password(username={self.username!r}, password='***')"

    __str__ = __repr__


@dataclass(frozen=True)
class Token:
    """A ServiceTrade OAuth2 bearer token; repr/str hide it."""

    token: str = field(repr=False)

    def __repr__(self) -> str:
        return "Token('***')"

    __str__ = __repr__


class CredentialStore(Protocol):
    """The three functions of the ``keyring`` module that stac_xl uses."""

    def get_password(self, service_name: str, username: str) -> str | None:
        """The secret stored for (service, username), or None."""
        ...

    def set_password(self, service_name: str, username: str, password: str) -> None:
        """Store a secret for (service, username), replacing any old one."""
        ...

    def delete_password(self, service_name: str, username: str) -> None:
        """Remove the secret for (service, username)."""
        ...


class KeyringStore:
    """The OS credential store through ``keyring``; backend failures become ConfigError.

    keyring backends raise whatever their platform library raises (NoKeyringError, D-Bus
    errors, Windows errors), so this boundary catches ``Exception`` and turns it into one
    sentence; the original stays chained for the log.
    """

    def get_password(self, service_name: str, username: str) -> str | None:
        """Read a secret; an unusable store is CredentialsMissing (env vars still work)."""
        import keyring  # imported late: every ribbon click starts a fresh Python

        try:
            return keyring.get_password(service_name, username)
        except Exception as exc:
            why, advice = _store_trouble(exc)
            raise CredentialsMissing(
                f"The saved sign-in could not be read because {why}; {advice}"
                f"set {ENV_USERNAME} and {ENV_PASSWORD} (or {ENV_TOKEN}) in the environment instead."
            ) from exc

    def set_password(self, service_name: str, username: str, password: str) -> None:
        """Save a secret; an unusable store is a ConfigError naming the alternative."""
        import keyring

        try:
            keyring.set_password(service_name, username, password)
        except Exception as exc:
            why, advice = _store_trouble(exc)
            raise ConfigError(
                f"The sign-in could not be saved because {why}; {advice}"
                f"set {ENV_USERNAME} and {ENV_PASSWORD} in the environment instead."
            ) from exc

    def delete_password(self, service_name: str, username: str) -> None:
        """Remove a secret; an unusable store is a ConfigError."""
        import keyring

        try:
            keyring.delete_password(service_name, username)
        except Exception as exc:
            why, advice = _store_trouble(exc)
            raise ConfigError(
                f"The saved sign-in could not be removed because {why}; {advice}"
                f"remove the '{SERVICE}' entries from the password store by hand."
            ) from exc


def _store_trouble(exc: Exception) -> tuple[str, str]:
    """Why the store failed, in words, and what to try first; the exception's own name means
    nothing to a clerk (it stays chained for the log)."""
    from keyring.errors import NoKeyringError

    if isinstance(exc, NoKeyringError):
        return "this computer has no password store that stac_xl can use", ""
    return "the computer's password store is locked or refused the request", "unlock it and try again, or "


def resolve_credentials(
    *, env: Mapping[str, str] | None = None, store: CredentialStore | None = None
) -> Password | Token:
    """Find credentials: STAC_TOKEN, else STAC_USERNAME+STAC_PASSWORD, else the OS store."""
    env = os.environ if env is None else env
    token = env.get(ENV_TOKEN, "").strip()
    if token:
        return Token(token)
    username = env.get(ENV_USERNAME, "").strip()
    password = env.get(ENV_PASSWORD, "")
    if username and password:
        return Password(username, password)
    if username or password:
        present, absent = (ENV_USERNAME, ENV_PASSWORD) if username else (ENV_PASSWORD, ENV_USERNAME)
        raise CredentialsMissing(
            f"{present} is set but {absent} is not: set both, or unset both to use the sign-in "
            "saved by 'stac-xl login'."
        )
    return _from_store(store or KeyringStore())


def _from_store(store: CredentialStore) -> Password:
    username = store.get_password(SERVICE, USERNAME_KEY)
    if not username:
        raise CredentialsMissing(f"No ServiceTrade sign-in is saved on this computer: {_HOW_TO_FIX}.")
    password = store.get_password(SERVICE, username)
    if not password:
        raise CredentialsMissing(
            f"The saved ServiceTrade sign-in for {username} has no password: {_HOW_TO_FIX}."
        )
    return Password(username, password)


def store_credentials(username: str, password: str, *, store: CredentialStore | None = None) -> None:
    """Save username and password in the OS store, replacing (and removing) any earlier user."""
    username = username.strip()
    if not username or not password:
        raise ConfigError("Enter both the ServiceTrade username and the password to sign in.")
    if username == USERNAME_KEY:
        # The username itself is stored under this key; a user literally named so would clash.
        raise ConfigError(
            f"The username '{USERNAME_KEY}' cannot be saved; set {ENV_USERNAME} and {ENV_PASSWORD} instead."
        )
    store = store or KeyringStore()
    store.set_password(SERVICE, username, password)  # first: a store that fails says "saved"
    previous = store.get_password(SERVICE, USERNAME_KEY)
    store.set_password(SERVICE, USERNAME_KEY, username)
    if previous and previous != username and store.get_password(SERVICE, previous) is not None:
        store.delete_password(SERVICE, previous)


def forget_credentials(*, store: CredentialStore | None = None) -> bool:
    """Remove the saved sign-in; True if there was one. Missing entries are not an error."""
    store = store or KeyringStore()
    username = store.get_password(SERVICE, USERNAME_KEY)
    if not username:
        return False
    # Delete only what exists: keyring raises on deleting a missing entry.
    if store.get_password(SERVICE, username) is not None:
        store.delete_password(SERVICE, username)
    store.delete_password(SERVICE, USERNAME_KEY)
    return True
