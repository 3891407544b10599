"""Trusted browsers: "trust this browser" lets it skip the code step.

A signed, HttpOnly cookie bound to the user, their current password and
their current two-factor enrolment (``User.trusted_browsers_generation``):
a password change retires it, and so do turning two-factor on or off, an
admin's reset and "sign out everywhere" (``forget_all``), so a cookie from
before can never skip the code of a new authenticator.
"""

from django.conf import settings
from django.core import signing
from django.db.models import F
from django.utils.crypto import constant_time_compare

from ..conf import app_settings
from ..lifecycle.tokens import password_fingerprint

TRUST_COOKIE_SALT = "accounts.twofactor.trusted_browser"


def _max_age() -> int:
    return app_settings.TWO_FACTOR_TRUST_DAYS * 24 * 60 * 60


def cookie(user) -> dict:
    """The cookie (``set_cookie`` arguments) that trusts this browser for ``user``."""
    value = signing.dumps(
        {
            "user": user.pk,
            "password": password_fingerprint(user, TRUST_COOKIE_SALT),
            "generation": user.trusted_browsers_generation,
        },
        salt=TRUST_COOKIE_SALT,
    )
    return {
        "key": app_settings.TWO_FACTOR_TRUST_COOKIE_NAME,
        "value": value,
        "max_age": _max_age(),
        "secure": settings.SESSION_COOKIE_SECURE,
        "httponly": True,
        "samesite": "Lax",
    }


def is_trusted(request, user) -> bool:
    """Whether this browser carries a valid trust cookie for ``user``."""
    if app_settings.TWO_FACTOR_TRUST_DAYS <= 0:
        return False
    try:
        data = signing.loads(
            request.COOKIES.get(app_settings.TWO_FACTOR_TRUST_COOKIE_NAME, ""),
            salt=TRUST_COOKIE_SALT,
            max_age=_max_age(),
        )
    except signing.BadSignature:
        return False
    return (
        data.get("user") == user.pk
        and data.get("generation") == user.trusted_browsers_generation
        and constant_time_compare(
            data.get("password", ""), password_fingerprint(user, TRUST_COOKIE_SALT)
        )
    )


def forget_all(user) -> None:
    """Stop trusting every browser ``user`` trusted so far."""
    user.__class__._default_manager.filter(pk=user.pk).update(
        trusted_browsers_generation=F("trusted_browsers_generation") + 1
    )
    user.trusted_browsers_generation += 1
