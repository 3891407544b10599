"""Account changes that write more than one thing or send email.

Views call these; forms only validate. Every email goes through
``send_templated_email`` with links from ``absolute_url``, inside the
transaction of the change it reports: the change and its email are
committed together, or neither is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import password_validation, update_session_auth_hash
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .. import signals
from ..conf import app_settings
from ..emails import (
    absolute_url,
    greeting_name,
    security_notice,
    send_templated_email,
)
from ..login import known_browsers
from ..oidc import services as oidc_services
from ..security import lockout
from ..usersessions.models import Session
from .tokens import email_change_token, email_verification_token

if TYPE_CHECKING:
    from .models import User


def _timeout_days() -> int:
    return max(1, app_settings.EMAIL_VERIFICATION_TIMEOUT // (60 * 60 * 24))


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


class SignUpConflict(Exception):
    """A concurrent sign-up took the username since validation: ``form`` says so."""

    def __init__(self, form):
        super().__init__(form)
        self.form = form


def user_sign_up(*, request, form) -> User | None:
    """Create the account from a valid ``SignupForm`` and start verification.

    For an address that already has an account, create nothing and tell its
    owner instead; the password is still hashed so both paths cost the same.
    Return the new user, or None. A sign-up that loses the username or the
    address to a concurrent one is validated again, now seeing the other,
    and answered as if the other had come first: a taken address as usual,
    a taken username by raising ``SignUpConflict`` with the refusing form.
    """
    try:
        return _sign_up(request, form)
    except IntegrityError:
        form = form.__class__(data=form.data)
        if form.is_valid() and not form.email_taken:
            # A conflict neither check can name.
            form.add_error(None, _("Please try again with another username."))
        if not form.is_valid():
            raise SignUpConflict(form) from None
        return _sign_up(request, form)


def send_signup_existing_email(owner: User) -> None:
    """Tell ``owner`` that someone tried to sign up with their address.

    Sent instead of a confirmation link, so the sign-up page answers the
    same whether or not the address has an account.
    """
    send_templated_email(
        "signup_existing",
        to=owner.email,
        context={
            "login_url": absolute_url(reverse("accounts:login")),
            "reset_url": absolute_url(reverse("accounts:password_reset")),
        },
    )


def _sign_up(request, form) -> User | None:
    if form.email_taken:
        make_password(form.cleaned_data["password1"])
        send_signup_existing_email(form.owner)
        return None
    with transaction.atomic():
        user = form.save()
        signals.user_signed_up.send(sender=user.__class__, request=request, user=user)
        if app_settings.EMAIL_VERIFICATION != "none":
            send_verification_email(user)
    return user


class PasskeyTaken(Exception):
    """The new account's passkey is registered to another account already."""


def user_sign_up_with_passkey(*, request, form, new, name: str) -> User | None:
    """Create the account from a valid ``PasskeySignupForm`` with its passkey.

    As ``user_sign_up``: a taken address creates nothing and tells its owner;
    otherwise the account (without a usable password) and its passkey are
    made together, and the address is sent a confirmation link. Raise
    ``IntegrityError`` when a concurrent sign-up took the username, and
    ``PasskeyTaken`` when the credential belongs to an account already.
    """
    from ..passkeys import services as passkeys

    if form.email_taken:
        send_signup_existing_email(form.owner)
        return None
    with transaction.atomic():
        user = form.save()
        signals.user_signed_up.send(sender=user.__class__, request=request, user=user)
        if (
            passkeys.add(user, name=name, new=new, request=request, notify=False)
            is None
        ):
            raise PasskeyTaken
    if app_settings.EMAIL_VERIFICATION != "none":
        send_verification_email(user)
    return user


