"""Checking two-factor codes: the authenticator app's and recovery codes.

django-otp refuses an app code whose time step was already used (no replay)
and throttles wrong codes; a recovery code works once.
"""

import math
import unicodedata

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


def devices_ready_for(user, code: str) -> list:
    """The user's confirmed devices that could check ``code``.

    Six digits are for the authenticator app, anything else for the
    recovery codes. After wrong codes in a row, django-otp makes a device
    wait (1, 2, 4, ... seconds) before it checks another: while every device
    that could check ``code`` waits, this raises ``CodeThrottled``.
    """
    code = normalize_code(code)
    if code.isascii() and code.isdigit() and len(code) == 6:
        devices = TOTPDevice.objects.devices_for_user(user, confirmed=True)
    else:
        devices = RecoveryCodeDevice.objects.devices_for_user(user, confirmed=True)
    devices = list(devices)
    waits = [device.verify_is_allowed() for device in devices]
    if devices and not any(allowed for allowed, _ in waits):
        now = timezone.now()
        raise CodeThrottled(min(info.get("locked_until", now) for _, info in waits))
    return devices


def verify_code(user, code: str):
    """Return the device that accepts ``code``, or None.

    django-otp refuses an app code whose time step was already used, so a
    code cannot be replayed; a recovery code works once. Raises
    ``CodeThrottled`` (nothing checked) as ``devices_ready_for`` does.
    """
    code = normalize_code(code)
    for device in devices_ready_for(user, code):
        if device.verify_token(code):
            return device
    return None
