"""The Django request behind the oauthlib request being validated.

django-oauth-toolkit hands its validator oauthlib's ``Request``, built from
the URL, headers and body only; deciding ``prompt=none`` needs the browser's
session (who is signed in, how and when), and the audit trail the client's
address. The endpoint views run inside ``serving(request)``, so the
validator reads the request from here instead of from a private attribute.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.http import HttpRequest

_http_request: ContextVar[HttpRequest | None] = ContextVar(
    "oidc_http_request", default=None
)


@contextmanager
def serving(request: HttpRequest):
    """Make ``request`` the one ``http_request()`` returns inside the block."""
    token = _http_request.set(request)
    try:
        yield
    finally:
        _http_request.reset(token)


def http_request() -> HttpRequest | None:
    """The Django request an endpoint is serving, or None outside one."""
    return _http_request.get()


class ServingMixin:
    """Serve the view inside ``serving(request)``."""

    def dispatch(self, request, *args, **kwargs):
        with serving(request):
            return super().dispatch(request, *args, **kwargs)
