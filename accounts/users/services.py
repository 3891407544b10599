"""Writes with side effects about the account as a whole."""

import logging

from django.urls import reverse
from django.utils import timezone

from ..emails import absolute_url, send_templated_email
from ..security.ip import client_ip
from ..usersessions.user_agents import describe_user_agent, request_user_agent

events_logger = logging.getLogger("accounts.events")


def data_exported(*, request) -> None:
    """Tell the owner their data was downloaded, and log it.

    The audit trail's event types are a choices field: a new one needs a
    migration, so until it has one the download is a log line (the same
    logger and shape as the audit trail's) and the email.
    """
    user = request.user
    ip = client_ip(request) or None
    events_logger.info(
        "auth event data_exported user=%s ip=%s",
        user.pk,
        ip or "-",
        extra={"event_type": "data_exported", "user_id": user.pk, "ip": ip},
    )
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
