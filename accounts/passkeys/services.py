"""Adding, renaming, removing and using passkeys: every write with a side effect.

Adding or removing a passkey tells the owner by email and sends a signal the
audit trail records; so does using one (signal only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import signals
from ..conf import app_settings
from ..emails import absolute_url, send_templated_email
from .models import Passkey

if TYPE_CHECKING:
    from ..users.models import User
    from .ceremonies import NewPasskey, PasskeyAssertion

NAME_MAX_LENGTH = Passkey._meta.get_field("name").max_length


class PasskeyNotRemovable(Exception):
    """The passkey is the last way into an account that needs one."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _notify(user: User, email: str, name: str) -> None:
    send_templated_email(
        email,
        to=user.email,
        context={
            "user": user,
            "passkey_name": name,
            "passkeys_url": absolute_url(reverse("accounts:passkeys")),
            "reset_url": absolute_url(reverse("accounts:password_reset")),
        },
    )


def add(
    user: User, *, name: str, new: NewPasskey, request=None, notify: bool = True
) -> Passkey | None:
    """Store a verified registration as ``user``'s passkey ``name``.

    Return None when the credential is registered already (to this or any
    account): a credential ID names one passkey only. The owner is mailed
    unless ``notify`` is off (the first passkey of a new account, whose
    owner is being mailed a confirmation link instead).
    """
    try:
        with transaction.atomic():
            passkey = Passkey.objects.create(
                user=user,
                name=name[:NAME_MAX_LENGTH],
                credential_id=new.credential_id,
                public_key=new.public_key,
                sign_count=new.sign_count,
                transports=new.transports,
                user_handle=new.user_handle,
                backup_eligible=new.backup_eligible,
                backed_up=new.backed_up,
                user_verified=new.user_verified,
                aaguid=new.aaguid,
            )
    except IntegrityError:
        return None
    signals.passkey_added.send(
        sender=user.__class__, request=request, user=user, passkey=passkey
    )
    if notify:
        _notify(user, "passkey_added", passkey.name)
    return passkey


def rename(passkey: Passkey, *, name: str) -> None:
    passkey.name = name[:NAME_MAX_LENGTH]
    passkey.save(update_fields=["name"])


def removal_refusal(passkey: Passkey) -> str | None:
    """Why ``passkey`` may not be removed by its owner, or None.

    It may not be the last way to sign in of an account without a usable
    password, nor the last second factor of a staff account while the admin
    requires two-factor authentication.
    """
    user = passkey.user
    others = user.passkeys.exclude(pk=passkey.pk).exists()
    if others:
        return None
    if not user.has_usable_password():
        return _(
            "This is the only way to sign in to your account. Set a password "
            "or add another passkey first."
        )
    if app_settings.ADMIN_REQUIRE_2FA and user.is_staff and not user.has_two_factor():
        return _(
            "Staff accounts need a second factor for the admin. Set up an "
            "authenticator app or add another passkey first."
        )
    return None


def remove(passkey: Passkey, *, request=None, by: str) -> None:
    """Delete ``passkey``; ``by`` is "user" (refused if it is the account's
    last needed factor: ``PasskeyNotRemovable``) or "admin"."""
    user = passkey.user
    with transaction.atomic():
        # One removal at a time per account, so two racing removals cannot
        # both see "another passkey is left".
        user.__class__.objects.select_for_update().filter(pk=user.pk).exists()
        if by == "user":
            refusal = removal_refusal(passkey)
            if refusal is not None:
                raise PasskeyNotRemovable(refusal)
        deleted = Passkey.objects.filter(pk=passkey.pk).delete()[0]
    if not deleted:
        return
    signals.passkey_removed.send(
        sender=user.__class__, request=request, user=user, name=passkey.name, by=by
    )
    _notify(user, "passkey_removed", passkey.name)


def record_use(assertion: PasskeyAssertion, *, purpose: str, request=None) -> None:
    """Store what a verified assertion reported and say the passkey was used."""
    passkey = assertion.passkey
    passkey.sign_count = assertion.new_sign_count
    passkey.backed_up = assertion.backed_up
    passkey.last_used_at = timezone.now()
    Passkey.objects.filter(pk=passkey.pk).update(
        sign_count=passkey.sign_count,
        backed_up=passkey.backed_up,
        last_used_at=passkey.last_used_at,
    )
    signals.passkey_used.send(
        sender=passkey.user.__class__,
        request=request,
        user=passkey.user,
        passkey=passkey,
        purpose=purpose,
    )
