"""The API: both clients' routers, the error answers and the OpenAPI document.

django-ninja generates the OpenAPI 3.1 document from the views' typed
schemas; ``AuthsiteAPI`` adds what it cannot know: each client's security
schemes and which operations need them.
"""

from __future__ import annotations

import copy

from csp.decorators import csp_update
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext, gettext_lazy, ngettext
from ninja import NinjaAPI, Router
from ninja.errors import HttpError, ValidationError

from ..login.flow import LockedOut
from ..security.hashers import PasswordCheckBusy
from ..security.middleware import RETRY_AFTER_SECONDS
from ..security.ratelimit import RateLimited
from . import responses
from .clients import SESSION_TOKEN_HEADER, Client
from .docs import Docs
from .operations import SAFE_METHODS, Access
from .routers import lifecycle, login, twofactor, usersessions

GROUPS = [
    login.endpoints,
    lifecycle.endpoints,
    twofactor.endpoints,
    usersessions.endpoints,
]

DESCRIPTION = """\
Every account flow of authsite as JSON, for single-page and mobile apps, on
the contract of django-allauth's headless API (paths, the `status` / `data` /
`meta` / `errors` envelope, 401 with `flows`, 410 for a dead session token).
Each path exists twice:

* `/api/browser/v1/…` for a browser app served by this site: the session
  cookie, and the CSRF token from `meta.csrf_token` (of `GET /config` or any
  authentication answer) sent as `X-CSRFToken` with every POST, PATCH and
  DELETE;
* `/api/app/v1/…` for every other app: no cookies; the session token from
  `meta.session_token`, sent as `X-Session-Token`.

The README lists every difference from django-allauth's contract.
"""

SECURITY_SCHEMES = {
    "sessionCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "sessionid",  # SESSION_COOKIE_NAME, set when generated
        "description": "Browser client: the session cookie (HttpOnly).",
    },
    "csrfToken": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRFToken",
        "description": "Browser client: the CSRF token from `meta.csrf_token`.",
    },
    "sessionToken": {
        "type": "apiKey",
        "in": "header",
        "name": SESSION_TOKEN_HEADER,
        "description": "App client: the session token from `meta.session_token`.",
    },
}
SIGNED_IN = {Access.SIGNED_IN.value, Access.RECENTLY_SIGNED_IN.value}
TOKEN_PARAMETER = {
    "in": "header",
    "name": SESSION_TOKEN_HEADER,
    "required": False,
    "schema": {"type": "string"},
    "description": "The session token, if the app holds one (a half-done "
    "sign-in's, say).",
}

# Messages for pydantic's error types, in the request's language.
TYPE_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "string_type": gettext_lazy("Enter text (a JSON string)."),
    "string_unicode": gettext_lazy("Enter text without unpaired surrogates."),
    "bool_type": gettext_lazy("Enter true or false (a JSON boolean)."),
    "list_type": gettext_lazy("Enter a list (a JSON array)."),
    "model_type": gettext_lazy("Send a JSON object."),
    "model_attributes_type": gettext_lazy("Send a JSON object."),
    "dict_type": gettext_lazy("Send a JSON object."),
    "uuid_type": gettext_lazy("Enter a valid UUID."),
    "uuid_parsing": gettext_lazy("Enter a valid UUID."),
}
CODES = {
    "missing": "required",
    "string_too_long": "max_length",
    "too_long": "max_items",
}


class AuthsiteAPI(NinjaAPI):
    def __init__(self, **options):
        super().__init__(**options)
        self.documents = {}

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The document, made once per process: it only changes with the code.

        (Building it takes pydantic a second or two.)
        """
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        key = (path_prefix, settings.SESSION_COOKIE_NAME)
        if key not in self.documents:
            self.documents[key] = self.build_openapi_schema(path_prefix)
        return copy.deepcopy(self.documents[key])

    def build_openapi_schema(self, path_prefix):
        schema = super().get_openapi_schema(path_prefix=path_prefix)
        schemes = {name: dict(scheme) for name, scheme in SECURITY_SCHEMES.items()}
        schemes["sessionCookie"]["name"] = settings.SESSION_COOKIE_NAME
        schema["components"]["securitySchemes"] = schemes
        for path, operations in schema["paths"].items():
            client = Client.APP if f"/{Client.APP.prefix}" in path else Client.BROWSER
            for method, operation in operations.items():
                access = operation.pop("x-access")
                signed_in = access in SIGNED_IN
                if client is Client.APP:
                    if signed_in:
                        operation["security"] = [{"sessionToken": []}]
                    else:
                        operation.setdefault("parameters", []).append(TOKEN_PARAMETER)
                    continue
                needs = {"sessionCookie": []} if signed_in else {}
                if method.upper() not in SAFE_METHODS:
                    needs["csrfToken"] = []
                if needs:
                    operation["security"] = [needs]
        return schema


def error_param(loc) -> str | None:
    """The input field a pydantic error is about: ``("body", "body", "code")``."""
    names = [part for part in loc[1:] if isinstance(part, str)]
    if loc and loc[0] == "body":
        names = names[1:]  # the view's parameter name
    return names[-1] if names else None


def validation_errors(errors: list[dict]) -> list[dict]:
    items = []
    for item in errors:
        kind = item["type"]
        ctx = item.get("ctx") or {}
        if kind == "string_too_long":
            limit = ctx["max_length"]
            message = ngettext(
                "Use at most %(limit)d character.",
                "Use at most %(limit)d characters.",
                limit,
            ) % {"limit": limit}
        elif kind == "too_long":
            limit = ctx["max_length"]
            message = ngettext(
                "Send at most %(limit)d item.", "Send at most %(limit)d items.", limit
            ) % {"limit": limit}
        elif kind in TYPE_MESSAGES:
            message = TYPE_MESSAGES[kind]
        else:
            message = gettext("Enter a valid value.")
        code = CODES.get(kind, "invalid")
        items.append(responses.error(code, message, error_param(item["loc"])))
    return items


def build() -> AuthsiteAPI:
    api = AuthsiteAPI(
        title="authsite API",
        version="1",
        description=DESCRIPTION,
        urls_namespace="api",
        openapi_url="/openapi.json",
        docs=Docs(),
        docs_url="/docs/",
        docs_decorator=csp_update({"img-src": ["data:"]}),
    )
    for client in Client:
        router = Router()
        for group in GROUPS:
            group.register(router, client)
        api.add_router(client.prefix, router)

    @api.exception_handler(responses.APIError)
    def refused(request, exc):
        return exc.response(request)

    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        return responses.envelope(400, errors=validation_errors(exc.errors))

    @api.exception_handler(HttpError)
    def unreadable(request, exc):
        # django-ninja's only HttpError here: a body that is not JSON.
        message = gettext("The request body is not valid JSON.")
        errors = [responses.error("invalid", message)]
        return responses.envelope(exc.status_code, errors=errors)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        message = gettext("The request body is too large.")
        return responses.envelope(400, errors=[responses.error("too_large", message)])

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return responses.Simple(404, "not_found").response(request)

    @api.exception_handler(LockedOut)
    def locked_out(request, exc):
        message = gettext(
            "Too many failed sign-ins. Please wait, or reset your password."
        )
        return responses.TooManyRequests(
            exc.retry_after, code="locked_out", message=message
        ).response(request)

    @api.exception_handler(RateLimited)
    def rate_limited(request, exc):
        return responses.TooManyRequests(exc.retry_after).response(request)

    @api.exception_handler(PasswordCheckBusy)
    def busy(request, exc):
        return responses.busy_response(RETRY_AFTER_SECONDS)

    return api


api = build()
