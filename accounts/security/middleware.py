"""Middleware that turns refused or unreadable requests into the site's pages."""

from django.core.exceptions import BadRequest
from django.template.response import TemplateResponse
from django.utils.log import log_response

from ..login.flow import LockedOut
from .hashers import PasswordCheckBusy
from .lockout import lockout_response


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


class LockedOutMiddleware:
    """Answer a sign-in attempt the lockout refused with the 429 lock page.

    Wherever a password is checked (sign-in, reauthentication, password
    change, deletion), ``accounts.login.flow.LockedOut`` ends the request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, LockedOut):
            return None
        return lockout_response(request, exception.retry_after)


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
