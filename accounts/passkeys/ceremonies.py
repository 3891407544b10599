"""WebAuthn ceremonies on py_webauthn: options for the browser, checks of its answer.

The relying party is the site at ``SITE_URL``: its host name is the RP ID
and its scheme, host and port the one origin a browser's answer may come
from (never the request's ``Host`` header, which a client controls).

Every ceremony has a challenge made here, kept as a ``PasskeyChallenge`` row
that the browser's session names for one purpose ("register", "login",
"two_factor", "reauthenticate") and, but for "login", one user. The answer
is checked against the challenge this session holds for that purpose, and
``take_challenge`` spends it by deleting the row: a challenge works once,
in the session that asked for it, until ``PASSKEY_CHALLENGE_TIMEOUT``.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import webauthn
from django.utils import timezone
from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ..conf import app_settings
from .models import Passkey, PasskeyChallenge

if TYPE_CHECKING:
    from ..users.models import User

logger = logging.getLogger(__name__)

CHALLENGES_SESSION_KEY = "accounts.passkey_challenges"
REGISTER = "register"
SIGNUP = "signup"
LOGIN = "login"
TWO_FACTOR = "two_factor"
REAUTHENTICATE = "reauthenticate"
PURPOSES = (REGISTER, SIGNUP, LOGIN, TWO_FACTOR, REAUTHENTICATE)
# How long the browser lets the person choose an authenticator (a hint).
BROWSER_TIMEOUT_MS = 120_000
TRANSPORTS = {transport.value for transport in AuthenticatorTransport}
# A credential id as stored and as browsers send it: base64url, no padding.
BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


class PasskeyRefused(Exception):
    """The browser's answer does not prove what it claims (any reason).

    The reason is logged, never shown: a refusal says the same whatever it was.
    """


def rp_id() -> str:
    """The relying-party ID: ``SITE_URL``'s host name."""
    return urlsplit(app_settings.SITE_URL).hostname or ""


def expected_origin() -> str:
    """The one origin passkey answers may come from: ``SITE_URL``'s."""
    parts = urlsplit(app_settings.SITE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def _new_challenge(
    request, purpose: str, user: User | None, user_handle: str = ""
) -> bytes:
    now = timezone.now()
    expired = PasskeyChallenge.objects.filter(expires_at__lte=now)
    if expired.exists():
        expired.delete()
    previous = request.session.get(CHALLENGES_SESSION_KEY, {})
    if purpose in previous:
        # A new ceremony of the same purpose replaces the one left unfinished.
        PasskeyChallenge.objects.filter(pk=previous[purpose]).delete()
    challenge = secrets.token_bytes(32)
    row = PasskeyChallenge.objects.create(
        purpose=purpose,
        user=user,
        challenge=challenge,
        user_handle=user_handle,
        expires_at=now + timedelta(seconds=app_settings.PASSKEY_CHALLENGE_TIMEOUT),
    )
    request.session[CHALLENGES_SESSION_KEY] = {**previous, purpose: str(row.pk)}
    return challenge


def take_challenge(
    request, purpose: str, user: User | None = None
) -> PasskeyChallenge | None:
    """Spend this session's challenge for ``purpose`` (and ``user``) and return
    it, or None when there is none, it expired, or another request spent it."""
    held = dict(request.session.get(CHALLENGES_SESSION_KEY, {}))
    challenge_id = held.pop(purpose, None)
    if challenge_id is None:
        return None
    request.session[CHALLENGES_SESSION_KEY] = held
    row = PasskeyChallenge.objects.filter(pk=challenge_id, purpose=purpose).first()
    # Deleting the row spends it: only one request can delete it.
    if row is None or not PasskeyChallenge.objects.filter(pk=row.pk).delete()[0]:
        return None
    if row.expires_at <= timezone.now():
        return None
    if (user.pk if user is not None else None) != row.user_id:
        return None
    return row


def _descriptors(passkeys) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=webauthn.base64url_to_bytes(passkey.credential_id),
            transports=[AuthenticatorTransport(t) for t in passkey.transports],
        )
        for passkey in passkeys
    ]


def user_handle_for(user: User) -> str:
    """The WebAuthn user handle of ``user``: their passkeys' own, or a new one."""
    existing = user.passkeys.values_list("user_handle", flat=True).first()
    return existing or bytes_to_base64url(secrets.token_bytes(32))


def registration_options(request, user: User) -> dict:
    """Options for ``navigator.credentials.create()`` (JSON-ready) for ``user``.

    The passkey must be discoverable (a resident key), so that signing in
    needs no username; the user is verified where the authenticator can.
    """
    return _registration_options(
        request,
        REGISTER,
        user,
        user_handle=user_handle_for(user),
        user_name=user.get_username(),
        display_name=user.get_full_name() or user.get_username(),
        exclude=user.passkeys.all(),
        require_uv=False,
    )


def signup_options(request, *, username: str) -> dict:
    """Options for the first passkey of an account yet to be made.

    Its owner will have no password, so the authenticator must verify them.
    """
    return _registration_options(
        request,
        SIGNUP,
        None,
        user_handle=bytes_to_base64url(secrets.token_bytes(32)),
        user_name=username,
        display_name=username,
        exclude=(),
        require_uv=True,
    )


