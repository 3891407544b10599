"""An email on its way: rendered, waiting for the mail server to take it."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OutgoingEmail(models.Model):
    """One rendered message, kept until the mail server has accepted it.

    The row is written in the same transaction as the change that causes the
    email, so the two are committed (or rolled back) together. It is deleted
    once the mail server accepts the message: the body holds links that work
    (password reset, confirmation), so it is not kept a moment longer than
    delivery needs. A message the mail server keeps refusing is kept, as
    "given up", for an administrator to send again or delete.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", pgettext_lazy("outgoing email", "waiting")
        SENDING = "sending", pgettext_lazy("outgoing email", "sending")
        FAILED = "failed", pgettext_lazy("outgoing email", "given up")

    name = models.CharField(pgettext_lazy("outgoing email", "kind"), max_length=64)
    to = models.CharField(pgettext_lazy("outgoing email", "to"), max_length=320)
    subject = models.CharField(
        pgettext_lazy("outgoing email", "subject"), max_length=998
    )
    body = models.TextField(pgettext_lazy("outgoing email", "text"))
    html = models.TextField(pgettext_lazy("outgoing email", "HTML"), blank=True)
    language = models.CharField(
        pgettext_lazy("outgoing email", "language"), max_length=16
    )
    # Made once, at queue time: every attempt sends the same Message-ID, so
    # a copy that does arrive twice (delivery is at least once) can be told.
    message_id = models.CharField(
        pgettext_lazy("outgoing email", "Message-ID"), max_length=255
    )
    status = models.CharField(
        pgettext_lazy("outgoing email", "status"),
        max_length=16,
        choices=Status,
        default=Status.WAITING,
    )
    attempts = models.PositiveSmallIntegerField(
        pgettext_lazy("outgoing email", "attempts"), default=0
    )
    created_at = models.DateTimeField(
        pgettext_lazy("outgoing email", "requested at"), default=timezone.now
    )
    next_attempt_at = models.DateTimeField(
        pgettext_lazy("outgoing email", "next attempt"), null=True, blank=True
    )
    last_attempt_at = models.DateTimeField(
        pgettext_lazy("outgoing email", "last attempt"), null=True, blank=True
    )
    last_error = models.TextField(
        pgettext_lazy("outgoing email", "last error"), blank=True
    )

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["status", "created_at"], name="accounts_outbox_status_idx"
            )
        ]

    def __str__(self):
        return f"{self.name} → {self.to}"
