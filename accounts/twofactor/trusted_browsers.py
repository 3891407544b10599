"""Trusted browsers: "trust this browser" lets it skip the code step.

A signed, HttpOnly cookie bound to the user and their current password, so
a password change retires it.
"""

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare

from ..conf import app_settings
from ..lifecycle.tokens import password_fingerprint

TRUST_COOKIE_SALT = "accounts.twofactor.trusted_browser"


def _max_age() -> int:
    return app_settings.TWO_FACTOR_TRUST_DAYS * 24 * 60 * 60


def cookie(user) -> dict:
    """The cookie (``set_cookie`` arguments) that trusts this browser for ``user``."""
    value = signing.dumps(
        {"user": user.pk, "password": password_fingerprint(user, TRUST_COOKIE_SALT)},
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
    return data.get("user") == user.pk and constant_time_compare(
        data.get("password", ""), password_fingerprint(user, TRUST_COOKIE_SALT)
    )
