"""List the failures the lockout counts now, and the locks."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import LockoutCounter


class Command(BaseCommand):
    help = (
        "List the sign-in failures counted now (per account, client address, "
        "known browser and half-done sign-in) and which are locked."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        counters = LockoutCounter.objects.order_by("scope", "key")
        if not counters:
            self.stdout.write("No failures are counted.")
            return
        for counter in counters:
            lock = (
                f"locked until {counter.locked_until:%Y-%m-%d %H:%M:%S %Z}"
                if counter.is_locked(now)
                else "not locked"
            )
            self.stdout.write(
                f"{counter.scope}\t{counter.key}\t{counter.failures} failures\t"
                f"{lock}\t{counter.lockouts} locks in a row"
            )
