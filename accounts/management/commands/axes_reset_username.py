"""Its name under django-axes, kept: ``lockout_reset_username``."""

from .lockout_reset_username import Command as LockoutResetUsername


class Command(LockoutResetUsername):
    help = LockoutResetUsername.help + " (Same as lockout_reset_username.)"
