"""Delete audit-trail events older than ``AUTH_EVENT_RETENTION_DAYS``."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import AuthEvent

from ...conf import app_settings


class Command(BaseCommand):
    help = (
        "Delete account events (the audit trail) older than "
        "AUTH_EVENT_RETENTION_DAYS days. Run it daily, e.g. from cron."
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
        cutoff = timezone.now() - timedelta(days=days)
        old = AuthEvent.objects.filter(created_at__lt=cutoff)
        if dry_run:
            self.stdout.write(
                f"Would delete {old.count()} account events older than {days} days."
            )
            return
        count, _ = old.delete()
        self.stdout.write(f"Deleted {count} account events older than {days} days.")
