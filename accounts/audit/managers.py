"""Writing the audit trail: one row and one log line per event."""

import logging

from django.db import models

from ..security.ip import client_ip
from ..usersessions.user_agents import request_user_agent

events_logger = logging.getLogger("accounts.events")


class AuthEventManager(models.Manager):
    def record(self, event_type, *, user=None, request=None, **detail):
        """Store one audit-trail event and log one line about it.

        ``request`` (or None outside one) gives the client address, through
        the site's one resolver, and the user agent. ``detail`` is a small
        JSON-able dict; callers never put passwords, tokens or session keys
        in it.
        """
        ip = None
        user_agent = ""
        if request is not None:
            ip = client_ip(request) or None
            user_agent = request_user_agent(request)
        if user is not None and user.pk is None:
            user = None
        event = self.create(
            event_type=event_type,
            user=user,
            ip_address=ip,
            user_agent=user_agent,
            detail=detail,
        )
        events_logger.info(
            "auth event %s user=%s ip=%s",
            event_type,
            user.pk if user is not None else "-",
            ip or "-",
            extra={
                "event_type": str(event_type),
                "user_id": user.pk if user is not None else None,
                "ip": ip,
            },
        )
        return event

    record.alters_data = True
