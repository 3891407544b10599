"""django-oauth-toolkit's validator, taught what the site knows.

- **Who is signed in, how and when.** ``prompt=none`` is answered from the
  browser's session (``validate_silent_login`` and
  ``validate_silent_authorization``, which django-oauth-toolkit leaves
  unimplemented), ``max_age`` and ``acr_values`` included; ``id_token_hint``
  must name the signed-in user.
- **Claims.** ``sub`` is the user's ``public_id``; ``email_verified`` a real
  boolean; the ID token's ``auth_time``, ``amr`` and ``acr`` are those of the
  sign-in that led to the code (``AppSignIn``), for refreshed ID tokens too.
- **Codes used once.** The code is redeemed with one UPDATE after every other
  check passed (``redeem_code``, run by ``accounts.oidc.server.Server``); a
  code that comes back revokes what it was exchanged for.
- **No tokens for inactive accounts**, whatever revoked them or not.
"""

from __future__ import annotations

import hashlib
import json

from django.contrib.auth import get_user_model
from jwcrypto import jwt
from jwcrypto.common import JWException
from oauth2_provider import oauth2_validators
from oauth2_provider.models import get_access_token_model, get_refresh_token_model
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.utils import jwk_from_pem
from oauthlib.oauth2.rfc6749 import errors

from ..login import flow
from . import authentication, context, services

AccessToken = get_access_token_model()
RefreshToken = get_refresh_token_model()

