"""``axes_list_attempts``, the name it had under django-axes: ``lockout_list``."""

from .lockout_list import Command as LockoutList


class Command(LockoutList):
    help = LockoutList.help + " (Same as lockout_list.)"
