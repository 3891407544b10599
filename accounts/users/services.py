"""Writes with side effects about the account as a whole."""

from django.urls import reverse
from django.utils import timezone

from .. import signals
from ..emails import absolute_url, send_templated_email
from ..security.ip import client_ip
from ..usersessions.user_agents import describe_user_agent, request_user_agent


def data_exported(*, request) -> None:
    """Record that the user downloaded their data, and tell them by email."""
    user = request.user
    ip = client_ip(request) or None
    signals.data_exported.send(sender=user.__class__, user=user, request=request)
    send_templated_email(
        "data_exported",
        to=user.email,
        context={
            "user": user,
            "device": describe_user_agent(request_user_agent(request)),
            "ip_address": ip,
            "time": timezone.now(),
            "reset_url": absolute_url(reverse("accounts:password_reset")),
        },
    )


def time_zone_propose(*, user, time_zone: str) -> bool:
    """Set ``user``'s time zone to the one their browser reports, unless they
    have one already (chosen on the profile, or proposed before).

    ``time_zone`` must be valid (``validate_time_zone``). Returns whether it
    was saved.
    """
    saved = bool(
        user.__class__._default_manager.filter(pk=user.pk, time_zone="").update(
            time_zone=time_zone
        )
    )
    if saved:
        user.time_zone = time_zone
    return saved
