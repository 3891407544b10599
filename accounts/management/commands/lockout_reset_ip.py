"""Unlock client addresses: forget the failures counted against them."""

from django.core.management.base import BaseCommand

from accounts.security import lockout


class Command(BaseCommand):
    help = (
        "Forget the failures counted against the given client addresses (an "
        "IPv6 address stands for its /64) and lift their locks."
    )

    def add_arguments(self, parser):
        parser.add_argument("ip", nargs="+", help="IPv4 or IPv6 address.")

    def handle(self, *args, ip, **options):
        count = sum(lockout.address_counters(address).delete()[0] for address in ip)
        self.stdout.write(f"{count} counts removed." if count else "No counts found.")
