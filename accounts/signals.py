"""Account events that other parts of the site react to.

Django's own ``user_logged_in``, ``user_logged_out`` and
``user_login_failed`` cover signing in and out; these cover the rest of an
account's life. Every signal is sent with ``sender`` set to the user model
and ``request`` (``None`` outside a request, e.g. from a management command).
"""

from django.dispatch import Signal

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
# user: a password reset was completed with a valid link.
password_reset_completed = Signal()
# user: sent just before the account is deleted by its owner.
account_deleted = Signal()
# user, session_key, by ("user" | "admin" | "system"): a session was ended
# other than by signing out (from the sessions list, an admin action, ...).
session_ended = Signal()
