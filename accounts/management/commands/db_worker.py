"""``manage.py db_worker``: django-tasks-db's worker, outliving a lost database.

django-tasks-db's worker stops with an error when its database connection
is dropped between two of its own queries (PostgreSQL restarted, a
connection killed): under a process manager it comes back, but ``make
serve`` and a worker without one would stop sending email. This one closes
the broken connection and carries on after a pause; a task it had claimed
and not finished is found by ``requeue_emails`` (its email is still in the
outbox). It replaces the library's command because ``accounts`` comes
before ``django_tasks_db`` in ``INSTALLED_APPS``.
"""

import logging
import os
import time

from django.core.management.base import CommandError
from django.db import InterfaceError, OperationalError, connection, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("django_tasks_db")

# Seconds to wait before using the database again after losing it.
RECONNECT_DELAY = 2


class Worker(db_worker.Worker):
    def run(self) -> None:
        while True:
            try:
                return super().run()
            except (OperationalError, InterfaceError) as exc:
                # Inside a transaction (a caller's), a new connection cannot
                # carry it on: reconnecting would fail for ever.
                if not self.running or connection.in_atomic_block:
                    raise
                logger.warning(
                    "Lost the database (%s: %s); reconnecting in %d s",
                    type(exc).__name__,
                    str(exc).strip().splitlines()[0] if str(exc).strip() else "",
                    RECONNECT_DELAY,
                )
                connections.close_all()
                self.startup_delay = False
                time.sleep(RECONNECT_DELAY)


class Command(db_worker.Command):
    help = (
        "Run a database background worker (django-tasks-db's), which outlives "
        "a dropped database connection."
    )

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        # As django-tasks-db 0.13's Command.handle, with the Worker above.
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning(
                "Warning: --reload and --batch cannot be specified together. "
                "Disabling autoreload."
            )
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
