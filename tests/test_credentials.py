"""Where credentials come from (environment first, then the OS credential store), and which
host they may go to: a workbook's Base URL never decides where a password goes."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError
from memory_keyring import MemoryKeyring

from stac_xl.errors import ConfigError, CredentialsMissing
from stac_xl.servicetrade.credentials import (
    SERVICETRADE_BASE_URL,
    KeyringStore,
    Origin,
    Password,
    Token,
    forget_credentials,
    host_of,
    resolve_credentials,
    saved_username,
    store_credentials,
)

ST = SERVICETRADE_BASE_URL
OTHER = "https://st.example.com/api"


class DictStore:
    """A CredentialStore in a dict; like keyring, deleting a missing entry raises."""

    def __init__(self, entries: dict[tuple[str, str], str] | None = None) -> None:
        self.entries = dict(entries or {})

    def get_password(self, service_name: str, username: str) -> str | None:
        return self.entries.get((service_name, username))

    def set_password(self, service_name: str, username: str, password: str) -> None:
        self.entries[(service_name, username)] = password

    def delete_password(self, service_name: str, username: str) -> None:
        if (service_name, username) not in self.entries:
            raise PasswordDeleteError("not found")
        del self.entries[(service_name, username)]


SAVED = {("stac_xl", "username"): "saved@example.com", ("stac_xl", "saved@example.com"): "saved-pw"}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"STAC_TOKEN": "tok", "STAC_USERNAME": "env@example.com", "STAC_PASSWORD": "env-pw"}, Token("tok")),
        ({"STAC_USERNAME": "env@example.com", "STAC_PASSWORD": "env-pw"}, Password("env@example.com", "env-pw")),
        ({"STAC_TOKEN": "  ", "STAC_USERNAME": " env@example.com "}, None),
        ({}, Password("saved@example.com", "saved-pw")),
        ({"STAC_TOKEN": ""}, Password("saved@example.com", "saved-pw")),
    ],
)
def test_resolution_order_is_token_then_environment_then_store(
    env: dict[str, str], expected: Password | Token | None
) -> None:
    if expected is None:
        with pytest.raises(CredentialsMissing, match="STAC_USERNAME is set but STAC_PASSWORD is not"):
            resolve_credentials(ST, origin=Origin.WORKBOOK, env=env, store=DictStore(SAVED))
    else:
        assert resolve_credentials(ST, origin=Origin.WORKBOOK, env=env, store=DictStore(SAVED)) == expected


def test_password_without_username_in_the_environment_says_so() -> None:
    with pytest.raises(CredentialsMissing, match="STAC_PASSWORD is set but STAC_USERNAME is not"):
        resolve_credentials(ST, origin=Origin.WORKBOOK, env={"STAC_PASSWORD": "pw"}, store=DictStore(SAVED))


def test_nothing_anywhere_says_how_to_fix_it() -> None:
    with pytest.raises(CredentialsMissing) as caught:
        resolve_credentials(ST, origin=Origin.WORKBOOK, env={}, store=DictStore())
    assert str(caught.value) == (
        "No ServiceTrade sign-in is saved on this computer: run 'stac-xl login' (ribbon: Sign in), "
        "or set STAC_USERNAME and STAC_PASSWORD."
    )


def test_a_saved_username_without_password_is_missing_credentials() -> None:
    store = DictStore({("stac_xl", "username"): "saved@example.com"})
    with pytest.raises(CredentialsMissing, match=r"sign-in for saved@example\.com has no password"):
        resolve_credentials(ST, origin=Origin.WORKBOOK, env={}, store=store)


def test_store_then_resolve_round_trips() -> None:
    store = DictStore()
    store_credentials(" clerk@example.com ", "pw-1", store=store)
    assert resolve_credentials(ST, origin=Origin.WORKBOOK, env={}, store=store) == Password("clerk@example.com", "pw-1")
    assert store.entries == {("stac_xl", "username"): "clerk@example.com", ("stac_xl", "clerk@example.com"): "pw-1"}


def test_storing_another_user_removes_the_old_password() -> None:
    store = DictStore(SAVED)
    store_credentials("new@example.com", "pw-2", store=store)
    assert store.entries == {("stac_xl", "username"): "new@example.com", ("stac_xl", "new@example.com"): "pw-2"}


@pytest.mark.parametrize(("username", "password"), [("", "pw"), ("u", ""), ("  ", "pw"), ("username", "pw")])
def test_storing_incomplete_or_clashing_credentials_is_refused(username: str, password: str) -> None:
    store = DictStore()
    with pytest.raises(ConfigError):
        store_credentials(username, password, store=store)
    assert store.entries == {}


def test_forget_removes_the_saved_sign_in() -> None:
    store = DictStore(SAVED)
    assert forget_credentials(store=store) is True
    assert store.entries == {}
    assert forget_credentials(store=store) is False


def test_forget_tolerates_a_username_whose_password_is_gone() -> None:
    store = DictStore({("stac_xl", "username"): "saved@example.com"})
    assert forget_credentials(store=store) is True
    assert store.entries == {}


def test_reprs_hide_secrets() -> None:
    assert repr(Password("clerk", "hunter2")) == "Password(username='clerk', password='***')"
    assert "hunter2" not in str(Password("clerk", "hunter2"))
    assert str(Token("abc.def")) == "Token('***')"


# -- credentials bound to a host ----------------------------------------------------------------


ENV = {"STAC_USERNAME": "env@example.com", "STAC_PASSWORD": "env-pw"}


@pytest.mark.parametrize(
    ("url", "host"),
    [
        (ST, "api.servicetrade.com"),
        ("https://API.ServiceTrade.com:443/api", "api.servicetrade.com"),
        ("http://127.0.0.1:8765/api", "127.0.0.1:8765"),
        ("http://[::1]:8765/api", "[::1]:8765"),
        (OTHER, "st.example.com"),
    ],
)
def test_a_sign_in_belongs_to_a_host_and_port(url: str, host: str) -> None:
    assert host_of(url) == host


def test_a_workbook_naming_another_host_gets_neither_the_stored_nor_the_environments_password() -> None:
    with pytest.raises(CredentialsMissing) as caught:
        resolve_credentials(OTHER, origin=Origin.WORKBOOK, env=ENV, store=DictStore(SAVED))
    assert str(caught.value) == (
        "This workbook asks to sign in to st.example.com, which is not ServiceTrade's address; sign in there "
        "only if you trust it (command line: stac-xl login --base-url https://st.example.com/api; ribbon: Sign in)."
    )
    assert "saved-pw" not in str(caught.value) and "env-pw" not in str(caught.value)


@pytest.mark.parametrize("origin", [Origin.COMMAND_LINE, Origin.ENVIRONMENT])
def test_the_environments_password_goes_to_the_host_the_clerk_named(origin: Origin) -> None:
    assert resolve_credentials(OTHER, origin=origin, env=ENV, store=DictStore(SAVED)) == Password("env@example.com", "env-pw")


def test_the_stored_sign_in_for_servicetrade_never_goes_to_a_host_the_clerk_named_either() -> None:
    with pytest.raises(CredentialsMissing, match=r"No ServiceTrade sign-in is saved on this computer for st\.example\.com: run 'stac-xl login --base-url"):
        resolve_credentials(OTHER, origin=Origin.COMMAND_LINE, env={}, store=DictStore(SAVED))


def test_after_signing_in_there_the_workbooks_host_gets_its_own_sign_in_only() -> None:
    store = DictStore(SAVED)
    assert store_credentials("other@example.com", "other-pw", base_url=OTHER, store=store) == "st.example.com"
    assert resolve_credentials(OTHER, origin=Origin.WORKBOOK, env=ENV, store=store) == Password("other@example.com", "other-pw")
    assert resolve_credentials(ST, origin=Origin.WORKBOOK, env={}, store=store) == Password("saved@example.com", "saved-pw")
    assert saved_username(OTHER, store=store) == "other@example.com"
    assert forget_credentials(base_url=OTHER, store=store) is True
    assert store.entries == SAVED


def test_two_local_servers_are_two_hosts() -> None:
    store = DictStore()
    store_credentials("demo", "demo", base_url="http://127.0.0.1:8765/api", store=store)
    with pytest.raises(CredentialsMissing, match=r"asks to sign in to 127\.0\.0\.1:9999,"):
        resolve_credentials("http://127.0.0.1:9999/api", origin=Origin.WORKBOOK, env={}, store=store)


# -- the real keyring module with chosen backends --------------------------------------------


class BrokenKeyring(KeyringBackend):
    """A backend that fails like Secret Service without a D-Bus session on a Linux server."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")


