from contextvars import ContextVar

from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .login.attempts import Attempt
from .security import hashers, lockout

UserModel = get_user_model()

# The session of the request whose user is being loaded (see get_user).
_loading_session = ContextVar("loading_session", default=None)


def get_user(request):
    """Django's ``auth.get_user``, with the user row read with the session.

    The session store reads the session's user in the same query as the
    session (``accounts.usersessions.backends.db``), so a signed-in page view
    queries the database once. Django still does every check: the session's
    backend, ``is_active`` and the session hash against the password.
    """
    token = _loading_session.set(request.session)
    try:
        return auth.get_user(request)
    finally:
        _loading_session.reset(token)


class UsernameOrEmailBackend(ModelBackend):
    """Authenticate with a username or an email address, ignoring case.

    The sign-in flow passes its ``Attempt`` (``accounts.login.flow``), which
    has looked the account up once for every part of the attempt. Every
    check is counted by the lockout *before* the password is hashed
    (``accounts.security.lockout.reserved``): a locked-out attempt raises
    ``LockedOut`` through ``authenticate()`` without any hashing, and a
    wrong password stays counted. Otherwise exactly Django's
    ``ModelBackend``: inactive users are refused, and a login name that
    matches nobody still costs one password hash.
    ``get_user`` takes the user the session store read with the session
    (see ``get_user`` above) instead of reading it again.
    """

    def authenticate(
        self, request, username=None, password=None, attempt=None, **kwargs
    ):
        if username is None:
            username = kwargs.get(UserModel.USERNAME_FIELD)
        if username is None or password is None:
            return None
        if attempt is None:
            attempt = Attempt(request, username)
        # Counted before hashing; raises LockedOut (no hash) while locked.
        with lockout.reserved(attempt) as reservation:
            user = attempt.account
            if user is None:
                # Run the default password hasher once to reduce the timing
                # difference between an existing and a nonexistent user (#20760).
                UserModel().set_password(password)
                return None
            known = attempt.known_browser_id is not None
            with hashers.reserved_slot(known_device=known):
                if user.check_password(password) and self.user_can_authenticate(user):
                    reservation.succeeded = True
                    return user
            return None

    def get_user(self, user_id):
        user = getattr(_loading_session.get(), "loaded_user", None)
        if user is None or user.pk != user_id:
            return super().get_user(user_id)
        return user if self.user_can_authenticate(user) else None
