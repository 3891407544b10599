"""``/healthz``: is this app server able to serve sign-ins?"""

import logging
import secrets

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

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


CHECKS = {"database": _database_ok, "cache": _cache_ok}


def _static_problem() -> str | None:
    from ..checks import missing_static_manifest

    manifest = missing_static_manifest()
    if manifest is None:
        return None
    return f"the static-file manifest {manifest} is missing: run collectstatic"


@never_cache
@require_safe
def healthz(request):
    """200 ``{"status": "ok", ...}`` when database and cache answer, else 503.

    The body names only which dependency failed; the cause goes to the log.
    Where static files have hashed names, a missing manifest (collectstatic
    not run) is a failure too: ``"static"`` says so.
    It reads no session and sets no cookie, so probes create nothing.
    """
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = "ok" if check() else "error"
        except Exception:
            logger.exception("Health check %s failed", name)
            results[name] = "error"
    # With hashed static names (production), pages fail without the
    # manifest collectstatic writes: the probe says so, and names it.
    static_problem = _static_problem()
    if static_problem is not None:
        logger.error("Health check static failed: %s", static_problem)
        results["static"] = "missing manifest: run collectstatic"
    healthy = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **results},
        status=200 if healthy else 503,
    )
