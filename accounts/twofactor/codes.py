"""Checking two-factor codes: the authenticator app's and recovery codes.

django-otp refuses an app code whose time step was already used (no replay)
and throttles wrong codes; a recovery code works once.
"""

import math
import unicodedata

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import RecoveryCodeDevice


class CodeThrottled(Exception):
    """No device will check a code yet: wait ``seconds`` after wrong ones."""

    def __init__(self, until):
        super().__init__(until)
        self.seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))


def normalize_code(code: str) -> str:
    """The code as typed, without spaces, and with the full-width digits and
    letters an East Asian keyboard may type made plain ASCII (NFKC)."""
    return unicodedata.normalize("NFKC", "".join(code.split()))


class CheckRefused(Exception):
    """The code was not checked: its sign-in has had all the checks it gets."""


def devices_ready_for(user, code: str, *, for_update: bool = False) -> list:
    """The user's confirmed devices that could check ``code``.

    Six digits are for the authenticator app, anything else for the
    recovery codes. After wrong codes in a row, django-otp makes a device
    wait (1, 2, 4, ... seconds) before it checks another: while every device
    that could check ``code`` waits, this raises ``CodeThrottled``.
    ``for_update`` locks the devices' rows until the transaction ends.
    """
    code = normalize_code(code)
    if code.isascii() and code.isdigit() and len(code) == 6:
        devices = TOTPDevice.objects.devices_for_user(user, confirmed=True)
    else:
        devices = RecoveryCodeDevice.objects.devices_for_user(user, confirmed=True)
    if for_update:
        devices = devices.select_for_update()
    devices = list(devices)
    waits = [device.verify_is_allowed() for device in devices]
    if devices and not any(allowed for allowed, _ in waits):
        now = timezone.now()
        raise CodeThrottled(min(info.get("locked_until", now) for _, info in waits))
    return devices


def verify_code(user, code: str, *, before_check=None):
    """Return the device that accepts ``code``, or None.

    django-otp refuses an app code whose time step was already used, so a
    code cannot be replayed; a recovery code works once. Raises
    ``CodeThrottled`` (nothing checked) as ``devices_ready_for`` does.

    The check runs under a row lock on the devices (on SQLite, the write
    lock), so codes sent at once are checked one after the other, each
    seeing what the one before it changed: the time step it spent, the wait
    its failure started. ``before_check()``, called once the devices are
    locked and ready, may refuse the check (``CheckRefused``) by returning
    False: a per-sign-in limit counted in the same transaction.
    """
    code = normalize_code(code)
    with transaction.atomic():
        devices = devices_ready_for(user, code, for_update=True)
        if devices and before_check is not None and not before_check():
            raise CheckRefused
        for device in devices:
            if device.verify_token(code):
                return device
    return None
