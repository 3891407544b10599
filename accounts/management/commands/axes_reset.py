"""``axes_reset``, the name it had under django-axes: ``lockout_reset``."""

from .lockout_reset import Command as LockoutReset


class Command(LockoutReset):
    help = LockoutReset.help + " (Same as lockout_reset.)"
