"""Signed, expiring tokens for the links that prove someone owns an address.

Both kinds are ``django.core.signing`` payloads (HMAC with ``SECRET_KEY`` and a
per-purpose salt, timestamped, checked with ``max_age``). Each carries a
fingerprint of the user's current address, verified flag and password hash,
so a link stops working once it has been used (the flag or the address
changed), when the address changes by any other route, and when the password
changes (a pending email change dies with a password reset).
"""

from django.contrib.auth import get_user_model
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from ..conf import app_settings


def password_fingerprint(user, purpose: str) -> str:
    """A short keyed digest of the user's password hash, for ``purpose``.

    Stored in a signed cookie, it ties the cookie to the current password:
    a password change or reset retires every such cookie at once.
    """
    return salted_hmac(purpose, user.password).hexdigest()[:16]


def _fingerprint(user, *, verified: bool | None = None) -> str:
    verified = user.email_verified if verified is None else verified
    value = f"{user.pk}|{user.email.lower()}|{verified}|{user.password}"
    return salted_hmac("accounts.tokens.fingerprint", value).hexdigest()[:32]


class EmailTokenGenerator:
    """Make and check links for one purpose (``salt``) with a shared lifetime."""

    def __init__(self, salt: str):
        self.salt = salt

    def make_token(self, user, email: str | None = None) -> str:
        """A token for ``user``, optionally carrying a new ``email`` to confirm."""
        payload = {"u": user.pk, "f": _fingerprint(user)}
        if email is not None:
            payload["e"] = email
        return signing.dumps(payload, salt=self.salt, compress=True)

    def _load(self, token: str):
        """``(payload, user)`` of an unexpired, untampered token, else
        ``(None, None)``."""
        try:
            payload = signing.loads(
                token,
                salt=self.salt,
                max_age=app_settings.EMAIL_VERIFICATION_TIMEOUT,
            )
            return payload, get_user_model()._default_manager.get(pk=payload["u"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            return None, None
        except get_user_model().DoesNotExist:
            return None, None

    def check_token(self, token: str):
        """Return ``(user, email)`` for a valid token, else ``(None, None)``.

        Expired, tampered and used tokens all give the same answer.
        """
        payload, user = self._load(token)
        if (
            user is None
            or not user.is_active
            or not constant_time_compare(payload.get("f", ""), _fingerprint(user))
        ):
            return None, None
        return user, payload.get("e", user.email)

    def confirmed_already(self, token: str) -> bool:
        """Whether ``token`` is a genuine confirmation link, unexpired, for the
        address the account has now, that was already confirmed: the only
        thing that changed since it was made is the verified flag.

        Only the owner of the inbox has the link, so saying so tells nobody
        else anything.
        """
        payload, user = self._load(token)
        return (
            user is not None
            and "e" not in payload
            and user.is_active
            and user.email_verified
            and constant_time_compare(
                payload.get("f", ""), _fingerprint(user, verified=False)
            )
        )


email_verification_token = EmailTokenGenerator("accounts.tokens.email_verification")
email_change_token = EmailTokenGenerator("accounts.tokens.email_change")
