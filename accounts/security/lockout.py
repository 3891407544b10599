"""Counting failed sign-ins, and locking out whoever keeps failing.

Every password check of the site (sign-in, reauthentication, password
change, account deletion: ``accounts.backends``) and every wrong two-factor
code (``accounts.login.flow.stage_failed``) is counted here, in
``LockoutCounter`` rows, under these keys:

* **the account, from anywhere**: every spelling of one account counts
  together (a username or an email address in any case, NFKC-normalised,
  maps to the account's username; a name that matches no account maps to
  its normalised, lower-cased form, at the cost of the same single query).
  ``LOCKOUT_FAILURE_LIMIT`` failures lock it for strangers, so guessing
  spread over many addresses fails;
* **the client address, across accounts** (an IPv6 address with its whole
  /64): ``LOCKOUT_IP_FAILURE_LIMIT`` failures, a higher limit, since an
  office or a mobile carrier puts many people behind one address;
* **a known browser of the account** instead of both: a browser that carries
  the account's known-browser cookie (``accounts.login.known_browsers``) is
  counted under "username [device id]" alone, with the account's limit.
  While strangers are locked out, the owner's browser still signs in, and
  its own failures lock it alone. The trade-off: whoever holds that cookie
  (a stolen laptop) gets their own guesses per cool-off, besides the
  strangers'.

**An attempt is counted before its password is hashed.** ``reserved()``
adds it to every key's count in one short transaction (rows locked on
PostgreSQL; SQLite's ``IMMEDIATE`` transactions take the write lock), and
refuses it, without hashing, when a key is locked or already full. A right
password takes the count back. So a burst of attempts sent at once gets no
more checks than the limit, where a check-then-record design (django-axes',
which this replaced) let all of them through the check before any was
recorded.

**Locks escalate.** A key's first lock lasts ``LOCKOUT_COOLOFF_MINUTES``;
each further lock of the same key lasts ``LOCKOUT_COOLOFF_MULTIPLIER`` times
longer, up to ``LOCKOUT_COOLOFF_MAX_MINUTES``, until the key has gone
``LOCKOUT_HISTORY_HOURS`` without a failure. An attempt refused during a lock
extends it by the lock's length (an ongoing attack keeps it), is counted on
the lock (one audit event with a count, not a row per attempt) and is never
hashed.

A successful sign-in or a completed password reset clears the account's
counts (every key of the account), never the client address's: clearing
that would let an attacker reset their address's count by signing in to an
account of their own.
"""

from __future__ import annotations

import math
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.deletion import Collector
from django.shortcuts import render
from django.utils import timezone

from .. import signals
from ..conf import app_settings
from ..login.attempts import Attempt
from .ip import client_address_key
from .models import LockoutCounter

Scope = LockoutCounter.Scope
DEVICE_MARK = " [device "
KEY_MAX_LENGTH = LockoutCounter._meta.get_field("key").max_length
# Escalation stops growing long before the number does.
MAX_ESCALATIONS = 32
# How long to wait when the last places under a limit are taken by checks
# still in progress (they end within a second or two).
IN_PROGRESS_WAIT = timedelta(seconds=5)
# How often a full count is looked at again while its checks run.
IN_PROGRESS_POLL = 0.05
# What ``_refresh`` may change on a row, besides the count itself.
REFRESHED_FIELDS = [
    "failures",
    "last_failure_at",
    "locked_at",
    "locked_until",
    "lockouts",
    "refused",
]


class LockedOut(Exception):
    """The attempt is refused (or this failure locked it) for the cool-off.

    ``accounts.security.middleware.LockedOutMiddleware`` answers it with the
    429 lockout page; an API answers it in its own format. The same whoever
    was named, so it tells nothing about the account.
    """

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def account_key(attempt: Attempt) -> tuple[str, bool]:
    """The key ``attempt`` is counted under, and whether it is a known browser."""
    user = attempt.account
    if user is None:
        # Cut before normalising: NFKC can make a string 18 times longer.
        typed = attempt.identifier[:KEY_MAX_LENGTH].strip()
        key = unicodedata.normalize("NFKC", typed).lower()
        return key[:KEY_MAX_LENGTH], False
    device = attempt.known_browser_id
    if device is None:
        return user.username, False
    return f"{user.username}{DEVICE_MARK}{device}]"[:KEY_MAX_LENGTH], True


