"""The security checkup on the overview: the account's state at a glance.

``checkup(user)`` reads everything in one query (a subquery per fact, each
on an index on the user) and returns one ``Item`` per thing checked, each
with a recommended next step when it is a weak point. The dashboard only
renders the list.

The facts are kept in the cache, so a dashboard view costs only the
session's query: a change to anything they count (an audit event, a
second factor, a passkey, a recovery code, a session) forgets them once
it commits (``forget``, connected in ``AccountsConfig.ready``), and
``FACTS_CACHE_SECONDS`` bounds what changes with no write (a session
expiring, a sign-in leaving the window). A failing cache (Redis down)
costs the query again, never the page.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from django.core.cache import cache
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..audit.models import AuthEvent
from ..conf import app_settings
from ..passkeys.models import Passkey
from ..twofactor.models import RecoveryCode, RecoveryCodeDevice
from ..usersessions.models import Session

# Fewer unused recovery codes than this (or as many) is a weak point.
FEW_RECOVERY_CODES = 3
# How far back "recent" sign-ins and failures go.
RECENT_DAYS = 30
# How long the facts stay in the cache at most (see the module docstring).
FACTS_CACHE_SECONDS = 60

FAILURE_TYPES = (
    AuthEvent.Type.LOGIN_FAILED,
    AuthEvent.Type.TWO_FACTOR_FAILED,
    AuthEvent.Type.PASSKEY_FAILED,
    AuthEvent.Type.LOCKOUT,
)

FACTS = (
    "has_app",
    "passkey_count",
    "recovery_code_count",
    "live_session_count",
    "sign_in_count",
    "failure_count",
)

OK = "ok"
WARNING = "warning"
INFO = "info"


@dataclass(frozen=True)
class Item:
    """One line of the checkup: what was checked, how it stands, what to do."""

    key: str
    status: str
    title: str
    text: str
    action_label: str = ""
    action_url: str = ""

    @property
    def is_weak(self) -> bool:
        return self.status == WARNING


@functools.cache
def _facts_sql(vendor: str) -> str:
    """The checkup's one query, written once per process from the models.

    Raw SQL because the same query built with the ORM (six correlated
    subqueries) cost more CPU to compile on every page view than the page
    itself; the tables, columns and types come from the models' metadata,
    and every value is a parameter. Each subquery reads an index on the user.
    """
    quote = connections["default"].ops.quote_name

    def table(model):
        return quote(model._meta.db_table)

    def column(model, name):
        return quote(model._meta.get_field(name).column)

    event, failures = table(AuthEvent), ", ".join(["%s"] * len(FAILURE_TYPES))
    # Only names from the models' metadata are formatted in (S608).
    recent_events = (
        f"SELECT COUNT(*) FROM {event} WHERE {column(AuthEvent, 'user')} = %s "  # noqa: S608
        f"AND {column(AuthEvent, 'created_at')} >= %s "
        f"AND {column(AuthEvent, 'event_type')}"
    )
    code, code_set = table(RecoveryCode), table(RecoveryCodeDevice)
    return (
        "SELECT "  # noqa: S608
        f"EXISTS(SELECT 1 FROM {table(TOTPDevice)} "
        f"WHERE {column(TOTPDevice, 'user')} = %s "
        f"AND {column(TOTPDevice, 'confirmed')} = %s), "
        f"(SELECT COUNT(*) FROM {table(Passkey)} "
        f"WHERE {column(Passkey, 'user')} = %s), "
        f"(SELECT COUNT(*) FROM {code} INNER JOIN {code_set} "
        f"ON {code}.{column(RecoveryCode, 'device')} = {code_set}."
        f"{column(RecoveryCodeDevice, 'id')} "
        f"WHERE {code_set}.{column(RecoveryCodeDevice, 'user')} = %s "
        f"AND {code_set}.{column(RecoveryCodeDevice, 'confirmed')} = %s "
        f"AND {code}.{column(RecoveryCode, 'used_at')} IS NULL), "
        f"(SELECT COUNT(*) FROM {table(Session)} "
        f"WHERE {column(Session, 'user')} = %s "
        f"AND {column(Session, 'expire_date')} > %s), "
        f"({recent_events} = %s), "
        f"({recent_events} IN ({failures}))"
    )


def _cache_key(user_id) -> str:
    return f"accounts.checkup:{user_id}"


def facts(user) -> dict:
    """Everything the checkup needs about ``user``: from the cache, or read."""
    key = _cache_key(user.pk)
    try:
        found = cache.get(key)
    except Exception:  # the cache is down: read the facts instead
        found = None
    if found is None:
        found = read_facts(user)
        with contextlib.suppress(Exception):
            cache.set(key, found, FACTS_CACHE_SECONDS)
    return found


def forget(sender, instance, **kwargs) -> None:
    """Drop the cached facts of the user ``instance`` belongs to, at commit.

    Connected to ``post_save`` and ``post_delete`` of every model the facts
    count. After the commit, so a dashboard view reading meanwhile cannot
    cache the state from before the change again.
    """
    user_id = getattr(instance, "user_id", None)
    if user_id is None and isinstance(instance, RecoveryCode):
        user_id = (
            RecoveryCodeDevice.objects.filter(pk=instance.device_id)
            .values_list("user_id", flat=True)
            .first()
        )
    if user_id is None:
        return

    def delete():
        with contextlib.suppress(Exception):
            cache.delete(_cache_key(user_id))

    transaction.on_commit(delete)


# Whose saves forget the facts, and whose deletes too. Not the deletes of
# the two big tables: a ``post_delete`` receiver would cost them Django's fast
# delete (``clearsessions``, ``prune_auth_events`` would load every row), and
# a session someone ends, like every change the facts count, is an event.
SAVED_MODELS = (
    AuthEvent,
    TOTPDevice,
    Passkey,
    RecoveryCode,
    RecoveryCodeDevice,
    Session,
)
DELETED_MODELS = (TOTPDevice, Passkey, RecoveryCode, RecoveryCodeDevice)


def read_facts(user) -> dict:
    """Everything the checkup needs about ``user``, read in one query."""
    connection = connections["default"]
    now = timezone.now()
    moment = connection.ops.adapt_datetimefield_value
    since = moment(now - timedelta(days=RECENT_DAYS))
    pk = user.pk
    params = [
        pk,
        True,
        pk,
        pk,
        True,
        pk,
        moment(now),
        pk,
        since,
        str(AuthEvent.Type.LOGIN),
        pk,
        since,
        *(str(kind) for kind in FAILURE_TYPES),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_facts_sql(connection.vendor), params)
        row = cursor.fetchone()
    return dict(zip(FACTS, row, strict=True)) | {"has_app": bool(row[0])}


class Report:
    """The checkup of one account, worked out only when the page shows it.

    ``key`` is everything the rendered checkup depends on but the language
    and the script prefix, so the dashboard renders it once per process for
    each state of the account (``{% cache %}`` in its template).
    """

    def __init__(self, user):
        self.user = user

    @cached_property
    def items(self) -> list[Item]:
        return checkup(self.user)

    @property
    def weak_points(self) -> int:
        return sum(item.is_weak for item in self.items)

    @cached_property
    def key(self) -> str:
        user = self.user
        state = (
            user.email,
            user.email_verified,
            app_settings.EMAIL_VERIFICATION,
            sorted(facts(user).items()),
        )
        return hashlib.sha256(repr(state).encode()).hexdigest()


def checkup(user) -> list[Item]:
    """The checkup of ``user``'s account, weak points first."""
    found = facts(user)
    items = [
        _email(user),
        _two_factor(found),
        _passkeys(found),
        _recovery_codes(found),
        _sessions(found),
        _recent(found),
    ]
    items = [item for item in items if item is not None]
    return sorted(items, key=lambda item: not item.is_weak)


