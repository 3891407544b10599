"""Queue a rendered email, then deliver it, trying again with back-off.

Delivery is at least once: the row is claimed (``waiting`` → ``sending``)
by a single UPDATE, so two tasks for the same email never both send it,
and it is deleted once the mail server has accepted the message. Only a
worker that dies between the server's "OK" and that delete can cause a
second copy, after ``requeue_emails`` finds the email stuck in ``sending``.
"""

import logging
import smtplib
import time
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ..conf import app_settings
from .models import OutgoingEmail

logger = logging.getLogger(__name__)

Status = OutgoingEmail.Status

# How late an email may be before requeue_emails treats its task as lost.
LOST_AFTER = timedelta(minutes=5)
# Tries of one database step when the database drops the connection.
DATABASE_TRIES = 3


def on_fresh_connection(step):
    """Run ``step()``; if the database dropped the connection, run it again on
    a new one (a restarted PostgreSQL): a message half-way through delivery
    is not left stuck for ``requeue_emails`` by a connection that died.
    """
    for attempt in range(1, DATABASE_TRIES + 1):
        try:
            return step()
        except (OperationalError, InterfaceError) as exc:
            if attempt == DATABASE_TRIES or connection.in_atomic_block:
                raise
            logger.warning(
                "Lost the database (%s), trying again",
                str(exc).strip().splitlines()[0] if str(exc).strip() else exc,
            )
            connection.close()
            time.sleep(attempt - 1)
    raise AssertionError("unreachable")


def queue(*, name, to, subject, body, html, language) -> OutgoingEmail:
    """Store a rendered message and deliver it once the transaction commits.

    The row is written in the caller's transaction: if the change that
    causes the email is rolled back, so is the email, and once it is
    committed the email cannot be lost (``requeue_emails`` finds a row whose
    task never ran).
    """
    email = OutgoingEmail.objects.create(
        name=name,
        to=to,
        subject=subject,
        body=body,
        html=html,
        language=language,
        message_id=make_msgid(domain=DNS_NAME),
    )
    email_id = email.pk
    transaction.on_commit(
        lambda: on_fresh_connection(lambda: schedule(email_id)), robust=True
    )
    return email


def schedule(email_id: int, run_after=None) -> bool:
    """Enqueue the delivery task, deferred to ``run_after`` if given.

    Returns False when the task backend cannot defer (the immediate
    backend of development and tests): the email then waits for
    ``requeue_emails``.
    """
    from .tasks import deliver_email

    task = deliver_email
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return False
        task = task.using(run_after=run_after)
    task.enqueue(email_id)
    return True


def retry_delay(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed attempts: doubling, up to a cap."""
    seconds = app_settings.EMAIL_RETRY_DELAY * 2 ** (attempts - 1)
    return timedelta(seconds=min(seconds, app_settings.EMAIL_RETRY_MAX_DELAY))


def deliver(email_id: int) -> str:
    """Hand the email to the mail server; the outcome as a word.

    ``sent`` (the row is gone), ``waiting`` (failed, another attempt is
    scheduled), ``failed`` (given up, the row stays for an administrator)
    or ``skipped`` (already sent, being sent by another task, or given up).
    """
    claimed_at = timezone.now()
    email = on_fresh_connection(lambda: _claim(email_id, claimed_at))
    if email is None:
        return "skipped"
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        headers={"Message-ID": email.message_id},
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    try:
        message.send()
    except Exception as exc:  # any failure keeps the message
        return on_fresh_connection(lambda failure=exc: _attempt_failed(email, failure))
    on_fresh_connection(email.delete)
    logger.info("Sent the %s email (attempt %d)", email.name, email.attempts)
    return "sent"


def _claim(email_id: int, claimed_at) -> OutgoingEmail | None:
    """Mark the email ``sending`` at ``claimed_at``; None if another task has it.

    The time doubles as this task's mark: tried again after the database
    dropped the connection, the claim finds its own row instead of taking
    it for someone else's.
    """
    mine = OutgoingEmail.objects.filter(
        pk=email_id, status=Status.SENDING, last_attempt_at=claimed_at
    )
    if not mine.exists():
        claimed = OutgoingEmail.objects.filter(
            pk=email_id, status=Status.WAITING
        ).update(
            status=Status.SENDING,
            attempts=F("attempts") + 1,
            last_attempt_at=claimed_at,
        )
        if not claimed:
            return None
    return mine.get()


def _attempt_failed(email: OutgoingEmail, exc: Exception) -> str:
    error = f"{type(exc).__name__}: {exc}"[:1000]
    rows = OutgoingEmail.objects.filter(pk=email.pk, status=Status.SENDING)
    if is_permanent(exc) or email.attempts >= app_settings.EMAIL_MAX_ATTEMPTS:
        rows.update(status=Status.FAILED, next_attempt_at=None, last_error=error)
        logger.error(
            "Gave up on the %s email after %d attempts: %s",
            email.name,
            email.attempts,
            error,
        )
        return "failed"
    next_attempt_at = timezone.now() + retry_delay(email.attempts)
    rows.update(
        status=Status.WAITING, next_attempt_at=next_attempt_at, last_error=error
    )
    logger.warning(
        "Could not send the %s email (attempt %d), trying again at %s: %s",
        email.name,
        email.attempts,
        next_attempt_at.isoformat(timespec="seconds"),
        error,
    )
    schedule(email.pk, run_after=next_attempt_at)
    return "waiting"


def is_permanent(exc: Exception) -> bool:
    """Whether the mail server refused the message for good (a 5xx reply).

    A refused connection, a timeout or a 4xx reply ("try again later") is
    worth another attempt; "no such mailbox" is not.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def requeue_lost(now=None) -> int:
    """Enqueue again every email whose delivery task was lost; return how many.

    A ``waiting`` email more than ``LOST_AFTER`` past its time never got a
    task that ran (the process died between commit and enqueue, or tasks
    were purged); a ``sending`` one claimed longer ago than the SMTP timeout
    plus ``LOST_AFTER`` belongs to a worker that died mid-send, and is tried
    again (that attempt may have reached the server: at least once).
    """
    now = now or timezone.now()
    late = now - LOST_AFTER
    stuck_since = late - timedelta(seconds=settings.EMAIL_TIMEOUT or 0)
    OutgoingEmail.objects.filter(
        status=Status.SENDING, last_attempt_at__lt=stuck_since
    ).update(status=Status.WAITING, next_attempt_at=None)
    lost = OutgoingEmail.objects.filter(status=Status.WAITING).filter(
        Q(next_attempt_at__lt=late)
        | Q(next_attempt_at__isnull=True, created_at__lt=late)
    )
    ids = list(lost.values_list("pk", flat=True))
    for email_id in ids:
        schedule(email_id)
    return len(ids)


def send_again(emails) -> int:
    """Queue given-up or waiting ``emails`` for an attempt now, from zero."""
    ids = list(
        emails.filter(status__in=[Status.FAILED, Status.WAITING]).values_list(
            "pk", flat=True
        )
    )
    OutgoingEmail.objects.filter(pk__in=ids).update(
        status=Status.WAITING, attempts=0, next_attempt_at=None, last_error=""
    )
    for email_id in ids:
        transaction.on_commit(lambda email_id=email_id: schedule(email_id), robust=True)
    return len(ids)
