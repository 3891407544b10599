"""Writing the audit trail: one row and one log line per event."""

import json
import logging

from django.db import models

from ..security.ip import client_ip
from ..usersessions.user_agents import request_user_agent

events_logger = logging.getLogger("accounts.events")


def _quoted(text) -> str:
    """``text`` as one quoted, escaped token ("-" for none).

    Typed names and user agents are chosen by the client: escaped (line
    breaks, quotes, anything beyond ASCII), so one event stays one line and
    its fields cannot be forged.
    """
    return "-" if text is None else json.dumps(str(text))


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
        # The name typed at a failed sign-in or a lockout (never a password),
        # so that log-based detection can see credential stuffing.
        identifier = detail.get("identifier")
        events_logger.info(
            "auth event %s user=%s ip=%s identifier=%s user_agent=%s",
            event_type,
            user.pk if user is not None else "-",
            ip or "-",
            _quoted(identifier),
            _quoted(user_agent or None),
            extra={
                "event_type": str(event_type),
                "user_id": user.pk if user is not None else None,
                "ip": ip,
                "identifier": identifier,
                "user_agent": user_agent,
            },
        )
        return event

    record.alters_data = True
