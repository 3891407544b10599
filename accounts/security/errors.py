"""The site's answer to an unhandled error (``handler500``).

A database or cache that stops answering mid-request (a restart, a dropped
connection, SQLite's write lock held past the busy timeout) is an outage,
not a bug: the request's transaction was rolled back, so nothing was
half-written, and the same request will work once the service is back. It
gets a 503 page with ``Retry-After``; anything else gets the 500 page.
Both are rendered without the request, as Django's own handler does: the
session and the user may be what failed.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views import defaults

# Seconds a client is asked to wait before trying again.
RETRY_AFTER_SECONDS = 5


def _outage_errors() -> tuple[type[BaseException], ...]:
    errors = [OperationalError, InterfaceError]
    try:
        from redis.exceptions import ConnectionError, TimeoutError
    except ImportError:  # no Redis client: no Redis cache either
        pass
    else:
        errors += [ConnectionError, TimeoutError]
    return tuple(errors)


OUTAGE_ERRORS = _outage_errors()


def server_error(request):
    if isinstance(sys.exc_info()[1], OUTAGE_ERRORS):
        page = loader.get_template("errors/unavailable.html").render()
        response = HttpResponse(page, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)
