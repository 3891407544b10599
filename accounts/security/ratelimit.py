"""Rate limits on the views that send email, counted in Django's cache.

A limit is a setting such as ``RATELIMIT_SIGNUP = "10/h"``: at most 10 hits per
fixed hour-long window, counted separately per client IP and per target email
address. A request over a limit gets a 429 page with ``Retry-After``.

When the cache fails (Redis down), the limits fail open: requests go through
uncounted, with one warning in the log, and the cache is tried again a few
seconds later. The defences that must hold stay in force without it: the
lockout counts failed sign-ins in the database and the password-check cap
bounds the hashing per process (docs/reliability.md).
"""

import contextlib
import hashlib
import logging
import re
import time

from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.shortcuts import render

from ..conf import app_settings
from .ip import client_address_key

PERIODS = {"s": 1, "m": 60, "h": 60 * 60, "d": 60 * 60 * 24}
# After the cache fails, this process counts nothing for this many seconds
# before it tries the cache again: an outage costs one failed call and one
# log line per process per interval, not a timeout per request.
CACHE_RETRY_SECONDS = 5

logger = logging.getLogger(__name__)
_cache_down_until = 0.0


@receiver(setting_changed)
def _forget_cache_failure(*, setting, **kwargs):
    global _cache_down_until
    if setting == "CACHES":
        _cache_down_until = 0.0


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/h"`` → ``(10, 3600)``; ``"20/15m"`` → ``(20, 900)``."""
    count, multiplier, unit = re.fullmatch(r"(\d+)/(\d*)([smhd])", rate).groups()
    return int(count), int(multiplier or 1) * PERIODS[unit]


def _cache_key(scope: str, key: str, window: int) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"ratelimit:{scope}:{digest}:{window}"


def hit(scope: str, key: str, rate: str) -> None:
    """Count one hit on ``key``; raise ``RateLimited`` once over ``rate``.

    The hit is counted (atomically, in the cache) before the work it stands
    for, so requests sent at once cannot all pass the limit.
    """
    limit, period = parse_rate(rate)
    now = int(time.time())
    window = now // period
    count = _count(_cache_key(scope, key, window), period)
    if count is not None and count > limit:
        raise RateLimited(retry_after=(window + 1) * period - now)


def _count(cache_key: str, period: int) -> int | None:
    """Add one to the counter and return it; None while the cache is failing."""
    if _cache_failing():
        return None
    try:
        if cache.add(cache_key, 1, timeout=period):
            return 1
        try:
            return cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.add(cache_key, 1, timeout=period)
            return 1
    except Exception as exc:
        _cache_failed(exc)
        return None


def unhit(scope: str, key: str, rate: str) -> None:
    """Take back a hit ``hit()`` counted, when it turned out not to count."""
    _limit, period = parse_rate(rate)
    window = int(time.time()) // period
    if _cache_failing():
        return
    try:
        with contextlib.suppress(ValueError):  # the window ended meanwhile
            cache.decr(_cache_key(scope, key, window))
    except Exception as exc:
        _cache_failed(exc)


def _cache_failing() -> bool:
    return time.monotonic() < _cache_down_until


def _cache_failed(exc: Exception) -> None:
    global _cache_down_until
    _cache_down_until = time.monotonic() + CACHE_RETRY_SECONDS
    logger.warning(
        "Rate limits are not counted for %d s: the cache failed (%s: %s)",
        CACHE_RETRY_SECONDS,
        type(exc).__name__,
        exc,
    )


def mailbox(email: str) -> str:
    """The inbox ``email`` reaches, as a rate-limit key.

    Letter case, a ``+tag`` and quotes around the local part do not change
    the inbox at common providers, so ``"Bob+1"@example.com`` counts as
    bob@example.com: varying them cannot multiply the mails one inbox gets.
    """
    local, _, domain = email.lower().rpartition("@")
    local = local.strip('"').split("+", 1)[0]
    return f"email:{local}@{domain}"


def too_many_requests(request, retry_after: int):
    context = {"retry_after": retry_after, "retry_minutes": -(-retry_after // 60)}
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


class RateLimitMixin:
    """Limit POSTs to a view per client IP; ``limit_email()`` adds a per-address
    limit. ``ratelimit_scope`` names the setting: ``"signup"`` → ``RATELIMIT_SIGNUP``.

    The client IP counts as its bucket (``address_key``: an IPv6 address
    with its /64). With ``ratelimit_valid_only`` only submissions whose form
    is valid count: the view calls ``limit_ip()`` in ``form_valid()`` (a
    sign-up with a typo costs nothing and sends nothing); otherwise every
    POST does (a password check costs a hash either way).
    """

    ratelimit_scope: str
    ratelimit_valid_only = False

    @property
    def ratelimit_rate(self) -> str:
        return getattr(app_settings, f"RATELIMIT_{self.ratelimit_scope.upper()}")

    def post(self, request, *args, **kwargs):
        try:
            if not self.ratelimit_valid_only:
                self.limit_ip()
            return super().post(request, *args, **kwargs)
        except RateLimited as exc:
            return too_many_requests(request, exc.retry_after)

    def limit_ip(self) -> None:
        """Count a hit on the client's address (bucket)."""
        key = f"ip:{client_address_key(self.request)}"
        hit(self.ratelimit_scope, key, self.ratelimit_rate)

    def limit_email(self, email: str) -> None:
        """Count a hit on ``email``; call before doing anything with it."""
        hit(self.ratelimit_scope, mailbox(email), self.ratelimit_rate)
