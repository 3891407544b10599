"""Account changes that write more than one thing or send email.

Views call these; forms only validate. Every email goes through
``send_templated_email`` with links from ``absolute_url``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.urls import reverse

from . import signals
from .emails import absolute_url, send_templated_email
from .tokens import email_change_token, email_verification_token

if TYPE_CHECKING:
    from .models import User


def _timeout_days() -> int:
    return max(1, settings.ACCOUNT_EMAIL_VERIFICATION_TIMEOUT // (60 * 60 * 24))


def send_verification_email(user: User) -> None:
    """Mail ``user`` a link that confirms their current address."""
    path = reverse(
        "accounts:verify_email", args=[email_verification_token.make_token(user)]
    )
    send_templated_email(
        "verify_email",
        to=user.email,
        context={
            "user": user,
            "verify_url": absolute_url(path),
            "timeout_days": _timeout_days(),
        },
    )


def send_nothing_to_confirm_email(email: str) -> None:
    """Tell ``email`` that no account waits for it to be confirmed.

    Sent when a new confirmation link is asked for an address that has none
    to get: one email either way, so a slow mail server does not tell a
    stranger which addresses have an unconfirmed account.
    """
    send_templated_email(
        "verify_email_unknown",
        to=email,
        context={
            "login_url": absolute_url(reverse("accounts:login")),
            "reset_url": absolute_url(reverse("accounts:password_reset")),
        },
    )


def user_sign_up(*, request, form) -> User | None:
    """Create the account from a valid ``SignupForm`` and start verification.

    For an address that already has an account, create nothing and tell its
    owner instead; the password is still hashed so both paths cost the same.
    Return the new user, or None.
    """
    if form.email_taken:
        make_password(form.cleaned_data["password1"])
        send_templated_email(
            "signup_existing",
            to=form.owner.email,
            context={
                "login_url": absolute_url(reverse("accounts:login")),
                "reset_url": absolute_url(reverse("accounts:password_reset")),
            },
        )
        return None
    with transaction.atomic():
        user = form.save()
        signals.user_signed_up.send(sender=user.__class__, request=request, user=user)
    if settings.ACCOUNT_EMAIL_VERIFICATION != "none":
        send_verification_email(user)
    return user


def email_verify(*, request, user: User) -> None:
    """Record that ``user`` proved they own their current address."""
    user.email_verified = True
    user.save(update_fields=["email_verified"])
    signals.email_verified.send(
        sender=user.__class__, request=request, user=user, email=user.email
    )


def email_change_request(*, user: User, new_email: str) -> None:
    """Mail ``new_email`` a link that switches ``user`` to it."""
    path = reverse(
        "accounts:email_change_confirm",
        args=[email_change_token.make_token(user, new_email)],
    )
    send_templated_email(
        "email_change",
        to=new_email,
        context={
            "user": user,
            "confirm_url": absolute_url(path),
            "timeout_days": _timeout_days(),
        },
    )


def send_address_in_use_email(email: str) -> None:
    """Tell the owner of ``email`` that another account asked to move to it.

    Sent instead of the confirmation link when the new address is taken:
    one email either way, so a slow mail server does not tell the asking
    account which addresses have an account.
    """
    send_templated_email("email_change_taken", to=email)


def email_change_confirm(*, request, user: User, new_email: str) -> bool:
    """Switch ``user`` to the confirmed ``new_email`` and tell the old address.

    Return False (changing nothing) if the address was taken in the meantime.
    """
    old_email = user.email
    user.email = new_email
    user.email_verified = True
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "email_verified"])
    except IntegrityError:
        user.email = old_email
        user.refresh_from_db(fields=["email", "email_verified"])
        return False
    send_templated_email(
        "email_changed",
        to=old_email,
        context={"user": user, "new_email": new_email},
    )
    sender = user.__class__
    signals.email_changed.send(
        sender=sender,
        request=request,
        user=user,
        old_email=old_email,
        new_email=new_email,
    )
    signals.email_verified.send(
        sender=sender, request=request, user=user, email=new_email
    )
    return True


def security_notice(user: User, name: str) -> None:
    """Tell the owner a security setting changed, in case it was not them.

    ``name`` is the email: ``password_changed``, ``two_factor_enabled`` or
    ``two_factor_disabled``; each offers a password reset.
    """
    send_templated_email(
        name,
        to=user.email,
        context={
            "user": user,
            "reset_url": absolute_url(reverse("accounts:password_reset")),
        },
    )


def user_delete(*, request, user: User) -> None:
    """Delete ``user`` (the caller has logged them out) and say goodbye."""
    email, username = user.email, user.username
    with transaction.atomic():
        signals.account_deleted.send(sender=user.__class__, request=request, user=user)
        user.delete()
    send_templated_email(
        "account_deleted",
        to=email,
        context={"username": username},
    )
