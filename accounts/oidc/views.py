"""The OpenID Connect endpoints under ``/o/``, and the connected-apps page.

Each endpoint is django-oauth-toolkit's view with what the site adds:

- ``AuthorizeView``: anonymous visitors sign in on the site's own page (the
  one sign-in flow, two-factor and lockout included); a signed-in user whose
  sign-in is too old or too weak for the request (``prompt=login``,
  ``max_age``, ``acr_values``) confirms it's them again through the flow's
  reauthentication; then the consent page, unless the app is first-party
  or was already granted these scopes;
- ``TokenView``, ``RevokeView``, ``IntrospectView``: rate limited per client
  and per address; refusals of a user's code are in their activity;
- ``IntrospectView``: only for apps marked "may introspect", with their
  client ID and secret;
- ``DiscoveryView``: lists the revocation and introspection endpoints too;
- ``LogoutView`` (RP-initiated logout): ends the session and the signing-out
  app's tokens.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import hashlib
import json
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import ListView, View
from oauth2_provider import views as dot
from oauth2_provider.compat import login_not_required
from oauth2_provider.exceptions import (
    FatalClientError,
    InvalidOIDCClientError,
    OAuthToolkitError,
)
from oauth2_provider.models import get_access_token_model
from oauth2_provider.scopes import get_scopes_backend
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views.mixins import OAuthLibMixin
from oauthlib.common import add_params_to_uri
from oauthlib.oauth2.rfc6749 import errors

from ..conf import app_settings
from ..security.ip import client_ip
from ..security.ratelimit import RateLimited, hit
from . import authentication, services
from .context import ServingMixin
from .models import Application, ConnectedApp

AccessToken = get_access_token_model()


def _issuer() -> str:
    return oauth2_settings.OIDC_ISS_ENDPOINT


def _without(full_path: str, *names: str, drop_prompt: str | None = None) -> str:
    """``full_path`` without the query parameters ``names`` (and one prompt value)."""
    parts = urlsplit(full_path)
    query = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key in names:
            continue
        if key == "prompt" and drop_prompt:
            value = " ".join(v for v in value.split() if v != drop_prompt)
            if not value:
                continue
        query.append((key, value))
    return parts._replace(query=urlencode(query)).geturl()


class AuthorizeView(ServingMixin, dot.AuthorizationView):
    """``/o/authorize/``: sign in (through the site's flow), then consent."""

    template_name = "oidc/consent.html"

    @method_decorator(never_cache)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        oauthlib_request = credentials.pop("request")
        application = oauthlib_request.client
        prompt = set(request.GET.get("prompt", "").split())
        try:
            requirements = authentication.Requirements.of(
                prompt=prompt,
                max_age=request.GET.get("max_age"),
                acr_values=request.GET.get("acr_values"),
                request=oauthlib_request,
            )
        except errors.OAuth2Error as error:
            return self.error_response(OAuthToolkitError(error=error), application)
        if not authentication.satisfied(request, requirements):
            if "none" in prompt:
                # (An OpenID Connect request was answered by the validation
                # above already; this is for a plain OAuth 2 one.)
                error = errors.LoginRequired(request=oauthlib_request)
                return self.error_response(OAuthToolkitError(error=error), application)
            # Back here afterwards with the sign-in just made: a second
            # prompt=login (or a max_age of 0) would then ask forever.
            next_url = _without(request.get_full_path(), "max_age", drop_prompt="login")
            return redirect_to_login(next_url, reverse("accounts:reauthenticate"))
        if isinstance(credentials.get("ui_locales"), list):
            credentials["ui_locales"] = " ".join(credentials["ui_locales"])
        if "consent" not in prompt and services.consent_covers(
            request.user, application, scopes
        ):
            return self.authorize(credentials, scopes, application)
        if "none" in prompt:
            error = errors.ConsentRequired(request=oauthlib_request)
            return self.error_response(OAuthToolkitError(error=error), application)
        self.oauth2_data = {**credentials, "scopes": scopes}
        return self.render_to_response(
            self.get_context_data(
                form=self.get_form(),
                application=application,
                scope_descriptions=self.describe(scopes),
            )
        )

    def get_initial(self):
        data = self.oauth2_data
        claims = data.get("claims")
        return {
            "redirect_uri": data.get("redirect_uri"),
            "scope": " ".join(data.get("scopes", [])),
            "nonce": data.get("nonce"),
            "client_id": data.get("client_id"),
            "state": data.get("state"),
            "response_type": data.get("response_type"),
            "code_challenge": data.get("code_challenge"),
            "code_challenge_method": data.get("code_challenge_method"),
            "claims": json.dumps(claims) if claims else None,
        }

    @staticmethod
    def describe(scopes) -> list[str]:
        descriptions = get_scopes_backend().get_all_scopes()
        return [str(descriptions[scope]) for scope in scopes if scope in descriptions]

    def form_invalid(self, form):
        # Only a tampered or truncated consent form gets here.
        return self.error_response(
            FatalClientError(error=errors.InvalidRequestFatalError()), None
        )

    def form_valid(self, form):
        data = form.cleaned_data
        application = Application.objects.filter(client_id=data["client_id"]).first()
        if application is None or not application.redirect_uri_allowed(
            data["redirect_uri"]
        ):
            # A tampered form: nowhere safe to send the answer.
            return self.error_response(
                FatalClientError(error=errors.InvalidRequestFatalError()), None
            )
        credentials = {
            "client_id": data["client_id"],
            "redirect_uri": data["redirect_uri"],
            "response_type": data.get("response_type"),
            "state": data.get("state"),
        }
        for name in ("code_challenge", "code_challenge_method", "nonce", "claims"):
            if data.get(name):
                credentials[name] = data[name]
        scopes = data.get("scope", "").split()
        if not data.get("allow"):
            services.consent_denied(
                user=self.request.user, application=application, request=self.request
            )
            error = errors.AccessDeniedError(state=credentials["state"])
            return self.error_response(
                OAuthToolkitError(
                    error=error, redirect_uri=credentials["redirect_uri"]
                ),
                application,
            )
        return self.authorize(credentials, scopes, application)

    def authorize(self, credentials, scopes, application):
        """Give the app its code (the user is signed in and has consented)."""
        try:
            uri, _headers, _body, _status = self.create_authorization_response(
                request=self.request,
                scopes=" ".join(scopes),
                credentials=credentials,
                allow=True,
            )
        except OAuthToolkitError as error:
            return self.error_response(error, application)
        return self.redirect(uri, application)

    def error_response(self, error, application, **kwargs):
        response = super().error_response(error, application, **kwargs)
        if response.status_code == 302:
            # RFC 9207: error responses name the issuer too.
            response["Location"] = add_params_to_uri(
                response["Location"], [("iss", _issuer())]
            )
        return response


def _too_many_requests(retry_after: int) -> JsonResponse:
    response = JsonResponse(
        {
            "error": "too_many_requests",
            "error_description": "Too many requests; try again later.",
        },
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def _client_id(request) -> str:
    """The client the request says it is (Basic credentials or the body)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        return unquote_plus(decoded.partition(":")[0])
    return request.POST.get("client_id", "")


class ClientRateLimitMixin:
    """Limit POSTs per client ID and per client address (``RATELIMIT_OIDC_TOKEN``).

    Client secrets and codes are guessed here, so both count: one address
    cannot try many clients, nor many addresses one client.
    """

    ratelimit_scope: str

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST":
            rate = app_settings.RATELIMIT_OIDC_TOKEN
            try:
                hit(self.ratelimit_scope, f"ip:{client_ip(request)}", rate)
                hit(self.ratelimit_scope, f"client:{_client_id(request)}", rate)
            except RateLimited as exc:
                return _too_many_requests(exc.retry_after)
        return super().dispatch(request, *args, **kwargs)


def app_endpoint(view_class):
    """Apps call it from their servers, with no session: no CSRF token.

    django-oauth-toolkit's own exemption is on the ``dispatch()`` that the
    mixins here replace, so it is repeated on the view.
    """
    for decorator in (csrf_exempt, login_not_required):
        view_class = method_decorator(decorator, name="dispatch")(view_class)
    return view_class


@app_endpoint
class TokenView(ClientRateLimitMixin, ServingMixin, dot.TokenView):
    """``/o/token/``: codes and refresh tokens for tokens."""

    ratelimit_scope = "oidc_token"

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if (
            response.status_code == 400
            and request.POST.get("grant_type") == "authorization_code"
            and request.POST.get("code")
            and json.loads(response.content).get("error") == "invalid_grant"
        ):
            services.exchange_refused(
                code=request.POST["code"],
                client_id=_client_id(request),
                request=request,
            )
        return response


@app_endpoint
class RevokeView(ClientRateLimitMixin, ServingMixin, dot.RevokeTokenView):
    """``/o/revoke/`` (RFC 7009): an app gives up one of its tokens."""

    ratelimit_scope = "oidc_revoke"


@app_endpoint
class IntrospectView(ClientRateLimitMixin, ServingMixin, OAuthLibMixin, View):
    """``/o/introspect/`` (RFC 7662): is this access token active, and whose?

    Only for apps marked "may introspect" (resource servers), which send
    their client ID and secret (HTTP Basic or the body). A token of an
    inactive account, or an expired or revoked one, is not active.
    """

    http_method_names = ["post"]
    ratelimit_scope = "oidc_introspect"

    def post(self, request, *args, **kwargs):
        application = Application.objects.filter(client_id=_client_id(request)).first()
        if not (
            application is not None
            and application.may_introspect
            and application.client_type == Application.CLIENT_CONFIDENTIAL
            and self.authenticate_client(request)
        ):
            response = JsonResponse({"error": "invalid_client"}, status=401)
            response["WWW-Authenticate"] = 'Basic realm="introspection"'
            return response
        token = request.POST.get("token")
        if not token:
            return JsonResponse(
                {
                    "error": "invalid_request",
                    "error_description": "The token parameter is missing.",
                },
                status=400,
            )
        return JsonResponse(self.describe(token))

    @staticmethod
    def describe(token: str) -> dict:
        checksum = hashlib.sha256(token.encode()).hexdigest()
        access_token = (
            AccessToken.objects.select_related("user", "application")
            .filter(token_checksum=checksum)
            .first()
        )
        if (
            access_token is None
            or not access_token.is_valid()
            or access_token.user is None
            or not access_token.user.is_active
        ):
            return {"active": False}
        return {
            "active": True,
            "scope": access_token.scope,
            "client_id": access_token.application.client_id,
            "sub": str(access_token.user.public_id),
            "username": access_token.user.get_username(),
            "token_type": "Bearer",
            "exp": calendar.timegm(access_token.expires.utctimetuple()),
            "iat": calendar.timegm(access_token.created.utctimetuple()),
            "iss": _issuer(),
        }


@app_endpoint
class UserInfoView(ServingMixin, dot.UserInfoView):
    """``/o/userinfo/``: the claims of the access token's user."""


class DiscoveryView(dot.ConnectDiscoveryInfoView):
    """``/o/.well-known/openid-configuration``, with every endpoint served."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        document = json.loads(response.content)
        methods = oauth2_settings.OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED
        secret_methods = [m for m in methods if m != "none"]
        document.update(
            {
                "revocation_endpoint": self._get_endpoint_url(request, "revoke-token"),
                "revocation_endpoint_auth_methods_supported": methods,
                "introspection_endpoint": self._get_endpoint_url(request, "introspect"),
                "introspection_endpoint_auth_methods_supported": secret_methods,
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "response_modes_supported": ["query"],
                "prompt_values_supported": ["none", "login", "consent"],
                "acr_values_supported": authentication.ACR_VALUES_SUPPORTED,
                "claims_parameter_supported": False,
                "request_parameter_supported": False,
                "request_uri_parameter_supported": False,
                # HS256 would sign with the client secret, stored hashed here.
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )
        response.content = json.dumps(document)
        return response


class LogoutView(ServingMixin, dot.RPInitiatedLogoutView):
    """``/o/logout/``: an app signs the user out of the site, and of itself."""

    template_name = "oidc/logout_confirm.html"

    def get_request_application(self, id_token, client_id):
        if client_id:
            application = Application.objects.filter(client_id=client_id).first()
            if application is None:
                raise InvalidOIDCClientError()
            return application
        return id_token.application if id_token else None

    def do_logout(
        self,
        application=None,
        post_logout_redirect_uri=None,
        state=None,
        token_user=None,
    ):
        user = token_user or self.request.user
        if application is not None and user.is_authenticated:
            services.revoke_app_access(
                user,
                application,
                by="app",
                reason="logout",
                request=self.request,
            )
        signed_in = self.request.user.is_authenticated
        if post_logout_redirect_uri:
            return super().do_logout(
                application, post_logout_redirect_uri, state, token_user
            )
        super().do_logout(application, None, state, token_user)
        if signed_in:
            messages.success(self.request, _("You have been signed out."))
        return redirect("accounts:login")


@method_decorator(never_cache, name="dispatch")
class ConnectedAppsView(LoginRequiredMixin, ListView):
    """``/dashboard/apps/``: the apps the user let sign them in."""

    template_name = "accounts/connected_apps.html"
    context_object_name = "connected_apps"

    def get_queryset(self):
        return self.request.user.connected_apps.select_related("application")


class RemoveConnectedAppView(LoginRequiredMixin, View):
    """Cut an app off: its tokens stop working at once (POST only)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        connected_app = get_object_or_404(
            ConnectedApp.objects.select_related("application"),
            pk=pk,
            user=request.user,
        )
        services.remove_connected_app(request=request, connected_app=connected_app)
        messages.success(
            request,
            _("%(app)s can no longer sign you in or act for you.")
            % {"app": connected_app.application},
        )
        return redirect("accounts:connected_apps")
