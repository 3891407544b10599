from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth import middleware as auth_middleware
from django.contrib.sessions import middleware
from django.core.exceptions import BadRequest
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject
from django.utils.log import log_response
from django.utils.translation import gettext as _

from . import backends, devices
from .hashers import PasswordCheckBusy
from .ip import client_ip
from .user_agents import request_user_agent


class SessionMiddleware(middleware.SessionMiddleware):
    """Django's session middleware, telling the store where the request is from.

    The store has no request of its own; it records the client's IP address
    (from ``accounts.ip.client_ip``) and user agent in the session row. After
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


class UnreadableFormMiddleware:
    """Answer a form body Django cannot decode with the site's 400 page.

    Django refuses a form in another charset than UTF-8 with ``BadRequest``,
    but its 400 and 500 handlers check CSRF and so read the same body again:
    the error escaped them as a bare 500 (Django ticket #34709). Placed
    before the CSRF middleware, this reads a form first and answers 400.
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type in self.FORM_TYPES:
            try:
                request.POST  # noqa: B018  (parsing is the point)
            except BadRequest:
                response = TemplateResponse(request, "400.html", status=400)
                log_response(
                    "Bad request: %s", request.path, response=response, request=request
                )
                return response.render()
        return self.get_response(request)


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, taking ``request.user`` from the row the session loaded.

    See ``accounts.backends.get_user``: one query for the session and its
    user instead of two. ``request.auser()`` is Django's own.
    """

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))


def _cached_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = backends.get_user(request)
    return request._cached_user


class SessionExpiredMessageMiddleware:
    """Tell a user whose session ran out why they are asked to sign in again.

    Placed after ``MessageMiddleware``: the session is loaded lazily during
    the view, so the store's ``expired`` flag is only known afterwards.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request.session, "expired", False):
            messages.warning(
                request, _("Your session has expired. Please sign in again.")
            )
        return response


class KnownDeviceMiddleware:
    """Give a browser the known-device cookie when it signs in successfully.

    Sign-ins happen in more than one view (the site's login page, the
    admin's), so the ``user_logged_in`` receiver only notes the sign-in and
    this middleware writes the cookie on whatever response follows.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        devices.remember_sign_in(request, response)
        return response


# Seconds a client is asked to wait before trying again.
RETRY_AFTER_SECONDS = 5


class PasswordCheckBusyMiddleware:
    """Answer ``PasswordCheckBusy`` with a fast 503 and ``Retry-After``.

    Nothing was written: the password was never checked, so the request
    neither signed anyone in nor counted as a failed attempt.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PasswordCheckBusy):
            return None
        response = TemplateResponse(request, "503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response.render()


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


class MethodNotAllowedPageMiddleware:
    """Explain a 405 instead of answering it with an empty page.

    Django's views answer a GET on a POST-only address (sign out, end a
    session) with an empty 405; a person who followed a link there gets the
    site's page saying why nothing happened. The ``Allow`` header stays.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content:
            return response
        page = TemplateResponse(request, "405.html", status=405).render()
        page["Allow"] = response.get("Allow", "")
        return page
