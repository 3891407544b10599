"""The delivery task (Django's Tasks API: the django-tasks backport on 5.2).

Its only argument is the ``OutgoingEmail`` id: the task store never holds a
message, so no link from one stays behind in it.
"""

from django_tasks import task

from . import delivery


@task()
def deliver_email(email_id: int) -> str:
    return delivery.deliver(email_id)
