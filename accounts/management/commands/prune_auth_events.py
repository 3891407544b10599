"""Delete audit-trail events past their retention, and stale lockout counts."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from accounts.models import AuthEvent, LockoutCounter

from ...conf import app_settings
from ...security import lockout

Type = AuthEvent.Type
# Events anyone can cause by typing a name or an address: kept for
# AUTH_EVENT_FAILURE_RETENTION_DAYS only, so a guessing campaign cannot fill
# the database for a year.
FAILURE_TYPES = [Type.LOGIN_FAILED, Type.TWO_FACTOR_FAILED, Type.LOCKOUT]


def short_lived_events():
    """Failed sign-ins, wrong codes and locks; reset requests naming no account."""
    return Q(event_type__in=FAILURE_TYPES) | Q(
        event_type=Type.PASSWORD_RESET_REQUESTED, user__isnull=True
    )


class Command(BaseCommand):
    help = (
        "Delete account events (the audit trail) older than "
        "AUTH_EVENT_RETENTION_DAYS days, failed sign-ins, wrong codes, locks "
        "and reset requests for unknown addresses older than "
        "AUTH_EVENT_FAILURE_RETENTION_DAYS, and lockout counts no lock needs "
        "any more. Run it daily, e.g. from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days instead of AUTH_EVENT_RETENTION_DAYS.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only report how many events would be deleted.",
        )

    def handle(self, *args, days=None, dry_run=False, **options):
        days = app_settings.AUTH_EVENT_RETENTION_DAYS if days is None else days
        failure_days = min(days, app_settings.AUTH_EVENT_FAILURE_RETENTION_DAYS)
        now = timezone.now()
        old = AuthEvent.objects.filter(created_at__lt=now - timedelta(days=days))
        old_failures = AuthEvent.objects.filter(
            short_lived_events(),
            created_at__lt=now - timedelta(days=failure_days),
            created_at__gte=now - timedelta(days=days),
        )
        if dry_run:
            self.stdout.write(
                f"Would delete {old.count()} account events older than {days} days."
            )
            self.stdout.write(
                f"Would delete {old_failures.count()} failure and anonymous "
                f"events older than {failure_days} days."
            )
            return
        count, _ = old.delete()
        self.stdout.write(f"Deleted {count} account events older than {days} days.")
        count, _ = old_failures.delete()
        self.stdout.write(
            f"Deleted {count} failure and anonymous events older than "
            f"{failure_days} days."
        )
        count = lockout.prune(now)
        self.stdout.write(
            f"Deleted {count} lockout counts; {LockoutCounter.objects.count()} kept."
        )
