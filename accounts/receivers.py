"""Reactions to account events (connected in ``AccountsConfig.ready``)."""

from .models import Session


def end_other_sessions_on_password_change(sender, user, request=None, **kwargs):
    """A new password signs the account out everywhere but here."""
    sessions = Session.objects.filter(user=user)
    if request is not None and request.session.session_key:
        sessions = sessions.exclude(session_key=request.session.session_key)
    sessions.end(by="system", request=request)


def end_all_sessions_on_password_reset(sender, user, request=None, **kwargs):
    """Whoever knew the old password is signed out, wherever they are."""
    Session.objects.filter(user=user).end(by="system", request=request)
