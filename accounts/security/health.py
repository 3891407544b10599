"""``/healthz``: is this app server able to serve sign-ins?"""

import logging
import secrets

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Min, Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ..outbox.models import OutgoingEmail

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _cache_ok() -> bool:
    key, value = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, timeout=10)
    try:
        return cache.get(key) == value
    finally:
        cache.delete(key)


# Without the database (or, in production, the static-file manifest)
# nothing works: the probe fails. Without the cache the
# site still serves (rate limits let requests through: docs/reliability.md),
# so taking every app server out of the load balancer would only make it
# worse: the probe says "degraded" and still answers 200.
CHECKS = {"database": _database_ok, "cache": _cache_ok}
REQUIRED = {"database", "static"}


def _email_backlog() -> dict:
    """Unsent email: how many wait, how old the oldest is, how many were given up."""
    unsent = Q(status__in=[OutgoingEmail.Status.WAITING, OutgoingEmail.Status.SENDING])
    figures = OutgoingEmail.objects.aggregate(
        unsent=Count("pk", filter=unsent),
        oldest=Min("created_at", filter=unsent),
        given_up=Count("pk", filter=Q(status=OutgoingEmail.Status.FAILED)),
    )
    oldest = figures["oldest"]
    return {
        "unsent": figures["unsent"],
        "oldest_unsent_seconds": (
            round((timezone.now() - oldest).total_seconds()) if oldest else 0
        ),
        "given_up": figures["given_up"],
    }


def _static_problem() -> str | None:
    from ..checks import missing_static_manifest

    manifest = missing_static_manifest()
    if manifest is None:
        return None
    return f"the static-file manifest {manifest} is missing: run collectstatic"


@never_cache
@require_safe
def healthz(request):
    """200 ``{"status": "ok", ...}`` when database and cache answer.

    503 when the database does not; 200 with ``"status": "degraded"`` when
    only the cache does not. Where static files have hashed names, a
    missing manifest (collectstatic not run) is a failure too: ``"static"``
    says so. ``email`` reports the outbox: a mail server that is down never
    fails the probe (messages wait), but an old ``oldest_unsent_seconds``
    or any ``given_up`` is worth an alert. The body names only which
    dependency failed; the cause goes to the log. It reads no session and
    sets no cookie, so probes create nothing.
    """
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = "ok" if check() else "error"
        except Exception as exc:
            # One line, no traceback: a probe repeats every few seconds.
            logger.warning(
                "Health check %s failed: %s: %s", name, type(exc).__name__, exc
            )
            results[name] = "error"
    # With hashed static names (production), pages fail without the
    # manifest collectstatic writes: the probe says so, and names it.
    static_problem = _static_problem()
    if static_problem is not None:
        logger.error("Health check static failed: %s", static_problem)
        results["static"] = "missing manifest: run collectstatic"
    failed = {name for name, result in results.items() if result != "ok"}
    if results["database"] == "ok":
        try:
            results["email"] = _email_backlog()
        except Exception as exc:
            logger.warning("Health check email failed: %s: %s", type(exc).__name__, exc)
            results["email"] = "error"
    if failed & REQUIRED:
        status = "error"
    elif failed:
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {"status": status, **results}, status=503 if status == "error" else 200
    )