# Claims every ID token carries besides the user's (discovery lists them).
ID_TOKEN_CLAIMS = ["iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "acr"]
USER_CLAIMS = [
    "sub",
    "preferred_username",
    "name",
    "given_name",
    "family_name",
    "email",
    "email_verified",
]


def _checksum(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class OAuth2Validator(oauth2_validators.OAuth2Validator):
    # THE AUTHORIZATION REQUEST ---------------------------------------------

    def check_authentication_request(self, request) -> dict:
        """Refuse what the request's own checks let through (run after them).

        OpenID Connect requires the ``redirect_uri`` (oauthlib would use the
        only one registered), and ``max_age`` must be a number of seconds.
        """
        if getattr(request, "using_default_redirect_uri", False):
            raise errors.InvalidRequestFatalError(
                description="Missing redirect_uri parameter.", request=request
            )
        authentication.Requirements.of(
            prompt=None,
            max_age=request.max_age,
            acr_values=request.acr_values,
            request=request,
        )
        return {}

    def validate_silent_login(self, request) -> bool:
        """``prompt=none``: is someone signed in, recently and strongly enough?"""
        http_request = context.http_request()
        if http_request is None:
            return False
        requirements = authentication.Requirements.of(
            prompt=None,
            max_age=request.max_age,
            acr_values=request.acr_values,
            request=request,
        )
        return authentication.satisfied(http_request, requirements)

    def validate_silent_authorization(self, request) -> bool:
        """``prompt=none``: has the user already let this app have these scopes?"""
        http_request = context.http_request()
        if http_request is None or not http_request.user.is_authenticated:
            return False
        return services.consent_covers(
            http_request.user, request.client, request.scopes
        )

    def validate_user_match(self, id_token_hint, scopes, claims, request) -> bool:
        """An ``id_token_hint`` must be one of ours, about the signed-in user."""
        if not id_token_hint:
            return True
        http_request = context.http_request()
        if http_request is None or not http_request.user.is_authenticated:
            return True  # whoever signs in next is checked by the app itself
        hinted = self.verified_claims(id_token_hint)
        return hinted is not None and hinted.get("sub") == str(
            http_request.user.public_id
        )

    def verified_claims(self, token: str) -> dict | None:
        """The claims of an ID token this site signed (expired or not), or None."""
        pems = [
            oauth2_settings.OIDC_RSA_PRIVATE_KEY,
            *oauth2_settings.OIDC_RSA_PRIVATE_KEYS_INACTIVE,
        ]
        for pem in pems:
            try:
                verified = jwt.JWT(jwt=token, key=jwk_from_pem(pem), check_claims={})
                claims = json.loads(verified.claims)
            except (JWException, ValueError, TypeError):
                continue
            if (
                isinstance(claims, dict)
                and claims.get("iss") == oauth2_settings.OIDC_ISS_ENDPOINT
            ):
                return claims
        return None

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        super().save_authorization_code(client_id, code, request, *args, **kwargs)
        http_request = context.http_request()
        services.record_authorization(
            user=request.user,
            application=request.client,
            scopes=request.scopes,
            code=code["code"],
            authentication=flow.authentication(http_request) if http_request else None,
            request=http_request,
        )

    # THE CODE EXCHANGE ------------------------------------------------------

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request):
        """The exchange names the code's redirect URI itself (RFC 6749 4.1.3)."""
        if request.using_default_redirect_uri:
            return False
        return super().confirm_redirect_uri(
            client_id, code, redirect_uri, client, request
        )

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        if super().validate_code(client_id, code, client, request, *args, **kwargs):
            return True
        services.code_used_again(code, client, request=context.http_request())
        return False

    def redeem_code(self, request) -> None:
        """Use the code up, once every check of the exchange has passed."""
        if not services.redeem_code(request.code, request.client):
            services.code_used_again(
                request.code, request.client, request=context.http_request()
            )
            raise errors.InvalidGrantError(request=request)

    def _save_bearer_token(self, token, request, *args, **kwargs):
        """Save the tokens, refusing a rival's use of the same code or token.

        Runs in django-oauth-toolkit's transaction: a refresh token is
        locked before it is replaced (a second request with it waits, then
        finds it revoked), and a code's sign-in is locked while the family
        issued for it is stored.
        """
        if request.grant_type == "refresh_token":
            current = (
                RefreshToken.objects.select_for_update()
                .filter(pk=request.refresh_token_instance.pk, revoked__isnull=True)
                .first()
            )
            if current is None:
                raise errors.InvalidGrantError(request=request)
        super()._save_bearer_token(token, request, *args, **kwargs)
        family = (
            RefreshToken.objects.filter(
                token_checksum=_checksum(token.get("refresh_token") or ""),
                revoked__isnull=True,
            )
            .values_list("token_family", flat=True)
            .first()
        )
        if request.grant_type == "authorization_code":
            if not services.tokens_issued_for_code(
                request.code, request.client, token_family=family
            ):
                raise errors.InvalidGrantError(request=request)
        else:
            services.app_used(request.user.pk, request.client)

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        valid = super().validate_refresh_token(
            refresh_token, client, request, *args, **kwargs
        )
        return valid and request.user is not None and request.user.is_active

    def validate_bearer_token(self, token, scopes, request):
        valid = super().validate_bearer_token(token, scopes, request)
        return valid and request.user is not None and request.user.is_active

    # CLAIMS -----------------------------------------------------------------

    def get_additional_claims(self, request):
        return {}

    def get_claim_dict(self, request):
        user = request.user
        claims = {
            "sub": str(user.public_id),
            "preferred_username": user.get_username(),
            "email": user.email,
            "email_verified": bool(user.email_verified),
            "name": user.get_full_name(),
            "given_name": user.first_name,
            "family_name": user.last_name,
        }
        # Claims without a value are left out (OpenID Connect Core 5.3.2).
        return {name: value for name, value in claims.items() if value != ""}

    def get_discovery_claims(self, request):
        return USER_CLAIMS + ID_TOKEN_CLAIMS

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration_time = super().get_id_token_dictionary(
            token, token_handler, request
        )
        if request.grant_type == "refresh_token":
            sign_in = services.sign_in_for_family(
                request.refresh_token_instance.token_family
            )
        else:
            sign_in = services.sign_in_for_code(request.code)
        if sign_in is not None:
            claims["auth_time"] = int(sign_in.authenticated_at.timestamp())
            claims["amr"] = authentication.amr(sign_in.methods)
            claims["acr"] = authentication.acr(sign_in.methods)
        return claims, expiration_time

    # REVOCATION (RFC 7009) ---------------------------------------------------

    def revoke_token(self, token, token_type_hint, request, *args, **kwargs):
        application = getattr(request, "client", None)
        owner = None
        if getattr(application, "pk", None) is not None:
            lookup = {"token_checksum": _checksum(token), "application": application}
            owner = (
                AccessToken.objects.filter(**lookup).values_list("user", flat=True)
            ).first() or (
                RefreshToken.objects.filter(**lookup, revoked__isnull=True)
                .values_list("user", flat=True)
                .first()
            )
        super().revoke_token(token, token_type_hint, request, *args, **kwargs)
        user = get_user_model()._default_manager.filter(pk=owner).first()
        if user is not None:
            services.app_revoked_token(
                user=user, application=application, request=context.http_request()
            )
