"""Browsers an account has signed in from: the signed "known device" cookie.

After a successful sign-in the browser gets one HttpOnly cookie, signed with
``django.core.signing``, that holds a random device id and the ids of the
accounts that signed in from it. A browser that carries it for an account is
a *known device* of that account: its failed sign-ins are counted apart from
everyone else's (so an attacker's lockout does not lock the owner out, see
``accounts.lockout``) and signing in from it sends no new-device email.
"""

import base64
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .emails import absolute_url, send_templated_email
from .ip import client_ip

SALT = "accounts.devices.known_device"
END_SESSION_SALT = "accounts.devices.end_session"
# Accounts remembered per browser; the oldest is forgotten first.
MAX_ACCOUNTS = 20


def _read(request) -> dict:
    """Return the cookie's verified content, ``{"d": id, "u": [pk, ...]}``, or {}."""
    if not hasattr(request, "_known_device"):
        request._known_device = {}
        value = request.COOKIES.get(settings.KNOWN_DEVICE_COOKIE_NAME)
        if value:
            try:
                data = signing.loads(
                    value, salt=SALT, max_age=settings.KNOWN_DEVICE_COOKIE_AGE
                )
            except signing.BadSignature:
                data = None
            if (
                isinstance(data, dict)
                and isinstance(data.get("d"), str)
                and isinstance(data.get("u"), list)
            ):
                request._known_device = data
    return request._known_device


def known_device_id(request, user) -> str | None:
    """Return this browser's device id if ``user`` signed in from it before."""
    data = _read(request)
    return data["d"] if user.pk in data.get("u", ()) else None


def note_sign_in(request, user) -> None:
    """Remember that ``user`` signed in, so the response sets the cookie."""
    request._signed_in_user = user


def remember_sign_in(request, response) -> None:
    """Set the cookie on ``response`` if the request signed someone in."""
    user = getattr(request, "_signed_in_user", None)
    if user is None:
        return
    data = _read(request)
    accounts = [pk for pk in data.get("u", ()) if pk != user.pk]
    accounts = [*accounts[-(MAX_ACCOUNTS - 1) :], user.pk]
    value = signing.dumps(
        {"d": data.get("d") or secrets.token_hex(16), "u": accounts},
        salt=SALT,
        compress=True,
    )
    response.set_cookie(
        settings.KNOWN_DEVICE_COOKIE_NAME,
        value,
        max_age=settings.KNOWN_DEVICE_COOKIE_AGE,
        secure=settings.KNOWN_DEVICE_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _fernet() -> MultiFernet:
    """Encryption keyed on SECRET_KEY (and its fallbacks, for rotation)."""
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(
                    salted_hmac(
                        END_SESSION_SALT, "fernet", secret=key, algorithm="sha256"
                    ).digest()
                )
            )
            for key in keys
        ]
    )


def end_session_token(user, session_key: str) -> str:
    """Return the "this wasn't me" token naming ``user``'s session.

    Signed (``django.core.signing``, own salt, checked with a max age) so it
    cannot be forged or altered, and the session key inside is encrypted: a
    link that leaks from a mailbox must not hand out a live session.
    """
    secret = _fernet().encrypt(session_key.encode()).decode()
    return signing.dumps({"u": user.pk, "s": secret}, salt=END_SESSION_SALT)


def read_end_session_token(token: str) -> tuple[int, str] | None:
    """Return ``(user pk, session key)`` from a valid, unexpired token, or None."""
    try:
        data = signing.loads(
            token, salt=END_SESSION_SALT, max_age=settings.NEW_DEVICE_LINK_MAX_AGE
        )
        session_key = _fernet().decrypt(data["s"].encode()).decode()
        return int(data["u"]), session_key
    except (signing.BadSignature, InvalidToken, KeyError, TypeError, ValueError):
        return None


def send_new_device_email(request, user) -> None:
    """Tell ``user`` they signed in from a browser not seen before."""
    token = end_session_token(user, request.session.session_key)
    send_templated_email(
        "new_device",
        to=user.email,
        context={
            "user": user,
            "device": request.META.get("HTTP_USER_AGENT", "")[:255],
            "ip_address": client_ip(request),
            "time": timezone.now(),
            "end_session_url": absolute_url(
                reverse("accounts:end_session", args=[token])
            ),
        },
    )
