"""The admin's security overview: what the audit trail and the locks say.

``overview()`` returns the figures of ``/admin/security/``: events per day
over the last ``DAYS`` days, the addresses and typed names with the most
failures, the locks in force and the staff accounts with no second factor.
Every query is bounded (a date range, a ``LIMIT``); ``chart()`` turns one
series into the geometry of a server-drawn SVG bar chart, so the page needs
no script under the strict Content-Security-Policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, Max, OuterRef
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..audit.models import AuthEvent
from ..passkeys.models import Passkey
from .models import LockoutCounter

Type = AuthEvent.Type

DAYS = 30
TOP = 10
# Rows of the lists of locks and of staff accounts shown at most.
LIST_LIMIT = 100

FAILURE_TYPES = (Type.LOGIN_FAILED, Type.TWO_FACTOR_FAILED, Type.PASSKEY_FAILED)

# The charts: (key, title, what is counted).
SERIES = (
    ("sign_ins", _("Sign-ins"), {"event_type": Type.LOGIN}),
    ("failures", _("Failed sign-ins"), {"event_type__in": FAILURE_TYPES}),
    ("lockouts", _("Lockouts"), {"event_type": Type.LOCKOUT}),
    (
        "new_browsers",
        _("Sign-ins from new browsers"),
        {"event_type": Type.LOGIN, "detail__known_device": False},
    ),
)

CHART_WIDTH = 300
CHART_HEIGHT = 110
CHART_TOP = 16  # room for the maximum's label


@dataclass(frozen=True)
class Bar:
    day: date
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Series:
    key: str
    title: str
    days: list[tuple[date, int]]

    @property
    def total(self) -> int:
        return sum(count for _day, count in self.days)

    @property
    def peak(self) -> int:
        return max((count for _day, count in self.days), default=0)

    @property
    def bars(self) -> list[Bar]:
        return chart(self.days)

    @property
    def first_day(self) -> date:
        return self.days[0][0]

    @property
    def last_day(self) -> date:
        return self.days[-1][0]


def chart(days: list[tuple[date, int]]) -> list[Bar]:
    """The bars of one series, in a ``CHART_WIDTH`` x ``CHART_HEIGHT`` box."""
    peak = max((count for _day, count in days), default=0) or 1
    slot = CHART_WIDTH / max(len(days), 1)
    room = CHART_HEIGHT - CHART_TOP
    bars = []
    for index, (day, count) in enumerate(days):
        height = round(room * count / peak, 1)
        bars.append(
            Bar(
                day=day,
                count=count,
                x=round(index * slot + slot * 0.1, 1),
                y=round(CHART_HEIGHT - height, 1),
                width=round(slot * 0.8, 1),
                height=height,
            )
        )
    return bars


def _window(now) -> tuple[list[date], object]:
    today = timezone.localdate(now)
    days = [today - timedelta(days=back) for back in range(DAYS - 1, -1, -1)]
    start = timezone.make_aware(datetime.combine(days[0], time.min))
    return days, start


def series(now=None) -> list[Series]:
    """Events per day over the last ``DAYS`` days (today included)."""
    days, start = _window(now or timezone.now())
    found = []
    for key, title, lookup in SERIES:
        counts = dict(
            AuthEvent.objects.filter(created_at__gte=start, **lookup)
            .annotate(day=TruncDate("created_at"))
            .order_by()
            .values("day")
            .annotate(n=Count("pk"))
            .values_list("day", "n")
        )
        found.append(
            Series(key, str(title), [(day, counts.get(day, 0)) for day in days])
        )
    return found


def top_failing_addresses(now=None) -> list[tuple[str, int]]:
    _days, start = _window(now or timezone.now())
    return list(
        AuthEvent.objects.filter(
            created_at__gte=start,
            event_type__in=FAILURE_TYPES,
            ip_address__isnull=False,
        )
        .order_by()
        .values("ip_address")
        .annotate(n=Count("pk"))
        .order_by("-n", "ip_address")
        .values_list("ip_address", "n")[:TOP]
    )


def top_failing_names(now=None) -> list[dict]:
    """The names typed at failed sign-ins, whether an account has them."""
    _days, start = _window(now or timezone.now())
    return [
        {"name": name, "count": count, "account": account is not None}
        for name, count, account in AuthEvent.objects.filter(
            created_at__gte=start, event_type__in=FAILURE_TYPES
        )
        .exclude(detail__identifier__isnull=True)
        .order_by()
        .annotate(name=KT("detail__identifier"))
        .values("name")
        .annotate(n=Count("pk"), account=Max("user"))
        .order_by("-n", "name")
        .values_list("name", "n", "account")[:TOP]
    ]


def current_locks(now=None):
    return LockoutCounter.objects.filter(
        locked_until__gt=now or timezone.now()
    ).order_by("-locked_until")[:LIST_LIMIT]


def staff_without_second_factor():
    user_model = get_user_model()
    return (
        user_model.objects.filter(is_staff=True, is_active=True)
        .annotate(
            has_app=Exists(
                TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
            ),
            has_passkey=Exists(Passkey.objects.filter(user=OuterRef("pk"))),
        )
        .filter(has_app=False, has_passkey=False)
        .order_by("username")[:LIST_LIMIT]
    )


def overview(now=None) -> dict:
    now = now or timezone.now()
    return {
        "days": DAYS,
        "series": series(now),
        "top_addresses": top_failing_addresses(now),
        "top_names": top_failing_names(now),
        "locks": list(current_locks(now)),
        "staff_without_second_factor": list(staff_without_second_factor()),
        "chart_width": CHART_WIDTH,
        "chart_height": CHART_HEIGHT,
    }
