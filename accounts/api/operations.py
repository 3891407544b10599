"""Each endpoint written once, registered for both clients.

An endpoint module makes an ``Endpoints`` group and decorates its views
(``@endpoints.post("/auth/login", access=Access.ANONYMOUS, responses=...)``);
``api.py`` registers every group on one router per client. Each registration
gets a ``Gate``, which django-ninja runs before it reads the input:

* the app client: a token that names no live session is a 410;
* the browser client: a POST, PATCH or DELETE without the right CSRF token
  is a 403 (django-ninja exempts its views from Django's CSRF middleware,
  so the gate does that middleware's check itself);
* then the endpoint's ``Access``: signed out only (409 when signed in),
  signed in (401 with the flows), or signed in recently (401 asking to
  reauthenticate, as ``RecentAuthenticationRequiredMixin`` sends pages to
  "confirm it's you").

The registration also names the operation per client (``app_login``), and
declares the refusals the gate may answer with, so the OpenAPI document
lists every response an operation can give.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import SESSION_KEY
from ninja.utils import check_csrf

from ..conf import app_settings
from ..login.reauthentication import recently_authenticated
from ..security.ip import client_address_key
from ..security.ratelimit import hit, mailbox
from . import responses, schemas
from .clients import Client, session_token

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class Access(enum.Enum):
    ANYONE = "anyone"
    SIGNED_OUT = "signed_out"
    SIGNED_IN = "signed_in"
    RECENTLY_SIGNED_IN = "recently_signed_in"


DESCRIPTIONS = {
    200: "Success.",
    400: "Invalid input: `errors` lists each problem, with the `param` it concerns.",
    401: "Not signed in: `data.flows` lists the ways to sign in, and a pending "
    "stage (`is_pending`) such as the second factor.",
    403: "Browser client: the `X-CSRFToken` header is missing or wrong.",
    409: "Already signed in (or, for a stage, no sign-in is waiting at it).",
    410: "App client: the session token names no live session (signed out, "
    "ended, expired, or ended by a password change or reset, deactivation "
    "or deletion). Drop the token and start again.",
    429: "Too many attempts (rate limit, lockout or throttled codes); "
    "`Retry-After` says how many seconds to wait.",
    503: "Every password-check slot is busy; retry after `Retry-After` seconds.",
}
REAUTHENTICATION = (
    "Not signed in (`meta.is_authenticated` false, with the sign-in flows), or "
    "signed in too long ago for this change (`meta.is_authenticated` true and "
    "the `reauthenticate` flow): confirm the password at `/auth/reauthenticate`."
)
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer"},
    }
}


class Gate:
    """The checks every operation of one client passes before its input is read."""

    def __init__(self, client: Client, access: Access):
        self.client = client
        self.access = access

    def __call__(self, request):
        if self.client is Client.APP:
            self.check_session_token(request)
        elif request.method not in SAFE_METHODS and check_csrf(request):
            raise responses.Simple(403, "csrf")
        user = request.user
        if self.access is Access.SIGNED_OUT and user.is_authenticated:
            raise responses.Simple(409, "conflict", responses.ALREADY_SIGNED_IN)
        if self.access in (Access.SIGNED_IN, Access.RECENTLY_SIGNED_IN):
            if not user.is_authenticated:
                raise responses.NotAuthenticated()
            if self.access is Access.RECENTLY_SIGNED_IN and not (
                recently_authenticated(request)
            ):
                raise responses.ReauthenticationRequired()
        return self.client

    @staticmethod
    def check_session_token(request):
        """A token must name a live session: its own, or one a sign-in holds.

        Reading ``request.user`` loads the session and its user in one
        query; Django checks the user is active and the session's password
        hash still matches (a password change elsewhere flushes it), so a
        token dies with its session whatever ended it.
        """
        if session_token(request) is None:
            return
        signed_in = request.user.is_authenticated
        session = request.session
        if session.session_key is None:
            raise responses.SessionGone()
        if SESSION_KEY in session and not signed_in:
            # The session of an account that can no longer sign in.
            session.flush()
            raise responses.SessionGone()


@dataclass
class Endpoint:
    method: str
    path: str
    view: Callable
    access: Access
    responses: dict[int, Any]
    summary: str
    descriptions: dict[int, str] = field(default_factory=dict)
    password_check: bool = False

    @property
    def has_input(self) -> bool:
        """Whether the view reads input (a body, a header) that may not validate."""
        return len(inspect.signature(self.view).parameters) > 1

    def responses_for(self, client: Client) -> tuple[dict, dict]:
        """The response schemas and their descriptions for ``client``."""
        declared = dict(self.responses)
        descriptions = dict(self.descriptions)
        if self.has_input:
            declared.setdefault(400, schemas.ErrorResponse)
        if self.access in (Access.SIGNED_IN, Access.RECENTLY_SIGNED_IN):
            declared.setdefault(401, schemas.AuthenticationResponse)
        if self.access is Access.RECENTLY_SIGNED_IN:
            descriptions.setdefault(401, REAUTHENTICATION)
        if self.access is Access.SIGNED_OUT:
            declared.setdefault(409, schemas.ErrorResponse)
            descriptions.setdefault(409, "Already signed in.")
        if client is Client.BROWSER and self.method not in SAFE_METHODS:
            declared.setdefault(403, schemas.ErrorResponse)
        if client is Client.APP:
            declared.setdefault(410, schemas.SessionGoneResponse)
        if self.password_check:
            declared.setdefault(429, schemas.ErrorResponse)
            declared.setdefault(503, schemas.ErrorResponse)
        docs = {}
        for status in declared:
            text = descriptions.get(status) or DESCRIPTIONS.get(status, "")
            docs[status] = {"description": text}
            if status in (429, 503):
                docs[status]["headers"] = RETRY_AFTER
        return declared, docs


class Endpoints:
    """A group of endpoints on one concern, under one OpenAPI tag."""

    def __init__(self, tag: str):
        self.tag = tag
        self.endpoints: list[Endpoint] = []

    def route(self, method: str, path: str, **options):
        def register(view):
            self.endpoints.append(
                Endpoint(
                    method=method,
                    path=path,
                    view=view,
                    summary=options.pop("summary", None)
                    or view.__name__.replace("_", " ").capitalize(),
                    **options,
                )
            )
            return view

        return register

    def get(self, path, **options):
        return self.route("GET", path, **options)

    def post(self, path, **options):
        return self.route("POST", path, **options)

    def patch(self, path, **options):
        return self.route("PATCH", path, **options)

    def delete(self, path, **options):
        return self.route("DELETE", path, **options)

    def register(self, router, client: Client) -> None:
        for endpoint in self.endpoints:
            declared, docs = endpoint.responses_for(client)
            name = f"{client.value}_{endpoint.view.__name__}"
            router.add_api_operation(
                endpoint.path,
                [endpoint.method],
                endpoint.view,
                auth=Gate(client, endpoint.access),
                response=declared,
                operation_id=name,
                url_name=name,
                summary=endpoint.summary,
                description=inspect.getdoc(endpoint.view),
                tags=[self.tag],
                openapi_extra={
                    "responses": docs,
                    "x-access": endpoint.access.value,
                },
            )


def limit(request, scope: str, *, key: str | None = None, email: str | None = None):
    """Count a hit on ``scope``'s limit: per client address, ``key`` or inbox.

    The same counters as the pages' ``RateLimitMixin``: a client cannot
    double its quota by switching between the site and the API. Over the
    limit, ``RateLimited`` becomes a 429 with ``Retry-After``.
    """
    rate = getattr(app_settings, f"RATELIMIT_{scope.upper()}")
    if email is not None:
        key = mailbox(email)
    hit(scope, key or f"ip:{client_address_key(request)}", rate)
