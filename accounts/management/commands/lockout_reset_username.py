"""Unlock accounts: forget the failures counted against them."""

from django.core.management.base import BaseCommand

from accounts.login.attempts import Attempt
from accounts.security import lockout


class Command(BaseCommand):
    help = (
        "Forget the failures counted against the named accounts (a username "
        "or an email address), their known browsers' too, and lift their locks."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="+", help="Username or email address.")

    def handle(self, *args, username, **options):
        count = 0
        for name in username:
            # The account the name signs in to, or the name as a stranger
            # typing it is counted.
            key, _known_browser = lockout.account_key(Attempt(None, name))
            count += lockout.account_counters(key).delete()[0]
        self.stdout.write(f"{count} counts removed." if count else "No counts found.")
