"""Unlock everything: forget every counted failure and lock."""

from django.core.management.base import BaseCommand

from accounts.models import LockoutCounter


class Command(BaseCommand):
    help = "Forget every counted sign-in failure and lift every lock."

    def handle(self, *args, **options):
        count = LockoutCounter.objects.all().delete()[0]
        self.stdout.write(f"{count} counts removed." if count else "No counts found.")
