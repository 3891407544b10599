"""Failed sign-ins counted per key, and the locks they lead to."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LockoutCounter(models.Model):
    """The failures counted under one key, and whether the key is locked.

    A key is an account (its username, or the normalised name typed when no
    account has it), a client address (an IPv6 address counts with its /64),
    a known browser of an account ("username [device id]"), or one half-done
    sign-in waiting for its code. ``accounts.security.lockout`` counts an
    attempt *before* its password is hashed (``failures`` includes checks in
    progress) and takes the count back if the password was right, so
    attempts sent at once cannot all pass a check that none has counted
    yet. Nothing typed is stored here: no password, code or form data.
    """

    class Scope(models.TextChoices):
        ACCOUNT = "account", _("account")
        ADDRESS = "address", _("client address")
        BROWSER = "browser", _("known browser")
        SIGN_IN = "sign_in", _("half-done sign-in")

    scope = models.CharField(_("counted per"), max_length=16, choices=Scope.choices)
    key = models.CharField(_("key"), max_length=255)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    last_failure_at = models.DateTimeField(_("last attempt"), default=timezone.now)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    lockouts = models.PositiveIntegerField(
        _("locks in a row"),
        default=0,
        help_text=_("Each lock lasts longer than the one before."),
    )
    refused = models.PositiveIntegerField(_("refused during the lock"), default=0)

    class Meta:
        verbose_name = _("sign-in failure count")
        verbose_name_plural = _("sign-in failure counts")
        ordering = ["-last_failure_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key"], name="accounts_lockoutcounter_unique_key"
            ),
        ]
        indexes = [
            models.Index(
                fields=["last_failure_at"], name="accounts_lockoutcounter_last"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.key}"

    def is_locked(self, now=None) -> bool:
        now = now or timezone.now()
        return self.locked_until is not None and self.locked_until > now

    is_locked.boolean = True
    is_locked.short_description = _("locked")
