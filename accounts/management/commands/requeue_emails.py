"""Queue again the emails whose delivery task was lost."""

from django.core.management.base import BaseCommand

from ...outbox import delivery


class Command(BaseCommand):
    help = (
        "Queue again every email that should have been delivered more than "
        "five minutes ago and was not: its task never ran (the process died "
        "between the commit and the enqueue) or its worker died while sending. "
        "Run it every few minutes, e.g. from cron, beside `manage.py db_worker`."
    )

    def handle(self, *args, **options):
        count = delivery.requeue_lost()
        self.stdout.write(f"Queued {count} emails again.")
