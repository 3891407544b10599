"""``axes_reset_ip``, the name it had under django-axes: ``lockout_reset_ip``."""

from .lockout_reset_ip import Command as LockoutResetIp


class Command(LockoutResetIp):
    help = LockoutResetIp.help + " (Same as lockout_reset_ip.)"
