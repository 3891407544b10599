"""Account events that other parts of the site react to.

Django's own ``user_logged_in``, ``user_logged_out`` and
``user_login_failed`` cover signing in and out; these cover the rest of an
account's life. Every signal is sent with ``sender`` set to the user model
and ``request`` (``None`` outside a request, e.g. from a management command).
Send with ``sender=user.__class__``, not ``type(user)``: ``request.user`` is
a lazy object whose ``type()`` is not the model.
"""

from django.dispatch import Signal

# user, methods (how they proved who they are: "pwd", "otp", ...),
# known_browser: the sign-in flow completed a login (accounts.login.flow).
signed_in = Signal()
# attempt (accounts.login.attempts.Attempt), failures, scope ("account",
# "address" or "browser"), lock (an id naming this lock), cool_off_seconds:
# this failure locked the key for the cool-off. Sent with ``sender=Attempt``.
sign_in_locked = Signal()
# attempt, scope, lock, locked_at, refused (attempts refused so far): a lock
# refused one more attempt, before any password check. ``sender=Attempt``.
sign_in_refused = Signal()

# user: the new, not yet verified account.
user_signed_up = Signal()
# user, email: the address the user proved they own.
email_verified = Signal()
# user, old_email, new_email: after the new address was confirmed.
email_changed = Signal()
# user: the password was changed by its owner (not by a reset).
password_changed = Signal()
# email, user: a reset was asked for; ``user`` is None for an unknown address.
password_reset_requested = Signal()
# user, admin: an administrator set the password of ``user`` (another account)
# in the admin, or turned password sign-in off for it.
password_set_by_admin = Signal()
# user: a password reset was completed with a valid link.
password_reset_completed = Signal()
# user: sent just before the account is deleted by its owner.
account_deleted = Signal()
# user, session_key, by ("user" | "admin" | "system"): a session was ended
# other than by signing out (from the sessions list, an admin action, ...).
session_ended = Signal()

# Two-factor authentication (issue 6). A wrong code at sign-in is counted by
# the lockout like a wrong password and sent as Django's ``user_login_failed``
# with ``credentials["step"] == "two_factor"``.
# user: an authenticator app was confirmed and recovery codes issued.
two_factor_enabled = Signal()
# user, by ("user" | "admin"): the app and recovery codes were removed.
two_factor_disabled = Signal()
# user: a fresh set of recovery codes replaced the old one.
recovery_codes_regenerated = Signal()
# user: a recovery code was spent to sign in.
recovery_code_used = Signal()

# Passkeys (issue 14). A passkey that fails to sign in is sent as Django's
# ``user_login_failed`` with ``credentials["method"] == "passkey"`` (and
# ``step``: "two_factor" at the code step, "reauthenticate"), so lockouts
# count it like a wrong password.
# user, passkey: a passkey was registered to the account.
passkey_added = Signal()
# user, name (the removed passkey's), by ("user" | "admin"): a passkey was removed.
passkey_removed = Signal()
# user, passkey, purpose ("login" | "two_factor" | "reauthenticate"): a
# passkey proved who the user is.
passkey_used = Signal()
# user: the user downloaded a copy of the account's data (/accounts/export/).
data_exported = Signal()
# Other apps signing in here (OpenID Connect, accounts/oidc/). ``application``
# is the registered app (accounts.oidc.models.Application).
# user, application, scopes: the app was given a code to sign the user in.
app_authorized = Signal()
# user, application: the user declined the app's request on the consent page.
app_denied = Signal()
# user, application, reason ("reused", "expired", "invalid_grant"): the app's
# exchange of the user's code for tokens was refused.
app_refused = Signal()
# user, application, by ("user" | "app" | "system"), reason: the app's tokens
# were revoked (by the user on the connected-apps page, by the app itself,
# or after a password change, sign-out everywhere, deactivation, code reuse).
app_access_ended = Signal()
