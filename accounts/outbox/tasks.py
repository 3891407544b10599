"""The delivery task (Django's Tasks API: the django-tasks backport on 5.2).

Its only argument is the ``OutgoingEmail`` id: the task store never holds a
message, so no link from one stays behind in it.
"""

import logging
import time

from django.db import InterfaceError, OperationalError, connection
from django_tasks import task

from . import delivery

logger = logging.getLogger(__name__)

# Tries on a fresh connection after the database dropped this one.
DATABASE_TRIES = 3


@task()
def deliver_email(email_id: int) -> str:
    """Deliver one email; outlive a database connection that was dropped.

    ``db_worker`` reconnects between tasks, but a connection lost during one
    (a restarted PostgreSQL) would fail the worker's own bookkeeping after
    it and stop the process. The broken connection is closed instead and the
    delivery tried again on a new one; the claim in ``deliver()`` keeps a
    message from going out twice.
    """
    for attempt in range(1, DATABASE_TRIES + 1):
        try:
            return delivery.deliver(email_id)
        except (OperationalError, InterfaceError) as exc:
            connection.close()
            if attempt == DATABASE_TRIES:
                raise
            logger.warning(
                "Lost the database while delivering email %s (%s), trying again",
                email_id,
                exc,
            )
            time.sleep(attempt)
    raise AssertionError("unreachable")
