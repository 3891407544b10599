"""Browsers an account has signed in from: the signed known-browser cookie.

After a successful sign-in the browser gets one HttpOnly cookie (named by
``KNOWN_DEVICE_COOKIE_NAME``, for compatibility), signed with
``django.core.signing``, that holds a random browser id and the ids of the
accounts that signed in from it. A browser that carries it for an account is
a *known browser* of that account: its failed sign-ins are counted apart
from everyone else's (so an attacker's lockout does not lock the owner out,
see ``accounts.security.lockout``) and signing in from it sends no
new-browser email. The sign-in flow sets it (``cookie()``).
"""

import secrets
import uuid

from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from ..conf import app_settings
from ..emails import absolute_url, send_templated_email
from ..lifecycle.tokens import password_fingerprint
from ..security.ip import client_ip
from ..usersessions.user_agents import describe_user_agent, request_user_agent

# The salts keep their first module's name: cookies and links already out
# there stay valid.
SALT = "accounts.devices.known_device"
END_SESSION_SALT = "accounts.devices.end_session"
# Accounts remembered per browser; the oldest is forgotten first.
MAX_ACCOUNTS = 20


def _read(request) -> dict:
    """Return the cookie's verified content, or {}.

    ``{"d": browser id, "u": {user pk: password fingerprint, ...}}``: the
    fingerprint ties each account's entry to its current password, so a
    password change or reset (after "this wasn't me", say) makes every
    browser a stranger to that account again.
    """
    value = request.COOKIES.get(app_settings.KNOWN_DEVICE_COOKIE_NAME)
    if not value:
        return {}
    try:
        data = signing.loads(
            value, salt=SALT, max_age=app_settings.KNOWN_DEVICE_COOKIE_AGE
        )
    except signing.BadSignature:
        return {}
    if (
        isinstance(data, dict)
        and isinstance(data.get("d"), str)
        and isinstance(data.get("u"), dict)
    ):
        return data
    return {}


def known_browser_id(request, user) -> str | None:
    """Return this browser's id if ``user`` signed in from it before."""
    data = _read(request)
    fingerprint = data.get("u", {}).get(str(user.pk), "")
    if constant_time_compare(fingerprint, password_fingerprint(user, SALT)):
        return data["d"]
    return None


def cookie(request, user) -> dict:
    """The cookie (``set_cookie`` arguments) naming this browser known to ``user``."""
    data = _read(request)
    others = [(pk, f) for pk, f in data.get("u", {}).items() if pk != str(user.pk)]
    accounts = dict(others[-(MAX_ACCOUNTS - 1) :])
    accounts[str(user.pk)] = password_fingerprint(user, SALT)
    value = signing.dumps(
        {"d": data.get("d") or secrets.token_hex(16), "u": accounts},
        salt=SALT,
        compress=True,
    )
    return {
        "key": app_settings.KNOWN_DEVICE_COOKIE_NAME,
        "value": value,
        "max_age": app_settings.KNOWN_DEVICE_COOKIE_AGE,
        "secure": app_settings.KNOWN_DEVICE_COOKIE_SECURE,
        "httponly": True,
        "samesite": "Lax",
    }


def end_session_token(user, session_public_id) -> str:
    """Return the "this wasn't me" token naming one of ``user``'s sessions.

    Signed (own salt, checked with a max age) so it cannot be forged or
    altered. It names the session by its public id, never by its key: a link
    that leaks from a mailbox must not hand out a live session.
    """
    return signing.dumps(
        {"u": user.pk, "s": str(session_public_id)}, salt=END_SESSION_SALT
    )


def read_end_session_token(token: str) -> tuple[int, str] | None:
    """Return ``(user pk, session public id)`` from a valid token, or None."""
    try:
        data = signing.loads(
            token, salt=END_SESSION_SALT, max_age=app_settings.NEW_DEVICE_LINK_MAX_AGE
        )
        return int(data["u"]), str(uuid.UUID(data["s"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None


def send_new_browser_email(request, user) -> None:
    """Tell ``user`` they signed in from a browser not seen before.

    Only at a confirmed address: the alert names the device from the
    browser's own User-Agent and greets by the username, text the person
    signing in chose, and an unconfirmed address may be a stranger's.
    """
    if not user.email_verified:
        return
    token = end_session_token(user, request.session.public_id)
    send_templated_email(
        "new_device",
        to=user.email,
        context={
            "user": user,
            "device": describe_user_agent(request_user_agent(request)),
            "ip_address": client_ip(request),
            "time": timezone.now(),
            "end_session_url": absolute_url(
                reverse("accounts:end_session", args=[token])
            ),
        },
    )