def keys_for(attempt: Attempt) -> list[tuple[str, str]]:
    """``(scope, key)`` of every count ``attempt`` adds to.

    An attempt that names no account (a passkey the site does not know)
    counts against the address alone.
    """
    address = client_address_key(attempt.request) if attempt.request else ""
    if not attempt.identifier:
        return [(Scope.ADDRESS, address)] if address else []
    key, known_browser = account_key(attempt)
    if known_browser:
        return [(Scope.BROWSER, key)]
    keys = [(Scope.ACCOUNT, key)]
    if address:
        keys.append((Scope.ADDRESS, address))
    return keys


def failure_limit(scope: str) -> int:
    if scope == Scope.ADDRESS:
        return app_settings.LOCKOUT_IP_FAILURE_LIMIT
    return app_settings.LOCKOUT_FAILURE_LIMIT


def cool_off(earlier_locks: int) -> timedelta:
    """How long a lock lasts after ``earlier_locks`` locks of the same key."""
    base = app_settings.LOCKOUT_COOLOFF_MINUTES
    longest = max(base, app_settings.LOCKOUT_COOLOFF_MAX_MINUTES)
    growth = max(1, app_settings.LOCKOUT_COOLOFF_MULTIPLIER)
    minutes = base * growth ** min(max(0, earlier_locks), MAX_ESCALATIONS)
    return timedelta(minutes=min(minutes, longest))


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def _refresh(row: LockoutCounter, now) -> None:
    """Bring ``row`` up to ``now``: an ended lock, expired failures, old locks."""
    if row.last_failure_at <= now - timedelta(hours=app_settings.LOCKOUT_HISTORY_HOURS):
        row.lockouts = 0
    if row.locked_until is not None and row.locked_until <= now:
        row.locked_at = row.locked_until = None
        row.failures = row.refused = 0
    window = timedelta(minutes=app_settings.LOCKOUT_COOLOFF_MINUTES)
    if row.locked_until is None and row.last_failure_at <= now - window:
        row.failures = 0


def _delete(counters) -> int:
    """Delete the ``counters`` queryset in one ``DELETE``; return how many went.

    ``QuerySet.delete()`` wraps even a single statement in a transaction
    (``BEGIN``/``COMMIT`` on SQLite); one ``DELETE`` with its conditions in
    its ``WHERE`` is atomic by itself. Only while nothing refers to the rows
    and no signal listens (Django's own "fast delete"); else Django's way.
    """
    if Collector(using=counters.db, origin=None).can_fast_delete(counters):
        return counters._raw_delete(using=counters.db)
    return counters.delete()[0]


def _key_filter(keys) -> Q:
    query = Q(pk__in=[])
    for scope, key in keys:
        query |= Q(scope=scope, key=key)
    return query


@dataclass
class Lock:
    """A lock that refused an attempt: what the audit trail counts it on."""

    scope: str
    lock_id: str
    locked_at: object
    refused: int


@dataclass
class Reservation:
    """An attempt counted before its check; ``release()`` or ``fail()`` it."""

    attempt: Attempt
    # (pk, whether this reservation created the row, whether the count reached
    # the limit with it)
    rows: list[tuple[int, bool, bool]] = field(default_factory=list)
    succeeded: bool = False

    def release(self) -> None:
        """Take the count back: the password was right, or never checked."""
        created = [pk for pk, new, _reached in self.rows if new]
        if created:
            # A count this attempt started goes again, unless others joined.
            deleted = _delete(
                LockoutCounter.objects.filter(
                    pk__in=created, failures=1, lockouts=0, locked_until=None
                )
            )
            if deleted == len(self.rows):
                return
        LockoutCounter.objects.filter(
            pk__in=[pk for pk, _new, _reached in self.rows], failures__gt=0
        ).update(failures=F("failures") - 1)

    def fail(self) -> int | None:
        """Keep the count: the check failed. Return seconds locked, or None.

        Only a failure whose count reached a limit can start a lock, so the
        usual failure writes nothing more.
        """
        reached = [pk for pk, _new, full in self.rows if full]
        if not reached:
            return None
        return _lock_full(self.attempt, reached)


