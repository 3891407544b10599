"""Two-factor sign-in: the half-done login, code checks and trusted browsers.

After a correct password, a user with an authenticator app is *not* logged
in. Their id goes into the (still anonymous) session as a pending login that
expires after ``TWO_FACTOR_LOGIN_TIMEOUT`` seconds and allows
``TWO_FACTOR_MAX_ATTEMPTS`` wrong codes; only a right code runs Django's
``login()``. The pending state lives in the session, so it is bound to the
browser that gave the password.
"""

import math
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .models import RecoveryCodeDevice
from .signals import two_factor_disabled
from .tokens import password_fingerprint

PENDING_SESSION_KEY = "accounts.pending_login"
TRUST_COOKIE_SALT = "accounts.twofactor.trusted_browser"


def begin_pending_login(request, user, **extra) -> None:
    """Remember that ``user`` gave the right password in this browser."""
    request.session[PENDING_SESSION_KEY] = {
        "user_id": user.pk,
        "backend": user.backend,
        "started": timezone.now().timestamp(),
        "failures": 0,
        **extra,
    }


def pending_login(request) -> dict | None:
    """The pending login of this browser, or None if there is none or it expired."""
    state = request.session.get(PENDING_SESSION_KEY)
    if state is None:
        return None
    if (
        timezone.now().timestamp() - state["started"]
        > settings.TWO_FACTOR_LOGIN_TIMEOUT
    ):
        end_pending_login(request)
        return None
    return state


def pending_user(state: dict):
    users = get_user_model()._default_manager.filter(is_active=True)
    return users.filter(pk=state["user_id"]).first()


def record_failure(request, state: dict) -> bool:
    """Count a wrong code; return True while more attempts are allowed."""
    state["failures"] += 1
    if state["failures"] >= settings.TWO_FACTOR_MAX_ATTEMPTS:
        end_pending_login(request)
        return False
    request.session[PENDING_SESSION_KEY] = state
    return True


def end_pending_login(request) -> None:
    request.session.pop(PENDING_SESSION_KEY, None)


class CodeThrottled(Exception):
    """No device will check a code yet: wait ``seconds`` after wrong ones."""

    def __init__(self, until):
        super().__init__(until)
        self.seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))


def normalize_code(code: str) -> str:
    """The code as typed, without spaces, and with the full-width digits and
    letters an East Asian keyboard may type made plain ASCII (NFKC)."""
    return unicodedata.normalize("NFKC", "".join(code.split()))


def devices_ready_for(user, code: str) -> list:
    """The user's confirmed devices that could check ``code``.

    Six digits are for the authenticator app, anything else for the
    recovery codes. After wrong codes in a row, django-otp makes a device
    wait (1, 2, 4, ... seconds) before it checks another: while every device
    that could check ``code`` waits, this raises ``CodeThrottled``.
    """
    code = normalize_code(code)
    if code.isascii() and code.isdigit() and len(code) == 6:
        devices = TOTPDevice.objects.devices_for_user(user, confirmed=True)
    else:
        devices = RecoveryCodeDevice.objects.devices_for_user(user, confirmed=True)
    devices = list(devices)
    waits = [device.verify_is_allowed() for device in devices]
    if devices and not any(allowed for allowed, _ in waits):
        now = timezone.now()
        raise CodeThrottled(min(info.get("locked_until", now) for _, info in waits))
    return devices


def verify_code(user, code: str):
    """Return the device that accepts ``code``, or None.

    django-otp refuses an app code whose time step was already used, so a
    code cannot be replayed; a recovery code works once. Raises
    ``CodeThrottled`` (nothing checked) as ``devices_ready_for`` does.
    """
    code = normalize_code(code)
    for device in devices_ready_for(user, code):
        if device.verify_token(code):
            return device
    return None


def trust_browser(response, user) -> None:
    """Let this browser skip the code step for ``TWO_FACTOR_TRUST_DAYS`` days."""
    max_age = settings.TWO_FACTOR_TRUST_DAYS * 24 * 60 * 60
    value = signing.dumps(
        {"user": user.pk, "password": password_fingerprint(user, TRUST_COOKIE_SALT)},
        salt=TRUST_COOKIE_SALT,
    )
    response.set_cookie(
        settings.TWO_FACTOR_TRUST_COOKIE_NAME,
        value,
        max_age=max_age,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def is_trusted_browser(request, user) -> bool:
    if settings.TWO_FACTOR_TRUST_DAYS <= 0:
        return False
    try:
        data = signing.loads(
            request.COOKIES.get(settings.TWO_FACTOR_TRUST_COOKIE_NAME, ""),
            salt=TRUST_COOKIE_SALT,
            max_age=settings.TWO_FACTOR_TRUST_DAYS * 24 * 60 * 60,
        )
    except signing.BadSignature:
        return False
    return data.get("user") == user.pk and constant_time_compare(
        data.get("password", ""), password_fingerprint(user, TRUST_COOKIE_SALT)
    )


def disable(user, *, request=None, by: str) -> bool:
    """Remove the user's authenticator app and recovery codes.

    Return whether there was anything to remove; only then is the owner
    told and the event recorded.
    """
    with transaction.atomic():
        removed, _per_model = TOTPDevice.objects.filter(user=user).delete()
        removed += RecoveryCodeDevice.objects.filter(user=user).delete()[0]
    if not removed:
        return False
    two_factor_disabled.send(sender=user.__class__, request=request, user=user, by=by)
    services.security_notice(user, "two_factor_disabled")
    return True
