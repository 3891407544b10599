"""The one place that decides which address a request came from."""

import logging
from ipaddress import ip_address

from ..conf import app_settings

logger = logging.getLogger("accounts.ip")
# Whether this process has already warned about missing forwarding headers.
_warned_about_missing_header = False


def _warn_missing_header(expected: int, found: int) -> None:
    """Log once per process that the proxy setting does not match the traffic.

    Every such request falls back to ``REMOTE_ADDR``, the nearest proxy's
    address, so all clients would share one lockout and rate-limit count.
    """
    global _warned_about_missing_header
    if _warned_about_missing_header:
        return
    _warned_about_missing_header = True
    logger.warning(
        "TRUSTED_PROXY_COUNT is %d but a request arrived with %d "
        "X-Forwarded-For entries. Its client address falls back to REMOTE_ADDR "
        "(a proxy's address?), so lockouts, rate limits and the audit trail may "
        "treat many clients as one. Check TRUSTED_PROXY_COUNT against the "
        "proxies really in front of the site. (Logged once per process.)",
        expected,
        found,
    )


def _valid(value: str) -> str:
    """``value`` as a normalised IP address, or "" if it is not one."""
    try:
        return str(ip_address(value.strip()))
    except ValueError:
        return ""


def client_ip(request) -> str:
    """Return the client's IP address, trusting only configured proxies.

    With ``TRUSTED_PROXY_COUNT = 0`` the client is ``REMOTE_ADDR`` and any
    ``X-Forwarded-For`` header is ignored, since the client itself could have
    written it. With N trusted proxies, each of them appended the address it
    saw, so the client is the Nth entry from the right; anything left of it
    may be forged. Always a valid address, or "" when there is none.
    """
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    proxies = app_settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        _warn_missing_header(proxies, len(forwarded))
        return remote
    return _valid(forwarded[-proxies]) or remote
