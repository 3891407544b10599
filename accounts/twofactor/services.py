"""Turning two-factor authentication on and off, and new recovery codes.

Each change tells the owner by email (except new recovery codes, which the
owner just asked for on the page) and sends a signal the audit trail records.
Turning it on or off (an admin's reset too) stops trusting every browser the
user trusted before.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import signals
from ..emails import security_notice
from . import trusted_browsers
from .models import RecoveryCodeDevice


def enable(user, *, device: TOTPDevice, request=None) -> list[str] | None:
    """Confirm ``device`` (an app a code proved) and issue recovery codes.

    Return the codes, shown once; or None when two-factor was already on
    (of two set-ups submitted at once, the second adds nothing).
    """
    with transaction.atomic():
        user.__class__.objects.select_for_update().filter(pk=user.pk).exists()
        if user.has_two_factor():
            return None
        device.confirmed = True
        device.save()
        # A browser trusted under an earlier enrolment skips no code of this one.
        trusted_browsers.forget_all(user)
        codes = RecoveryCodeDevice.objects.create(
            user=user, name=gettext("Recovery codes")
        ).regenerate()
        signals.two_factor_enabled.send(
            sender=user.__class__, request=request, user=user
        )
        security_notice(user, "two_factor_enabled")
    return codes


def regenerate_recovery_codes(user, *, request=None) -> list[str] | None:
    """Replace ``user``'s recovery codes; return the new ones, or None without 2FA."""
    device = RecoveryCodeDevice.objects.devices_for_user(user, confirmed=True).first()
    if device is None:
        return None
    codes = device.regenerate()
    signals.recovery_codes_regenerated.send(
        sender=user.__class__, request=request, user=user
    )
    return codes


def disable(user, *, request=None, by: str) -> bool:
    """Remove the user's authenticator app and recovery codes.

    Return whether there was anything to remove; only then is the owner
    told and the event recorded.
    """
    with transaction.atomic():
        removed, _per_model = TOTPDevice.objects.filter(user=user).delete()
        removed += RecoveryCodeDevice.objects.filter(user=user).delete()[0]
        trusted_browsers.forget_all(user)
        if not removed:
            return False
        signals.two_factor_disabled.send(
            sender=user.__class__, request=request, user=user, by=by
        )
        security_notice(user, "two_factor_disabled")
    return True


def remove_device(device: TOTPDevice, *, request=None, by: str) -> bool:
    """Remove one authenticator app (the admin's delete); return whether 2FA went.

    A confirmed app is what turns two-factor on, so removing it turns
    two-factor off, recovery codes included, as ``disable`` does (the owner
    is told, the event recorded). An unconfirmed one is a set-up never
    finished, which protects nothing: it is deleted alone.
    """
    if device.confirmed:
        return disable(device.user, request=request, by=by)
    device.delete()
    return False
