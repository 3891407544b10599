"""Reactions to account events: the audit trail, lockout resets, new devices.

Connected once in ``AccountsConfig.ready()``. Each receiver is a thin
adapter: the audit trail is written by ``AuthEvent.objects.record()``.
"""

from axes.conf import settings as axes_settings
from axes.helpers import get_failure_limit
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)

from . import backends, devices, lockout, signals
from .mixins import mark_authenticated
from .models import AuthEvent, Session

Type = AuthEvent.Type
# The typed name is kept for failed sign-ins; no longer than any login name.
IDENTIFIER_MAX_LENGTH = 254


def on_logged_in(sender, request, user, **kwargs):
    known = request is not None and devices.known_device_id(request, user) is not None
    AuthEvent.objects.record(Type.LOGIN, user=user, request=request, known_device=known)
    if request is None:
        return
    devices.note_sign_in(request, user)
    # Connected before django.contrib.auth's update_last_login, so
    # ``last_login`` is still the previous sign-in: a first sign-in ever
    # (just after sign-up) is not news to anyone.
    if not known and settings.NEW_DEVICE_EMAIL and user.last_login is not None:
        devices.send_new_device_email(request, user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in ``credentials``; only the
    # typed name is read from it, explicitly.
    identifier = lockout.typed_identifier(request, credentials)
    user = backends.resolve_account(request, identifier) if request else None
    second_step = (credentials or {}).get("step") == "two_factor"
    AuthEvent.objects.record(
        Type.TWO_FACTOR_FAILED if second_step else Type.LOGIN_FAILED,
        user=user,
        request=request,
        identifier=identifier[:IDENTIFIER_MAX_LENGTH],
    )


def on_logged_in_mark_authenticated(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        mark_authenticated(request)


def on_two_factor_enabled(sender, user, request=None, **kwargs):
    AuthEvent.objects.record(Type.TWO_FACTOR_ENABLED, user=user, request=request)


def on_two_factor_disabled(sender, user, by, request=None, **kwargs):
    AuthEvent.objects.record(
        Type.TWO_FACTOR_DISABLED, user=user, request=request, by=by
    )


def on_recovery_code_used(sender, user, request=None, **kwargs):
    AuthEvent.objects.record(Type.RECOVERY_CODE_USED, user=user, request=request)


def on_recovery_codes_regenerated(sender, user, request=None, **kwargs):
    AuthEvent.objects.record(
        Type.RECOVERY_CODES_REGENERATED, user=user, request=request
    )


def on_logged_out(sender, request, user, **kwargs):
    AuthEvent.objects.record(Type.LOGOUT, user=user, request=request)


def on_locked_out(sender, request, username, ip_address, **kwargs):
    # axes signals on every refused attempt while locked; the lock itself
    # starts at the failure that reaches the limit.
    credentials = getattr(request, "axes_credentials", None)
    failures = getattr(request, "axes_failures_since_start", None)
    if failures != get_failure_limit(request, credentials):
        return
    identifier = lockout.typed_identifier(request, credentials)
    AuthEvent.objects.record(
        Type.LOCKOUT,
        user=backends.resolve_account(request, identifier),
        request=request,
        identifier=identifier[:IDENTIFIER_MAX_LENGTH],
        failures=failures,
        cool_off_minutes=int(axes_settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    )


def on_signed_up(sender, user, request=None, **kwargs):
    AuthEvent.objects.record(Type.SIGNUP, user=user, request=request)


def on_email_verified(sender, user, email, request=None, **kwargs):
    AuthEvent.objects.record(
        Type.EMAIL_VERIFIED, user=user, request=request, email=email
    )


def on_email_changed(sender, user, old_email, new_email, request=None, **kwargs):
    AuthEvent.objects.record(
        Type.EMAIL_CHANGED,
        user=user,
        request=request,
        old_email=old_email,
        new_email=new_email,
    )


def on_password_changed(sender, user, request=None, **kwargs):
    AuthEvent.objects.record(Type.PASSWORD_CHANGED, user=user, request=request)


def on_password_reset_requested(sender, email, user=None, request=None, **kwargs):
    AuthEvent.objects.record(
        Type.PASSWORD_RESET_REQUESTED,
        user=user,
        request=request,
        email=email[:IDENTIFIER_MAX_LENGTH],
    )


def on_password_reset_completed(sender, user, request=None, **kwargs):
    AuthEvent.objects.record(Type.PASSWORD_RESET_DONE, user=user, request=request)
    # Whoever completes a reset proved they own the mailbox: lift the lock.
    lockout.reset_account(user)


def end_other_sessions_on_password_change(sender, user, request=None, **kwargs):
    """A new password signs the account out everywhere but here."""
    sessions = Session.objects.filter(user=user)
    current = getattr(getattr(request, "session", None), "session_key", None)
    if current:
        sessions = sessions.exclude(session_key=current)
    sessions.end(by="system", request=request)


def end_all_sessions_on_password_reset(sender, user, request=None, **kwargs):
    """Whoever knew the old password is signed out, wherever they are."""
    Session.objects.filter(user=user).end(by="system", request=request)


def on_account_deleted(sender, user, request=None, **kwargs):
    # The row keeps the id only: the account's name goes with the account.
    AuthEvent.objects.record(
        Type.ACCOUNT_DELETED, user=user, request=request, user_id=user.pk
    )


SESSION_ENDED_TYPES = {
    "user": Type.SESSION_ENDED_BY_USER,
    "admin": Type.SESSION_ENDED_BY_ADMIN,
    "system": Type.SESSION_ENDED_BY_SYSTEM,
}


def on_session_ended(sender, user, session_key, by, request=None, **kwargs):
    # The session key is a credential: it is never recorded.
    event_type = SESSION_ENDED_TYPES.get(by, Type.SESSION_ENDED_BY_SYSTEM)
    AuthEvent.objects.record(event_type, user=user, request=request)


def connect() -> None:
    """Connect every receiver (idempotent, thanks to the dispatch_uids)."""
    user_model = get_user_model()
    for signal, receiver, sender in [
        (user_logged_in, on_logged_in, None),
        (user_logged_in, on_logged_in_mark_authenticated, None),
        (user_login_failed, on_login_failed, None),
        (user_logged_out, on_logged_out, None),
        (user_locked_out, on_locked_out, None),
        (signals.user_signed_up, on_signed_up, user_model),
        (signals.email_verified, on_email_verified, user_model),
        (signals.email_changed, on_email_changed, user_model),
        (signals.password_changed, on_password_changed, user_model),
        (signals.password_changed, end_other_sessions_on_password_change, user_model),
        (signals.password_reset_requested, on_password_reset_requested, user_model),
        (signals.password_reset_completed, on_password_reset_completed, user_model),
        (
            signals.password_reset_completed,
            end_all_sessions_on_password_reset,
            user_model,
        ),
        (signals.account_deleted, on_account_deleted, user_model),
        (signals.session_ended, on_session_ended, user_model),
        (signals.two_factor_enabled, on_two_factor_enabled, user_model),
        (signals.two_factor_disabled, on_two_factor_disabled, user_model),
        (signals.recovery_code_used, on_recovery_code_used, user_model),
        (
            signals.recovery_codes_regenerated,
            on_recovery_codes_regenerated,
            user_model,
        ),
    ]:
        signal.connect(
            receiver,
            sender=sender,
            dispatch_uid=f"accounts.receivers.{receiver.__name__}",
        )
