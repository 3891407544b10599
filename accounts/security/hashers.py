"""Password hashers: Argon2id with settings-driven cost, and a per-process cap
on how many password hashes run at once."""

import contextvars
import threading
import time
from contextlib import contextmanager

from django.contrib.auth import hashers

from ..conf import app_settings


class PasswordCheckBusy(Exception):
    """Every password-check slot this request may use stayed taken too long.

    ``accounts.security.middleware.PasswordCheckBusyMiddleware`` answers it with 503
    and ``Retry-After``, so a login flood is refused in seconds instead of
    piling up memory-hungry hashes and queueing requests for minutes.
    """


class _Slots:
    """``shared`` slots for anyone plus ``reserved`` ones for known devices.

    A semaphore with two kinds of permit: a check that may use the reserved
    slots takes one of those first, so the shared ones stay for everyone
    else. Strangers stop waiting for a shared slot while the process is
    flooded, that is once strangers have been waiting without a break for a
    whole ``timeout``, or one was refused less than a ``timeout`` ago: they
    are refused at once, so waiting guesses cannot hold every server thread
    while the owner's requests queue behind them. An ordinary burst of
    sign-ins, whose queue empties sooner, still waits its turn.
    """

    def __init__(self, shared: int, reserved: int):
        self.free = {"shared": shared, "reserved": reserved}
        self.changed = threading.Condition()
        self.strangers_waiting = 0
        self.strangers_waiting_since = 0.0
        self.stranger_refused_at = -float("inf")

    def _flooded(self, now: float, timeout: float) -> bool:
        return now - self.stranger_refused_at < timeout or (
            self.strangers_waiting > 0 and now - self.strangers_waiting_since >= timeout
        )

    def acquire(self, *, reserved_ok: bool, timeout: float) -> str | None:
        kinds = ("reserved", "shared") if reserved_ok else ("shared",)
        with self.changed:
            now = time.monotonic()
            if not reserved_ok and self._flooded(now, timeout):
                timeout = 0
            if not reserved_ok:
                if not self.strangers_waiting:
                    self.strangers_waiting_since = now
                self.strangers_waiting += 1
            try:
                got = self.changed.wait_for(
                    lambda: any(self.free[kind] for kind in kinds), timeout
                )
            finally:
                if not reserved_ok:
                    self.strangers_waiting -= 1
            if not got:
                if not reserved_ok:
                    self.stranger_refused_at = time.monotonic()
                return None
            kind = next(kind for kind in kinds if self.free[kind])
            self.free[kind] -= 1
            return kind

    def release(self, kind: str) -> None:
        with self.changed:
            self.free[kind] += 1
            self.changed.notify_all()


_slots: dict[tuple[int, int, float], _Slots] = {}
_slots_lock = threading.Lock()
# Whether this thread already holds a slot: PBKDF2's verify() calls encode().
_holder = threading.local()
# Whether the password checks running now may use the reserved slots.
_known_device = contextvars.ContextVar("password_check_known_device", default=False)


def _slots_for(shared: int, reserved: int, timeout: float) -> _Slots:
    # One pool per configuration, so changing the settings (in tests) takes
    # effect without restarting the process.
    key = (shared, reserved, timeout)
    with _slots_lock:
        if key not in _slots:
            _slots[key] = _Slots(shared, reserved)
        return _slots[key]


@contextmanager
def reserved_slot(*, known_device: bool):
    """Let the password checks in this block use the reserved slots.

    ``accounts.backends`` enters it with ``known_device=True`` for a browser
    that carries the named account's known-browser cookie
    (``accounts.login.known_browsers``): a returning owner then never waits
    behind a flood of strangers' guesses.
    """
    token = _known_device.set(known_device)
    try:
        yield
    finally:
        _known_device.reset(token)


@contextmanager
def password_check_slot():
    """Hold one password-check slot of this process while hashing.

    Anyone may take one of ``PASSWORD_CHECK_CONCURRENCY`` shared slots;
    inside ``reserved_slot(known_device=True)`` one of
    ``PASSWORD_CHECK_RESERVED`` more is tried first. A check waits at most
    ``PASSWORD_CHECK_TIMEOUT`` seconds (a stranger's not at all while the
    process is flooded, see ``_Slots``), then raises ``PasswordCheckBusy``.
    ``PASSWORD_CHECK_CONCURRENCY = 0`` disables the cap.
    """
    size = app_settings.PASSWORD_CHECK_CONCURRENCY
    if size <= 0 or getattr(_holder, "holding", False):
        yield
        return
    timeout = app_settings.PASSWORD_CHECK_TIMEOUT
    slots = _slots_for(size, app_settings.PASSWORD_CHECK_RESERVED, timeout)
    kind = slots.acquire(reserved_ok=_known_device.get(), timeout=timeout)
    if kind is None:
        raise PasswordCheckBusy
    _holder.holding = True
    try:
        yield
    finally:
        _holder.holding = False
        slots.release(kind)


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
        return app_settings.ARGON2_TIME_COST

    @property
    def memory_cost(self) -> int:
        return app_settings.ARGON2_MEMORY_COST

    @property
    def parallelism(self) -> int:
        return app_settings.ARGON2_PARALLELISM


class PBKDF2PasswordHasher(BoundedHasherMixin, hashers.PBKDF2PasswordHasher):
    """Django's PBKDF2-SHA256 hasher, kept so old hashes verify, capped too."""


class PBKDF2SHA1PasswordHasher(BoundedHasherMixin, hashers.PBKDF2SHA1PasswordHasher):
    """Django's PBKDF2-SHA1 hasher, kept so old hashes verify, capped too."""
