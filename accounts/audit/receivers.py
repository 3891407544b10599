"""The audit trail records account events: one receiver per signal.

Connected once in ``AccountsConfig.ready()``. Receivers only record (through
``AuthEvent.objects.record()``); what an event changes is done by the
service or flow that sends it.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out, user_login_failed

from .. import signals
from ..login.attempts import IDENTIFIER_MAX_LENGTH, Attempt
from .models import AuthEvent

Type = AuthEvent.Type
# The typed name is kept for failed sign-ins, no longer than any login name
# (IDENTIFIER_MAX_LENGTH).


def on_signed_in(sender, request, user, methods, known_browser, **kwargs):
    AuthEvent.objects.record(
        Type.LOGIN,
        user=user,
        request=request,
        known_device=known_browser,
        methods=methods,
    )


def on_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in ``credentials``; only the
    # typed name is read from it, explicitly.
    attempt = Attempt.of(request, credentials)
    credentials = credentials or {}
    if credentials.get("method") == "passkey":
        # A passkey that answered wrongly (or an unknown one: no account).
        AuthEvent.objects.record(
            Type.PASSKEY_FAILED,
            user=attempt.account,
            request=request,
            identifier=attempt.identifier[:IDENTIFIER_MAX_LENGTH],
            step=credentials.get("step") or "login",
        )
        return
    second_step = credentials.get("step") == "two_factor"
    AuthEvent.objects.record(
        Type.TWO_FACTOR_FAILED if second_step else Type.LOGIN_FAILED,
        user=attempt.account,
        request=request,
        identifier=attempt.identifier[:IDENTIFIER_MAX_LENGTH],
    )


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


def on_passkey_added(sender, user, passkey, request=None, **kwargs):
    AuthEvent.objects.record(
        Type.PASSKEY_ADDED, user=user, request=request, name=passkey.name
    )


def on_passkey_removed(sender, user, name, by, request=None, **kwargs):
    AuthEvent.objects.record(
        Type.PASSKEY_REMOVED, user=user, request=request, name=name, by=by
    )


def on_data_exported(sender, user, request=None, **kwargs):
    AuthEvent.objects.record(Type.DATA_EXPORTED, user=user, request=request)


def on_passkey_used(sender, user, passkey, purpose, request=None, **kwargs):
    AuthEvent.objects.record(
        Type.PASSKEY_USED,
        user=user,
        request=request,
        name=passkey.name,
        purpose=purpose,
    )


def on_logged_out(sender, request, user, **kwargs):
    AuthEvent.objects.record(Type.LOGOUT, user=user, request=request)


def on_sign_in_locked(
    sender, request, attempt, failures, scope, lock, cool_off_seconds, **kwargs
):
    # An address's lock is nobody's account event: it names no account.
    AuthEvent.objects.record(
        Type.LOCKOUT,
        user=None if scope == "address" else attempt.account,
        request=request,
        identifier=attempt.identifier[:IDENTIFIER_MAX_LENGTH],
        failures=failures,
        cool_off_minutes=max(1, cool_off_seconds // 60),
        scope=scope,
        lock=lock,
        refused=0,
    )


def on_sign_in_refused(sender, lock, locked_at, refused, **kwargs):
    # One event per lock, with a count, instead of a row per refused attempt.
    event = AuthEvent.objects.filter(
        event_type=Type.LOCKOUT, created_at__gte=locked_at, detail__lock=lock
    ).first()
    if event is not None and refused > event.detail.get("refused", 0):
        event.detail = {**event.detail, "refused": refused}
        event.save(update_fields=["detail"])


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


def on_password_set_by_admin(sender, user, admin, request=None, **kwargs):
    AuthEvent.objects.record(
        Type.PASSWORD_SET_BY_ADMIN,
        user=user,
        request=request,
        admin=admin.get_username(),
        password_usable=user.has_usable_password(),
    )


def on_password_reset_requested(sender, email, user=None, request=None, **kwargs):
    AuthEvent.objects.record(
        Type.PASSWORD_RESET_REQUESTED,
        user=user,
        request=request,
        email=email[:IDENTIFIER_MAX_LENGTH],
    )


def on_password_reset_completed(sender, user, request=None, **kwargs):
    AuthEvent.objects.record(Type.PASSWORD_RESET_DONE, user=user, request=request)


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


def _app(application) -> dict:
    return {
        "app": application.name or application.client_id,
        "client_id": application.client_id,
    }


def on_app_authorized(sender, user, application, scopes, request=None, **kwargs):
    AuthEvent.objects.record(
        Type.APP_AUTHORIZED,
        user=user,
        request=request,
        scopes=sorted(scopes),
        **_app(application),
    )


def on_app_denied(sender, user, application, request=None, **kwargs):
    AuthEvent.objects.record(
        Type.APP_DENIED, user=user, request=request, **_app(application)
    )


def on_app_refused(sender, user, application, reason, request=None, **kwargs):
    AuthEvent.objects.record(
        Type.APP_REFUSED, user=user, request=request, reason=reason, **_app(application)
    )


APP_ACCESS_ENDED_TYPES = {
    "user": Type.APP_ACCESS_REMOVED,
    "app": Type.APP_SIGNED_OUT,
    "system": Type.APP_ACCESS_ENDED,
}


def on_app_access_ended(sender, user, application, by, reason, request=None, **kw):
    AuthEvent.objects.record(
        APP_ACCESS_ENDED_TYPES.get(by, Type.APP_ACCESS_ENDED),
        user=user,
        request=request,
        reason=reason,
        **_app(application),
    )


def connect() -> None:
    """Connect every receiver (idempotent, thanks to the dispatch_uids)."""
    user_model = get_user_model()
    for signal, receiver, sender in [
        (signals.signed_in, on_signed_in, user_model),
        (user_login_failed, on_login_failed, None),
        (user_logged_out, on_logged_out, None),
        (signals.sign_in_locked, on_sign_in_locked, None),
        (signals.sign_in_refused, on_sign_in_refused, None),
        (signals.user_signed_up, on_signed_up, user_model),
        (signals.email_verified, on_email_verified, user_model),
        (signals.email_changed, on_email_changed, user_model),
        (signals.password_changed, on_password_changed, user_model),
        (signals.password_set_by_admin, on_password_set_by_admin, user_model),
        (signals.password_reset_requested, on_password_reset_requested, user_model),
        (signals.password_reset_completed, on_password_reset_completed, user_model),
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
        (signals.passkey_added, on_passkey_added, user_model),
        (signals.passkey_removed, on_passkey_removed, user_model),
        (signals.passkey_used, on_passkey_used, user_model),
        (signals.data_exported, on_data_exported, user_model),
        (signals.app_authorized, on_app_authorized, user_model),
        (signals.app_denied, on_app_denied, user_model),
        (signals.app_refused, on_app_refused, user_model),
        (signals.app_access_ended, on_app_access_ended, user_model),
    ]:
        signal.connect(
            receiver,
            sender=sender,
            dispatch_uid=f"accounts.receivers.{receiver.__name__}",
        )