def password_change(*, request, form) -> list[dict]:
    """Save the new password from a valid ``PasswordChangeForm``.

    This session stays signed in; every other session of the account ends,
    so do the tokens of every app it signed in to (they sign in again), and
    the owner is told. Return the cookies the response must set: this
    browser's known-browser cookie, re-issued for the new password (each
    entry is bound to a fingerprint of the password, so without it the
    browser that made the change would be a stranger at its next sign-in).
    """
    with transaction.atomic():
        user = form.save()
        update_session_auth_hash(request, user)
        Session.objects.filter(user=user).exclude(
            session_key=request.session.session_key
        ).end(by="system", request=request)
        oidc_services.revoke_app_access(
            user, by="system", reason="password_changed", request=request
        )
        signals.password_changed.send(sender=user.__class__, request=request, user=user)
        security_notice(user, "password_changed")
    return [known_browsers.cookie(request, user)]


def password_set_by_admin(*, request, form) -> None:
    """Save the password an administrator set for another account.

    ``form`` is the admin's valid ``AdminPasswordChangeForm``, which may also
    turn password sign-in off. Whoever knew the old password is signed out
    everywhere; the owner is told, and the event names the administrator.
    """
    with transaction.atomic():
        user = form.save()
        Session.objects.filter(user=user).end(by="admin", request=request)
        signals.password_set_by_admin.send(
            sender=user.__class__, request=request, user=user, admin=request.user
        )
        security_notice(user, "password_set_by_admin")


class ResetLinkUsed(Exception):
    """The reset link stopped working since it was opened: another use won."""


def password_reset_complete(
    *, request, form, token: str, token_generator=default_token_generator
) -> None:
    """Save the new password from a valid reset link's ``SetPasswordForm``.

    One link sets one password: the account's row is locked and the link's
    ``token`` checked again inside the transaction, so of several uses sent
    at once (all valid when their forms were checked) only the first sets
    its password; the others raise ``ResetLinkUsed``, changing nothing.

    Whoever knew the old password is signed out everywhere, this browser
    and every app too; following the emailed link proves the address (it
    counts as verified from then on) and lifts the account's lockout.
    """
    raw_password = form.cleaned_data["new_password1"]
    # The costly hash before the lock, so the lock is held for no longer
    # than two queries.
    encoded = make_password(raw_password)
    with transaction.atomic():
        user = (
            form.user.__class__._default_manager.select_for_update()
            .filter(pk=form.user.pk)
            .first()
        )
        if user is None or not token_generator.check_token(user, token):
            raise ResetLinkUsed
        user.password = encoded
        user.email_verified = True
        user.save(update_fields=["password", "email_verified"])
        # With the new password, in its transaction.
        security_notice(user, "password_changed")
    password_validation.password_changed(raw_password, user)
    form.user = user
    Session.objects.filter(user=user).end(by="system", request=request)
    oidc_services.revoke_app_access(
        user, by="system", reason="password_reset", request=request
    )
    lockout.reset_account(user)
    # This browser's session may have just ended: start it afresh rather
    # than save a deleted row.
    request.session.flush()
    signals.password_reset_completed.send(
        sender=user.__class__, request=request, user=user
    )


def profile_update(*, form) -> None:
    """Save names from a valid ``ProfileForm``; a new address waits for its inbox."""
    user = form.save()
    if not form.email_changed:
        return
    if form.email_taken:
        send_address_in_use_email(form.owner.email)
    else:
        email_change_request(user=user, new_email=form.cleaned_data["email"])


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
    old_email, old_confirmed = user.email, user.email_verified
    greeting = greeting_name(user, old_email)
    user.email = new_email
    user.email_verified = True
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "email_verified"])
            send_templated_email(
                "email_changed",
                to=old_email,
                # An unconfirmed old address may be a stranger's: it is told
                # of the change, not of the new address (the requester's).
                context={
                    "greeting_name": greeting,
                    "new_email": new_email if old_confirmed else None,
                },
            )
    except IntegrityError:
        user.email = old_email
        user.refresh_from_db(fields=["email", "email_verified"])
        return False
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


def user_delete(*, request, user: User) -> None:
    """Delete ``user`` (the caller has logged them out) and say goodbye."""
    email, greeting = user.email, greeting_name(user, user.email)
    with transaction.atomic():
        signals.account_deleted.send(sender=user.__class__, request=request, user=user)
        user.delete()
        send_templated_email(
            "account_deleted",
            to=email,
            context={"greeting_name": greeting},
        )
