"""Where the ServiceTrade username/password or token come from, and which host they are for.

A workbook is data that clerks email each other, so its *Base URL* never decides where a
password goes. Credentials are bound to a host:

- ``STAC_TOKEN``, else ``STAC_USERNAME`` + ``STAC_PASSWORD`` (scheduled runs) go only to the
  host named by the command line (``--base-url``) or the environment (``STAC_BASE_URL``), or
  to ServiceTrade's own host when neither names one.
- The OS credential store (Windows Credential Manager, macOS Keychain, Secret Service) keeps
  one sign-in per host: ServiceTrade's own under the service name ``stac_xl`` (as before hosts
  were told apart), any other under ``stac_xl:<host>``, the username under the fixed key
  ``username`` and the password under the username. A host gets only its own sign-in, which
  the clerk makes explicitly (``stac-xl login --base-url``, or the ribbon's Sign in).

A workbook naming another host gets nothing until the clerk signs in there, and is told which
host it asks for. The store is a tiny protocol so tests pass a dict-backed one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol
from urllib.parse import urlsplit

from stac_xl.errors import ConfigError, CredentialsMissing

SERVICE = "stac_xl"
USERNAME_KEY = "username"
ENV_TOKEN = "STAC_TOKEN"
ENV_USERNAME = "STAC_USERNAME"
ENV_PASSWORD = "STAC_PASSWORD"
ENV_BASE_URL = "STAC_BASE_URL"
SERVICETRADE_BASE_URL = "https://api.servicetrade.com/api"  # reference/servicetrade-api.md, section 1

_HOW_TO_FIX = f"run 'stac-xl login' (ribbon: Sign in), or set {ENV_USERNAME} and {ENV_PASSWORD}"


class Origin(Enum):
    """Who named the ServiceTrade address a command uses: the clerk, or the workbook."""

    COMMAND_LINE = "command line"
    ENVIRONMENT = "environment"
    WORKBOOK = "workbook"


def host_of(base_url: str) -> str:
    """The host a sign-in belongs to: ``api.servicetrade.com``, ``127.0.0.1:8765`` (the port
    only when it is not the scheme's own, so two local servers are two hosts)."""
    parts = urlsplit(base_url.strip())
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:  # not a port: the client refuses such a Base URL with its own sentence
        port = None
    if port is not None and port != {"https": 443, "http": 80}.get(parts.scheme):
        host = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return host


SERVICETRADE_HOST = host_of(SERVICETRADE_BASE_URL)


def service_for(host: str) -> str:
    """The credential store's service name for a host's sign-in."""
    return SERVICE if host == SERVICETRADE_HOST else f"{SERVICE}:{host}"


def untrusted_host(base_url: str) -> str:
    """The warning for a workbook that asks for a host other than ServiceTrade's."""
    return (
        f"This workbook asks to sign in to {host_of(base_url)}, which is not ServiceTrade's address; "
        "sign in there only if you trust it"
    )


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
    base_url: str, *, origin: Origin, env: Mapping[str, str] | None = None, store: CredentialStore | None = None
) -> Password | Token:
    """The credentials for ``base_url``, named by ``origin``: the environment's (STAC_TOKEN,
    else STAC_USERNAME+STAC_PASSWORD) if they may go there, else the sign-in saved for its host."""
    host = host_of(base_url)
    from_env = _from_env(os.environ if env is None else env)
    if from_env is not None and (origin is not Origin.WORKBOOK or host == SERVICETRADE_HOST):
        return from_env
    foreign = host != SERVICETRADE_HOST and origin is Origin.WORKBOOK
    cause: CredentialsMissing | None = None
    try:
        saved = _from_store(store or KeyringStore(), host)
    except CredentialsMissing as exc:
        if not foreign:
            raise
        saved, cause = None, exc  # which host the workbook asks for matters more than the store
    if saved is not None:
        return saved
    if foreign:
        raise CredentialsMissing(
            f"{untrusted_host(base_url)} (command line: stac-xl login --base-url {base_url}; ribbon: Sign in)."
        ) from cause
    where = "" if host == SERVICETRADE_HOST else f" for {host}"
    login = "stac-xl login" + ("" if host == SERVICETRADE_HOST else f" --base-url {base_url}")
    raise CredentialsMissing(
        f"No ServiceTrade sign-in is saved on this computer{where}: run '{login}' (ribbon: Sign in), "
        f"or set {ENV_USERNAME} and {ENV_PASSWORD}."
    )


def _from_env(env: Mapping[str, str]) -> Password | Token | None:
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
    return None


def saved_username(base_url: str = SERVICETRADE_BASE_URL, *, store: CredentialStore | None = None) -> str | None:
    """The username saved for ``base_url``'s host, or None (to fill in a sign-in dialog)."""
    return (store or KeyringStore()).get_password(service_for(host_of(base_url)), USERNAME_KEY) or None


def _from_store(store: CredentialStore, host: str) -> Password | None:
    service = service_for(host)
    username = store.get_password(service, USERNAME_KEY)
    if not username:
        return None
    password = store.get_password(service, username)
    if not password:
        raise CredentialsMissing(
            f"The saved ServiceTrade sign-in for {username} has no password: {_HOW_TO_FIX}."
        )
    return Password(username, password)


def store_credentials(
    username: str, password: str, *, base_url: str = SERVICETRADE_BASE_URL, store: CredentialStore | None = None
) -> str:
    """Save username and password for ``base_url``'s host (ServiceTrade's own unless given),
    replacing (and removing) any earlier user of that host; returns the host."""
    username = username.strip()
    if not username or not password:
        raise ConfigError("Enter both the ServiceTrade username and the password to sign in.")
    if username == USERNAME_KEY:
        # The username itself is stored under this key; a user literally named so would clash.
        raise ConfigError(
            f"The username '{USERNAME_KEY}' cannot be saved; set {ENV_USERNAME} and {ENV_PASSWORD} instead."
        )
    store = store or KeyringStore()
    host = host_of(base_url)
    service = service_for(host)
    store.set_password(service, username, password)  # first: a store that fails says "saved"
    previous = store.get_password(service, USERNAME_KEY)
    store.set_password(service, USERNAME_KEY, username)
    if previous and previous != username and store.get_password(service, previous) is not None:
        store.delete_password(service, previous)
    return host


def forget_credentials(*, base_url: str = SERVICETRADE_BASE_URL, store: CredentialStore | None = None) -> bool:
    """Remove the sign-in saved for ``base_url``'s host; True if there was one. Missing entries
    are not an error."""
    store = store or KeyringStore()
    service = service_for(host_of(base_url))
    username = store.get_password(service, USERNAME_KEY)
    if not username:
        return False
    # Delete only what exists: keyring raises on deleting a missing entry.
    if store.get_password(service, username) is not None:
        store.delete_password(service, username)
    store.delete_password(service, USERNAME_KEY)
    return True
