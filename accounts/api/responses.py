"""The response envelope, and the refusals every endpoint may answer with.

Every answer is ``{"status": <the HTTP status>, "data": ..., "meta": ...,
"errors": [...]}`` (django-allauth's headless shape): ``data`` and ``meta``
when there is something to say, ``errors`` on failure, each error with a
``code``, a ``message`` in the request's language and the ``param`` it is
about. Refusals are exceptions (``APIError``) the API turns into their
answer wherever they are raised, so an endpoint reads as its success path.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext, gettext_lazy, ngettext

from ..login import flow
from .clients import Client, session_token, uses_session_token

ALREADY_SIGNED_IN = gettext_lazy("You are already signed in.")
MESSAGES = {
    "csrf": gettext_lazy(
        "The CSRF token is missing or wrong: send the one the API gave you as "
        "X-CSRFToken."
    ),
    "not_found": gettext_lazy("Not found."),
    "conflict": gettext_lazy("That cannot be done in the current state."),
    "busy": gettext_lazy(
        "The server is busy checking other passwords. Please try again in a "
        "few seconds."
    ),
}


def envelope(status=200, *, data=None, meta=None, errors=None, headers=None):
    """The JSON answer: ``status`` (again), then ``data``, ``meta``, ``errors``."""
    body = {"status": status}
    if data is not None:
        body["data"] = data
    if meta is not None:
        body["meta"] = meta
    if errors:
        body["errors"] = errors
    response = JsonResponse(body, status=status, headers=headers)
    add_never_cache_headers(response)
    return response


def error(code: str, message, param: str | None = None) -> dict:
    item = {"code": code, "message": str(message)}
    if param is not None:
        item["param"] = param
    return item


def client_of(request) -> Client:
    """The client the request came through, from its path."""
    return Client.APP if uses_session_token(request) else Client.BROWSER


# WHO IS SIGNED IN
# ------------------------------------------------------------------------------


def user_data(user) -> dict:
    return {
        "id": user.pk,
        "display": user.get_full_name() or user.get_username(),
        "username": user.get_username(),
        "email": user.email,
        "email_verified": user.email_verified,
        "has_usable_password": user.has_usable_password(),
    }


def methods_data(request) -> list[dict]:
    """How the session's user last proved who they are (allauth's ``methods``)."""
    authentication = flow.authentication(request)
    if authentication is None:
        return []
    names = {flow.BY_PWD: "password", flow.BY_OTP: "mfa"}
    return [
        {"method": names[method], "at": authentication.at}
        for method in dict.fromkeys(authentication.methods)
        if method in names
    ]


def flows_data(request) -> list[dict]:
    """The ways to sign in, and the stage a pending sign-in waits at."""
    flows = [{"id": "login"}, {"id": "signup"}]
    stage = flow.pending_stage(request)
    if stage is not None and stage.key == flow.TwoFactorStage.key:
        flows.append(
            {
                "id": "mfa_authenticate",
                "is_pending": True,
                "types": ["totp", "recovery_codes"],
            }
        )
    return flows


def auth_meta(request, *, is_authenticated: bool) -> dict:
    """``is_authenticated``, and what the client must send from now on.

    The app client gets ``session_token`` when its session is new or has a
    new key (a sign-in rotates it): the session is saved here, so the token
    handed out is the key of a stored row. The browser client gets the
    CSRF token, which its HttpOnly cookie hides from scripts.
    """
    meta = {"is_authenticated": is_authenticated}
    if client_of(request) is Client.APP:
        session = request.session
        if session.modified and not session.is_empty():
            session.save()
            session.modified = False  # saved: the middleware need not again
        key = session.session_key
        if key and key != session_token(request):
            meta["session_token"] = key
    else:
        meta["csrf_token"] = get_token(request)
    return meta


def authenticated(request, status=200):
    """The signed-in user and how they authenticated (200)."""
    return envelope(
        status,
        data={"user": user_data(request.user), "methods": methods_data(request)},
        meta=auth_meta(request, is_authenticated=True),
    )


def unauthenticated(request, *, status=401, errors=None, pending=None):
    """Not signed in: the flows that lead there (401, or 410 for a dead token).

    ``pending`` names a flow the answer itself started (``verify_email``
    after a sign-up), which the session does not hold.
    """
    flows = flows_data(request)
    if pending is not None:
        flows.append({"id": pending, "is_pending": True})
    return envelope(
        status,
        data={"flows": flows},
        meta=auth_meta(request, is_authenticated=False),
        errors=errors,
    )


def authentication_status(request):
    """200 with the user when signed in, else 401 with the flows."""
    if request.user.is_authenticated:
        return authenticated(request)
    return unauthenticated(request)


def outcome(request, result: flow.Outcome):
    """Answer a sign-in's ``Outcome``: signed in (200) or held at a stage (401).

    The browser client takes the cookies the sign-in earned (known browser,
    trusted browser); the app client takes none (see the README).
    """
    if not result.signed_in:
        return unauthenticated(request)
    response = authenticated(request)
    if client_of(request) is Client.BROWSER:
        result.apply(response)
    return response


# REFUSALS
# ------------------------------------------------------------------------------


class APIError(Exception):
    """A refusal; ``response()`` is its answer."""

    status = 400

    def response(self, request):
        raise NotImplementedError


class InvalidInput(APIError):
    """Input that did not validate: a 400 listing each error."""

    status = 400

    def __init__(self, errors: list[dict]):
        super().__init__(errors)
        self.errors = errors

    def response(self, request):
        return envelope(self.status, errors=self.errors)

    @classmethod
    def from_form(cls, form, params: dict[str, str] | None = None) -> InvalidInput:
        return cls(form_errors(form, params))


def form_errors(form, params: dict[str, str] | None = None) -> list[dict]:
    """A form's errors as API errors; ``params`` renames fields for the API."""
    params = params or {}
    errors, seen = [], set()
    for field, field_errors in form.errors.as_data().items():
        param = None if field == "__all__" else params.get(field, field)
        for exc in field_errors:
            item = error(exc.code or "invalid", exc.messages[0], param)
            key = (item["code"], item["message"], param)
            if key not in seen:  # two form fields may share one API name
                seen.add(key)
                errors.append(item)
    return errors