def _lock_full(attempt: Attempt, pks: list[int]) -> int | None:
    """Lock the rows ``pks`` whose count is at their limit; return the wait."""
    now = timezone.now()
    started = []
    with transaction.atomic():
        rows = list(
            LockoutCounter.objects.select_for_update().filter(pk__in=pks).order_by("pk")
        )
        for row in rows:
            if row.is_locked(now) or row.failures < failure_limit(row.scope):
                continue
            row.locked_at = now
            row.locked_until = now + cool_off(row.lockouts)
            row.lockouts += 1
            row.refused = 0
            started.append(row)
        if started:
            LockoutCounter.objects.bulk_update(
                started, ["locked_at", "locked_until", "lockouts", "refused"]
            )
    for row in started:
        signals.sign_in_locked.send(
            sender=Attempt,
            request=attempt.request,
            attempt=attempt,
            failures=row.failures,
            scope=row.scope,
            lock=_lock_id(row),
            cool_off_seconds=_seconds(row.locked_until - now),
        )
    locked = [row for row in rows if row.is_locked(now)]
    if not locked:
        return None
    return _seconds(max(row.locked_until for row in locked) - now)


def _lock_id(row: LockoutCounter) -> str:
    """Names one lock of one key, for the audit event that counts it."""
    return f"{row.pk}.{row.lockouts}"


def _reserve(attempt: Attempt, keys, now, *, refuse: bool):
    """One transaction of ``reserve()``; raises IntegrityError on a lost insert."""
    # Locked in one order (by id) by every transaction: no deadlock.
    locked_rows = (
        LockoutCounter.objects.select_for_update()
        .filter(_key_filter(keys))
        .order_by("pk")
    )
    rows = {(row.scope, row.key): row for row in locked_rows}
    for row in rows.values():
        _refresh(row, now)
    locked = [row for row in rows.values() if row.is_locked(now)]
    full = [
        row
        for row in rows.values()
        if not row.is_locked(now) and row.failures >= failure_limit(row.scope)
    ]
    if refuse and (locked or full):
        for row in locked:
            row.refused += 1
            row.last_failure_at = now
            row.locked_until = max(row.locked_until, now + cool_off(row.lockouts - 1))
        if locked:
            LockoutCounter.objects.bulk_update(
                locked, ["refused", "last_failure_at", "locked_until", "lockouts"]
            )
        # Full but not locked: checks in progress take up the last places,
        # and end within seconds.
        waits = [row.locked_until - now for row in locked] or [IN_PROGRESS_WAIT]
        refusal = [
            Lock(row.scope, _lock_id(row), row.locked_at, row.refused) for row in locked
        ]
        return None, refusal, _seconds(max(waits))
    reservation = Reservation(attempt)
    counted = [row for row in rows.values() if not row.is_locked(now)]
    for row in counted:
        row.failures += 1
        row.last_failure_at = now
    if counted:
        LockoutCounter.objects.bulk_update(counted, REFRESHED_FIELDS)
    new = [
        LockoutCounter(scope=scope, key=key, failures=1, last_failure_at=now)
        for scope, key in keys
        if (scope, key) not in rows
    ]
    if new:
        # A concurrent attempt that inserted the same key first makes this
        # fail (IntegrityError): the caller starts again and finds its row.
        LockoutCounter.objects.bulk_create(new)
        if not all(row.pk for row in new):  # a database that returns no ids
            new = list(
                LockoutCounter.objects.filter(
                    _key_filter([(row.scope, row.key) for row in new])
                )
            )
    reservation.rows = [
        (row.pk, False, row.failures >= failure_limit(row.scope)) for row in counted
    ] + [(row.pk, True, row.failures >= failure_limit(row.scope)) for row in new]
    return reservation, [], 0


def _reserve_once(attempt: Attempt, keys, refuse: bool, tries: int = 3):
    """``_reserve`` in its transaction, again if a concurrent insert won."""
    now = timezone.now()
    for tries_left in range(tries - 1, -1, -1):
        try:
            with transaction.atomic():
                return _reserve(attempt, keys, now, refuse=refuse)
        except IntegrityError:
            if not tries_left:
                raise