def _registration_options(
    request, purpose, user, *, user_handle, user_name, display_name, exclude, require_uv
) -> dict:
    options = webauthn.generate_registration_options(
        rp_id=rp_id(),
        rp_name=app_settings.PASSKEY_RP_NAME,
        user_id=webauthn.base64url_to_bytes(user_handle),
        user_name=user_name,
        user_display_name=display_name,
        challenge=_new_challenge(request, purpose, user, user_handle),
        timeout=BROWSER_TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED
            if require_uv
            else UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(exclude),
    )
    return json.loads(webauthn.options_to_json(options))


def authentication_options(
    request, purpose: str, user: User | None = None, *, require_uv: bool
) -> dict:
    """Options for ``navigator.credentials.get()`` (JSON-ready).

    Without ``user`` (signing in with no username) any of the site's
    discoverable passkeys may answer; with one, only that user's.
    """
    options = webauthn.generate_authentication_options(
        rp_id=rp_id(),
        challenge=_new_challenge(request, purpose, user),
        timeout=BROWSER_TIMEOUT_MS,
        allow_credentials=_descriptors(user.passkeys.all()) if user else None,
        user_verification=UserVerificationRequirement.REQUIRED
        if require_uv
        else UserVerificationRequirement.PREFERRED,
    )
    return json.loads(webauthn.options_to_json(options))


@dataclass(frozen=True)
class NewPasskey:
    """A registration that passed every check, ready to be stored."""

    credential_id: str
    user_handle: str
    public_key: bytes
    sign_count: int
    transports: list[str]
    backup_eligible: bool
    backed_up: bool
    user_verified: bool
    aaguid: str


def verify_registration(
    credential, *, challenge: PasskeyChallenge | None, require_uv: bool = False
) -> NewPasskey:
    """Check the browser's answer to ``registration_options`` (its spent
    ``challenge``); raise ``PasskeyRefused`` unless it is a valid new
    credential for this site."""
    if challenge is None or not isinstance(credential, dict):
        raise PasskeyRefused("no challenge, or not a credential")
    try:
        verified = webauthn.verify_registration_response(
            credential=credential,
            expected_challenge=bytes(challenge.challenge),
            expected_rp_id=rp_id(),
            expected_origin=expected_origin(),
            require_user_verification=require_uv,
        )
    except Exception as exc:  # any malformed or forged part is a refusal
        logger.info("passkey registration refused: %s", exc)
        raise PasskeyRefused(str(exc)) from None
    response = credential.get("response")
    transports = response.get("transports") if isinstance(response, dict) else None
    if not isinstance(transports, list):
        transports = []
    return NewPasskey(
        credential_id=bytes_to_base64url(verified.credential_id),
        user_handle=challenge.user_handle,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=sorted({t for t in transports if t in TRANSPORTS}),
        backup_eligible=verified.credential_device_type == "multi_device",
        backed_up=verified.credential_backed_up,
        user_verified=verified.user_verified,
        aaguid=verified.aaguid,
    )


@dataclass
class PasskeyAssertion:
    """One passkey answer to check, as the sign-in flow hands it to
    ``authenticate()`` (``accounts.passkeys.backends.PasskeyBackend``).

    ``user`` is the account that must own the passkey (the second factor of
    a pending sign-in, reauthentication), or None for a sign-in without a
    username; ``require_uv`` whether the authenticator must have verified
    the person (PIN, fingerprint, face). Once checked, ``passkey`` and
    ``user_verified`` say which passkey answered and how.
    """

    credential: object
    challenge: PasskeyChallenge | None
    user: User | None = None
    require_uv: bool = True
    passkey: Passkey | None = None
    user_verified: bool = False
    new_sign_count: int = 0
    backed_up: bool = False

    @cached_property
    def stored(self) -> Passkey | None:
        """The passkey the answer names (any account's), or None."""
        credential = self.credential
        if not isinstance(credential, dict):
            return None
        credential_id = credential.get("id")
        if not isinstance(credential_id, str) or not 0 < len(credential_id) <= 1400:
            return None
        if not BASE64URL.fullmatch(credential_id):  # ids are stored base64url
            return None
        return (
            Passkey.objects.select_related("user")
            .filter(credential_id=credential_id)
            .first()
        )

    def verify(self) -> bool:
        """Check the answer against ``stored`` and the challenge; record how."""
        stored = self.stored
        if stored is None or self.challenge is None:
            return False
        try:
            parsed = parse_authentication_credential_json(self.credential)
            verified = webauthn.verify_authentication_response(
                credential=parsed,
                expected_challenge=bytes(self.challenge.challenge),
                expected_rp_id=rp_id(),
                expected_origin=expected_origin(),
                credential_public_key=bytes(stored.public_key),
                credential_current_sign_count=stored.sign_count,
                require_user_verification=self.require_uv,
            )
        except Exception as exc:  # any malformed or forged part is a refusal
            logger.info("passkey assertion refused: %s", exc)
            return False
        handle = parsed.response.user_handle
        if handle is not None and bytes_to_base64url(handle) != stored.user_handle:
            logger.info("passkey assertion refused: another account's user handle")
            return False
        self.passkey = stored
        self.user_verified = verified.user_verified
        self.new_sign_count = verified.new_sign_count
        self.backed_up = verified.credential_backed_up
        return True
