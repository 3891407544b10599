"""How django-axes counts failed sign-ins here, and who a lock applies to.

axes stores each failed attempt under the value ``AXES_USERNAME_CALLABLE``
returns and locks when the failures matching any entry of
``AXES_LOCKOUT_PARAMETERS`` reach ``AXES_FAILURE_LIMIT``. This module supplies
both, so that:

* every spelling of one account counts together: a username or an email
  address in any case (NFKC-normalised) maps to the account's username; a
  name that matches no account maps to its normalised, lower-cased form, at
  the cost of the same single query;
* a stranger is locked by the account's failures from *any* address (so
  guessing spread over many addresses fails) or by the client address's
  failures across *any* accounts (so one address guessing many accounts
  fails);
* a browser that carries the account's known-browser cookie
  (``accounts.login.known_browsers``) is counted under its own key, "username [device
  id]", and only there. While strangers are locked out, the owner's browser
  still signs in with the right password, and its own failures can lock it
  too. The trade-off: whoever holds that cookie (a stolen laptop) gets their
  own ``AXES_FAILURE_LIMIT`` guesses per cool-off, besides the strangers'.

A successful sign-in or a completed password reset clears the account's
counts (every key of the account), never the client address's: clearing
that would let an attacker reset their address's count by signing in to an
account of their own.
"""

import unicodedata

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.db.models import Q
from django.shortcuts import render

from .. import signals
from ..login.attempts import Attempt

DEVICE_MARK = " [device "
# axes stores the key in a 255-character column.
KEY_MAX_LENGTH = 255


def _key_and_device(request, credentials) -> tuple[str, bool]:
    attempt = Attempt.of(request, credentials)
    user = attempt.account
    if user is None:
        key = unicodedata.normalize("NFKC", attempt.identifier.strip()).lower()
        return key[:KEY_MAX_LENGTH], False
    device = attempt.known_browser_id
    if device is None:
        return user.username, False
    return f"{user.username}{DEVICE_MARK}{device}]", True


def account_key(request, credentials=None) -> str:
    """``AXES_USERNAME_CALLABLE``: the key a sign-in attempt is counted under."""
    return _key_and_device(request, credentials)[0]


def lockout_parameters(request_or_attempt, credentials=None) -> list:
    """``AXES_LOCKOUT_PARAMETERS``: account-wide and address-wide, or per device.

    A known device's attempts are stored under the account-and-device key
    and checked against that key alone. Whether the browser is a known
    device comes from its verified cookie, never from the typed name, so
    typing a name that looks like a device key changes nothing.
    """
    if isinstance(request_or_attempt, AccessAttempt):
        return ["username", "ip_address"]
    if not Attempt.of(request_or_attempt, credentials).identifier:
        # An attempt that names no account (a passkey the site does not
        # know) counts against the address alone.
        return ["ip_address"]
    if _key_and_device(request_or_attempt, credentials)[1]:
        return ["username"]
    return ["username", "ip_address"]


def delete_attempts(attempts) -> int:
    """Delete the ``attempts`` queryset; return how many rows went.

    Nearly always there is nothing to delete (a sign-in without failures
    before it), and ``QuerySet.delete()`` would still take the database's
    write lock for an empty transaction (axes' delete signal makes it select
    the rows first): one read decides instead.
    """
    if not attempts.exists():
        return 0
    return attempts.delete()[0]


def reset_account(user) -> int:
    """Delete every failure counted against ``user``'s account; return how many."""
    return delete_attempts(
        AccessAttempt.objects.filter(
            Q(username=user.username)
            | Q(username__startswith=user.username + DEVICE_MARK)
        )
    )


def cool_off_seconds(request) -> int:
    """How long a lock lasts from the latest failure, which is this one."""
    return int(get_cool_off(request).total_seconds())


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


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler, resetting only the account's counts on success.

    The database handler (not the cache one) because the counts then live
    where every app server sees them, updated under row locks, with no
    extra shared service to run.
    """

    def user_logged_in(self, sender, request, user, **kwargs):
        """Clear expired counts and the account's own, as axes' handler would.

        axes' own version only adds its access log and reset-on-success,
        both off here, and would look the account up again for its log line.
        """
        self.clean_expired_user_attempts(request)
        reset_account(user)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        """axes' count, then ``sign_in_locked`` at the failure that locks.

        axes signals ``user_locked_out`` on every refused attempt while
        locked; the lock itself starts once, at the limit.
        """
        super().user_login_failed(sender, credentials, request, **kwargs)
        failures = getattr(request, "axes_failures_since_start", None)
        if failures is not None and failures == get_failure_limit(request, credentials):
            signals.sign_in_locked.send(
                sender=Attempt,
                request=request,
                attempt=Attempt.of(request, credentials),
                failures=failures,
            )

    def clean_expired_user_attempts(self, request=None, credentials=None) -> int:
        """axes' clean-up of attempts older than the cool-off (run at every
        sign-in and failure), without a write when none has expired."""
        return delete_attempts(
            AccessAttempt.objects.filter(
                attempt_time__lte=get_cool_off_threshold(request)
            )
        )