def reserve(attempt: Attempt, *, refuse: bool = True) -> Reservation:
    """Count ``attempt`` as a failure before it is checked.

    Raise ``LockedOut`` (nothing counted but the refusal) while a key of the
    attempt is locked, or already as full as its limit allows. With
    ``refuse=False`` (a wrong code, already checked) count it on every key
    that is not locked.
    """
    keys = keys_for(attempt)
    # Full but not locked means checks still running hold the last places:
    # they end within a hash's time, so wait for them (a right password gives
    # its place back) rather than refuse an owner's concurrent sign-ins.
    deadline = time.monotonic() + IN_PROGRESS_WAIT.total_seconds()
    while True:
        reservation, refusal, retry_after = _reserve_once(attempt, keys, refuse)
        if reservation is not None or refusal or time.monotonic() >= deadline:
            break
        time.sleep(IN_PROGRESS_POLL)
    if reservation is None:
        for lock in refusal:
            signals.sign_in_refused.send(
                sender=Attempt,
                request=attempt.request,
                attempt=attempt,
                scope=lock.scope,
                lock=lock.lock_id,
                locked_at=lock.locked_at,
                refused=lock.refused,
            )
        raise LockedOut(retry_after=retry_after)
    return reservation


@contextmanager
def reserved(attempt: Attempt):
    """Count ``attempt`` while its password is checked inside the block.

    Set ``succeeded`` on the reservation for a right password: the count is
    taken back. An exception (the check never ran: no hashing slot) takes it
    back too. Otherwise the failure stays counted, and if it locked a key,
    ``attempt.locked_for`` says for how many seconds.
    """
    reservation = reserve(attempt)
    try:
        yield reservation
    except BaseException:
        reservation.release()
        raise
    if reservation.succeeded:
        reservation.release()
    else:
        attempt.locked_for = reservation.fail()


def count_failure(attempt: Attempt) -> int | None:
    """Count a failure already checked (a wrong two-factor code).

    Return the seconds of the lock it started, or None.
    """
    return reserve(attempt, refuse=False).fail()


def take_check(scope: str, key: str, limit: int) -> bool:
    """Count one more check under ``key``; False (nothing counted) at ``limit``.

    One conditional UPDATE, so checks sent at once cannot pass the limit.
    """
    now = timezone.now()
    counters = LockoutCounter.objects.filter(scope=scope, key=key)
    for _try in range(2):
        if counters.filter(failures__lt=limit).update(
            failures=F("failures") + 1, last_failure_at=now
        ):
            return True
        if limit <= 0 or counters.exists():
            return False
        try:
            with transaction.atomic():
                LockoutCounter.objects.create(
                    scope=scope, key=key, failures=1, last_failure_at=now
                )
            return True
        except IntegrityError:
            continue  # created at the same moment: count on that row
    return False


def checks_taken(scope: str, key: str) -> int:
    counter = LockoutCounter.objects.filter(scope=scope, key=key).first()
    return counter.failures if counter else 0


def delete_counters(counters) -> int:
    """Delete the ``counters`` queryset; return how many rows went.

    Nearly always there is nothing to delete (a sign-in without failures
    before it), and ``QuerySet.delete()`` would still take SQLite's write
    lock for an empty transaction: one read decides instead.
    """
    if not counters.exists():
        return 0
    return _delete(counters)


def account_counters(username: str):
    """Every count kept against the account ``username``: its own, its browsers'."""
    return LockoutCounter.objects.filter(
        Q(scope=Scope.ACCOUNT, key=username)
        | Q(scope=Scope.BROWSER, key__startswith=username + DEVICE_MARK)
    )


def address_counters(address: str):
    """The count kept against ``address`` (its /64 for IPv6)."""
    from .ip import address_key

    return LockoutCounter.objects.filter(scope=Scope.ADDRESS, key=address_key(address))


def reset_account(user) -> int:
    """Delete every failure counted against ``user``'s account; return how many."""
    return delete_counters(account_counters(user.username))


def prune(now=None) -> int:
    """Delete counts nothing refers to any more: unlocked and long quiet."""
    now = now or timezone.now()
    quiet = max(
        timedelta(hours=app_settings.LOCKOUT_HISTORY_HOURS),
        timedelta(minutes=app_settings.LOCKOUT_COOLOFF_MINUTES),
        timedelta(seconds=app_settings.TWO_FACTOR_LOGIN_TIMEOUT),
    )
    return LockoutCounter.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lte=now),
        last_failure_at__lte=now - quiet,
    ).delete()[0]


def lockout_response(request, retry_after: int):
    """The 429 page, the same whoever was named."""
    response = render(
        request,
        "accounts/locked_out.html",
        {"cool_off_minutes": max(1, round(retry_after / 60))},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response
