"""Password hashers: Argon2id with settings-driven cost, and a per-process cap
on how many password hashes run at once."""

import threading
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import hashers


class PasswordCheckBusy(Exception):
    """Every password-check slot of this process stayed taken too long.

    ``accounts.middleware.PasswordCheckBusyMiddleware`` answers it with 503
    and ``Retry-After``, so a login flood is refused in seconds instead of
    piling up memory-hungry hashes and queueing requests for minutes.
    """


_semaphores: dict[int, threading.BoundedSemaphore] = {}
_semaphores_lock = threading.Lock()
# Whether this thread already holds a slot: PBKDF2's verify() calls encode().
_holder = threading.local()


def _semaphore(size: int) -> threading.BoundedSemaphore:
    # One semaphore per configured size, so changing the setting (in tests)
    # takes effect without restarting the process.
    with _semaphores_lock:
        if size not in _semaphores:
            _semaphores[size] = threading.BoundedSemaphore(size)
        return _semaphores[size]


@contextmanager
def password_check_slot():
    """Hold one of ``PASSWORD_CHECK_CONCURRENCY`` slots while hashing.

    Waits at most ``PASSWORD_CHECK_TIMEOUT`` seconds, then raises
    ``PasswordCheckBusy``. A limit of 0 disables the cap.
    """
    size = settings.PASSWORD_CHECK_CONCURRENCY
    if size <= 0 or getattr(_holder, "holding", False):
        yield
        return
    semaphore = _semaphore(size)
    if not semaphore.acquire(timeout=settings.PASSWORD_CHECK_TIMEOUT):
        raise PasswordCheckBusy
    _holder.holding = True
    try:
        yield
    finally:
        _holder.holding = False
        semaphore.release()


class BoundedHasherMixin:
    """Run ``encode`` and ``verify`` (the costly parts) inside a slot.

    Every password check of the site passes through here: sign-in, the
    dummy hash for unknown users, password changes and the admin.
    """

    def encode(self, password, salt, *args, **kwargs):
        with password_check_slot():
            return super().encode(password, salt, *args, **kwargs)

    def verify(self, password, encoded):
        with password_check_slot():
            return super().verify(password, encoded)


class Argon2PasswordHasher(BoundedHasherMixin, hashers.Argon2PasswordHasher):
    """Django's Argon2id hasher with its cost parameters taken from settings.

    Hashes made with other parameters still verify and are re-hashed with
    these at the user's next successful login (``must_update``).
    """

    @property
    def time_cost(self) -> int:
        return settings.ARGON2_TIME_COST

    @property
    def memory_cost(self) -> int:
        return settings.ARGON2_MEMORY_COST

    @property
    def parallelism(self) -> int:
        return settings.ARGON2_PARALLELISM


class PBKDF2PasswordHasher(BoundedHasherMixin, hashers.PBKDF2PasswordHasher):
    """Django's PBKDF2-SHA256 hasher, kept so old hashes verify, capped too."""


class PBKDF2SHA1PasswordHasher(BoundedHasherMixin, hashers.PBKDF2SHA1PasswordHasher):
    """Django's PBKDF2-SHA1 hasher, kept so old hashes verify, capped too."""
