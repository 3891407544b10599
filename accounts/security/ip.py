"""The one place that decides which address a request came from."""

import logging
from ipaddress import ip_address, ip_network

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


# One IPv6 customer gets a whole /64 (RFC 6177), so its addresses are counted
# together; IPv4 addresses are counted one by one.
IPV6_PREFIX_LENGTH = 64


def address_key(address: str) -> str:
    """The bucket ``address`` is counted in by lockouts and rate limits.

    An IPv4 address (also written IPv4-mapped, ``::ffff:192.0.2.1``) is its
    own bucket; an IPv6 address counts with its whole /64 network, written
    as ``2001:db8:1:2::/64``, so one client cannot get a fresh count per
    address of its network. "" stays "" (no address).
    """
    try:
        parsed = ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6 and parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    if parsed.version == 4:
        return str(parsed)
    return str(ip_network(f"{parsed}/{IPV6_PREFIX_LENGTH}", strict=False))


def client_address_key(request) -> str:
    """``address_key`` of the request's client address."""
    return address_key(client_ip(request))