def _email(user) -> Item | None:
    if app_settings.EMAIL_VERIFICATION == "none" and not user.email_verified:
        return None
    if user.email_verified:
        return Item(
            "email",
            OK,
            _("Email address confirmed"),
            _("We can reach you at %(email)s if something happens to your account.")
            % {"email": user.email},
        )
    return Item(
        "email",
        WARNING,
        _("Email address not confirmed"),
        _(
            "Confirm %(email)s so that you can reset your password and hear "
            "about new sign-ins."
        )
        % {"email": user.email},
        _("Send the confirmation link again"),
        reverse("accounts:resend_verification"),
    )


def _two_factor(found) -> Item:
    if found["has_app"]:
        return Item(
            "two_factor",
            OK,
            _("Two-factor authentication is on"),
            _("Signing in with your password also needs a code from your app."),
            _("Manage two-factor"),
            reverse("accounts:two_factor"),
        )
    return Item(
        "two_factor",
        WARNING,
        _("Two-factor authentication is off"),
        _("Anyone who learns your password can sign in as you."),
        _("Turn on two-factor authentication"),
        reverse("accounts:two_factor_setup"),
    )


def _passkeys(found) -> Item:
    count = found["passkey_count"]
    if count:
        return Item(
            "passkeys",
            OK,
            ngettext("You have %(count)d passkey", "You have %(count)d passkeys", count)
            % {"count": count},
            _("You can sign in without typing your password."),
            _("Manage passkeys"),
            reverse("accounts:passkeys"),
        )
    return Item(
        "passkeys",
        WARNING,
        _("No passkey yet"),
        _("A passkey signs you in with your fingerprint, face or screen lock."),
        _("Add a passkey"),
        reverse("accounts:passkey_add"),
    )


def _recovery_codes(found) -> Item | None:
    if not found["has_app"]:
        return None
    count = found["recovery_code_count"]
    text = ngettext(
        "%(count)d unused recovery code left.",
        "%(count)d unused recovery codes left.",
        count,
    ) % {"count": count}
    if count > FEW_RECOVERY_CODES:
        return Item("recovery_codes", OK, _("Recovery codes"), text)
    return Item(
        "recovery_codes",
        WARNING,
        _("Few recovery codes left"),
        text + " " + _("Make new ones before you run out."),
        _("Make new recovery codes"),
        reverse("accounts:two_factor_recovery_codes"),
    )


def _sessions(found) -> Item:
    count = found["live_session_count"]
    return Item(
        "sessions",
        INFO,
        ngettext(
            "Signed in on %(count)d device",
            "Signed in on %(count)d devices",
            count,
        )
        % {"count": count},
        _("Sign out of any device that is not yours."),
        _("Review your devices"),
        reverse("accounts:sessions"),
    )


def _recent(found) -> Item:
    sign_ins = ngettext(
        "%(count)d sign-in in the last %(days)d days",
        "%(count)d sign-ins in the last %(days)d days",
        found["sign_in_count"],
    ) % {"count": found["sign_in_count"], "days": RECENT_DAYS}
    failures = found["failure_count"]
    if not failures:
        return Item(
            "recent",
            OK,
            _("No failed sign-ins recently"),
            sign_ins + ".",
            _("See your activity"),
            reverse("accounts:activity"),
        )
    return Item(
        "recent",
        WARNING,
        ngettext(
            "%(count)d failed sign-in recently",
            "%(count)d failed sign-ins recently",
            failures,
        )
        % {"count": failures},
        sign_ins + ". " + _("If the failures were not you, change your password."),
        _("Check your activity"),
        reverse("accounts:activity"),
    )