class Simple(APIError):
    """A refusal with one error and no data: ``Simple(404, "not_found")``."""

    def __init__(self, status: int, code: str, message=None, param=None):
        super().__init__(code)
        self.status = status
        self.item = error(code, message or MESSAGES[code], param)

    def response(self, request):
        return envelope(self.status, errors=[self.item])


class TooManyRequests(APIError):
    """Over a rate limit, locked out, or a code throttled: 429 + Retry-After."""

    status = 429

    def __init__(self, retry_after: int, code: str = "too_many_requests", message=None):
        super().__init__(retry_after)
        self.retry_after = max(1, int(retry_after))
        self.code = code
        self.message = message

    def response(self, request):
        message = self.message or ngettext(
            "Too many attempts. Please try again in %(seconds)d second.",
            "Too many attempts. Please try again in %(seconds)d seconds.",
            self.retry_after,
        ) % {"seconds": self.retry_after}
        return envelope(
            429,
            errors=[error(self.code, message)],
            headers={"Retry-After": str(self.retry_after)},
        )


class NotAuthenticated(APIError):
    """The endpoint needs a signed-in user: 401 with the flows to sign in."""

    status = 401

    def response(self, request):
        return unauthenticated(request)


class ReauthenticationRequired(APIError):
    """A dangerous change, and the last authentication is too old: 401."""

    status = 401

    def response(self, request):
        return envelope(
            401,
            data={
                "flows": [{"id": "reauthenticate"}],
                "user": user_data(request.user),
                "methods": methods_data(request),
            },
            meta=auth_meta(request, is_authenticated=True),
        )


class SessionGone(APIError):
    """The app client's token names no live session: 410, start again."""

    status = 410

    def response(self, request):
        return unauthenticated(request, status=410)


def busy_response(retry_after: int):
    """Every password-check slot is taken (``PasswordCheckBusy``): 503."""
    return envelope(
        503,
        errors=[error("busy", gettext(MESSAGES["busy"]))],
        headers={"Retry-After": str(retry_after)},
    )
