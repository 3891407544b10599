"""Receivers connecting account signals to the parts of the site that react."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .mixins import mark_authenticated


@receiver(user_logged_in, dispatch_uid="accounts.mark_authenticated")
def _mark_authenticated(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        mark_authenticated(request)
