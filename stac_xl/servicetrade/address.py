"""The ServiceTrade address a workbook names, checked without loading the HTTP client.

Sign in stores a password for the workbook's address and Fetch and Confirm import talk to
it; all three check the *Base URL* setting first, and Sign in does nothing else with it, so
the check lives apart from :mod:`stac_xl.servicetrade.client` and its HTTP library.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from stac_xl.errors import ConfigError

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def check_base_url(url: str) -> str:
    """The Base URL without a trailing slash; https required except on this computer."""
    text = url.strip().rstrip("/")
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host or any(c.isspace() for c in text):
        raise ConfigError(
            "Settings: Base URL must be a web address like https://api.servicetrade.com/api."
        )
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        # Never echo it: a user:password@ URL would put the password in the message.
        raise ConfigError(
            "Settings: Base URL must not contain a user name, password, '?' or '#'; "
            "use a plain address like https://api.servicetrade.com/api."
        )
    if parts.scheme == "http" and host not in LOOPBACK_HOSTS:
        raise ConfigError(
            f"Settings: Base URL {text} must start with https:// (plain http is allowed only for "
            "this computer, e.g. http://127.0.0.1:8000/api)."
        )
    return text
