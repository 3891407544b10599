"""Middleware that knows the session's device and user, and the signed-in user."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth import middleware as auth_middleware
from django.contrib.sessions import middleware
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from .. import backends
from ..security.ip import client_ip
from .user_agents import request_user_agent


class SessionMiddleware(middleware.SessionMiddleware):
    """Django's session middleware, telling the store where the request is from.

    The store has no request of its own; it records the client's IP address
    (from ``accounts.security.ip.client_ip``) and user agent in the session row. After
    the response, a session that was read but not changed records its
    activity, which costs nothing more than a comparison until
    ``SESSION_ACTIVITY_RESOLUTION`` has passed.
    """

    def process_request(self, request):
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        request.session = self.SessionStore(
            session_key,
            ip_address=client_ip(request),
            user_agent=request_user_agent(request),
        )

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.accessed
            and not session.modified
            and response.status_code < 500
        ):
            session.record_activity()
        return super().process_response(request, response)


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, taking ``request.user`` from the row the session loaded.

    See ``accounts.backends.get_user``: one query for the session and its
    user instead of two. ``request.auser()`` is Django's own.
    """

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(partial(backends.get_user, request))


def _ended_message(by: str) -> str:
    if by == "user":
        return _(
            "You were signed out: this session was ended from another device. "
            "Please sign in again."
        )
    if by == "admin":
        return _(
            "You were signed out: an administrator ended this session. Please "
            "sign in again."
        )
    return _(
        "You were signed out: this session was ended by a change to your "
        "account, such as a new password. Please sign in again."
    )


class SessionExpiredMessageMiddleware:
    """Tell a user whose session ran out or was ended why they must sign in.

    Placed after ``MessageMiddleware``: the session is loaded lazily during
    the view, so the store's ``expired`` and ``ended_by`` are only known
    afterwards.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = request.session
        if getattr(session, "expired", False):
            messages.warning(
                request, _("Your session has expired. Please sign in again.")
            )
        elif ended_by := getattr(session, "ended_by", None):
            messages.warning(request, _ended_message(ended_by))
        return response


class PrivatePagesMiddleware:
    """Keep pages shown to a signed-in user out of every cache.

    An account page (email address, devices, activity) left in the browser's
    cache could be shown again with Back after signing out, on a shared
    computer. Only sessions the request already loaded are looked at, so
    this costs no query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.accessed
            and SESSION_KEY in session
            and not response.has_header("Cache-Control")
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response