@pytest.fixture
def use_backend() -> Iterator[None]:
    """Let a test choose a keyring backend (keyring's own API); restore the previous one after."""
    previous = keyring.get_keyring()
    yield
    keyring.set_keyring(previous)


def test_keyring_store_uses_the_keyring_module(use_backend: None) -> None:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    store_credentials("clerk@example.com", "pw-9")
    assert resolve_credentials(ST, origin=Origin.WORKBOOK, env={}) == Password("clerk@example.com", "pw-9")
    assert forget_credentials() is True and backend.entries == {}


def test_a_broken_keyring_is_a_sentence_not_a_traceback(use_backend: None) -> None:
    keyring.set_keyring(BrokenKeyring())
    with pytest.raises(CredentialsMissing) as caught:
        resolve_credentials(ST, origin=Origin.WORKBOOK, env={})
    assert str(caught.value) == (
        "The saved sign-in could not be read because the computer's password store is locked or refused "
        "the request; unlock it and try again, or set STAC_USERNAME and STAC_PASSWORD (or STAC_TOKEN) "
        "in the environment instead."
    )
    assert isinstance(caught.value.__cause__, RuntimeError)
    with pytest.raises(ConfigError, match="sign-in could not be saved because the computer's password store"):
        KeyringStore().set_password("stac_xl", "u", "pw")
    with pytest.raises(ConfigError, match="could not be removed"):
        KeyringStore().delete_password("stac_xl", "u")


def test_the_environment_still_works_with_a_broken_keyring(use_backend: None) -> None:
    keyring.set_keyring(BrokenKeyring())
    assert resolve_credentials(ST, origin=Origin.WORKBOOK, env={"STAC_USERNAME": "u", "STAC_PASSWORD": "p"}) == Password("u", "p")


def test_no_keyring_backend_at_all_is_missing_credentials(use_backend: None) -> None:
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    with pytest.raises(CredentialsMissing, match="because this computer has no password store that stac_xl can use; set"):
        resolve_credentials(ST, origin=Origin.WORKBOOK, env={})


def test_a_broken_store_still_says_which_host_the_workbook_asks_for(use_backend: None) -> None:
    keyring.set_keyring(BrokenKeyring())
    with pytest.raises(CredentialsMissing, match=r"^This workbook asks to sign in to st\.example\.com, "):
        resolve_credentials(OTHER, origin=Origin.WORKBOOK, env={})
