"""The one place that decides which address a request came from."""

from ipaddress import ip_address

from django.conf import settings


def client_ip(request) -> str:
    """Return the client's IP address, trusting only configured proxies.

    With ``TRUSTED_PROXY_COUNT = 0`` the client is ``REMOTE_ADDR`` and any
    ``X-Forwarded-For`` header is ignored, since the client itself could have
    written it. With N trusted proxies, each of them appended the address it
    saw, so the client is the Nth entry from the right; anything left of it
    may be forged.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ip_address(candidate))
    except ValueError:
        return remote
