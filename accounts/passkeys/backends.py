"""The authentication backend that checks a passkey's answer."""

from django.contrib.auth.backends import BaseBackend

from ..security import lockout


class PasskeyBackend(BaseBackend):
    """Authenticate a ``PasskeyAssertion`` (``accounts.passkeys.ceremonies``).

    Called by Django's ``authenticate()`` only with the sign-in flow's passkey
    credentials (``accounts.login.flow.authenticate_passkey``). Like the
    password backend it counts the attempt towards the lockout before it
    checks anything (``LockedOut`` while locked) and takes the count back
    for a good answer; when it returns None, Django reports a failed
    sign-in, which the audit trail records, as for a wrong password. It
    never loads users for sessions: every session names the flow's one
    backend.

    Refused: an unknown credential, a spent or missing challenge, a passkey
    of another account than the one the ceremony is for, an inactive owner,
    no user verification where it is required, and any answer py_webauthn
    rejects (origin, RP ID, signature, counter).
    """

    def authenticate(self, request, *, passkey, attempt, method, step=None):
        with lockout.reserved(attempt) as reservation:
            user = self._check(passkey)
            reservation.succeeded = user is not None
        return user

    def _check(self, passkey):
        stored = passkey.stored
        if stored is None:
            return None
        if passkey.user is not None and stored.user_id != passkey.user.pk:
            return None
        if not stored.user.is_active:
            return None
        if not passkey.verify():
            return None
        return stored.user

    def get_user(self, user_id):
        return None
