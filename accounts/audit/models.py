"""The audit trail: one row per thing that happened to an account."""

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..usersessions.user_agents import USER_AGENT_MAX_LENGTH, describe_user_agent
from .managers import AuthEventManager


class AuthEvent(models.Model):
    """One thing that happened to an account: the audit trail.

    Events outlive the account they concern (``user`` becomes NULL when it is
    deleted). They never hold a password, a token or a session key; a failed
    sign-in keeps only the name that was typed.
    """

    class Type(models.TextChoices):
        LOGIN = "login", pgettext_lazy("audit event", "Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOGOUT = "logout", _("Signed out")
        LOCKOUT = "lockout", _("Sign-in paused after too many failures")
        SIGNUP = "signup", _("Account created")
        EMAIL_VERIFIED = "email_verified", _("Email address verified")
        EMAIL_CHANGED = "email_changed", _("Email address changed")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_SET_BY_ADMIN = (
            "password_set_by_admin",
            _("Password set by an administrator"),
        )
        PASSWORD_RESET_REQUESTED = (
            "password_reset_requested",
            _("Password reset requested"),
        )
        PASSWORD_RESET_DONE = "password_reset_done", _("Password reset")
        SESSION_ENDED_BY_USER = "session_ended_by_user", _("Session ended by you")
        SESSION_ENDED_BY_ADMIN = (
            "session_ended_by_admin",
            _("Session ended by an administrator"),
        )
        SESSION_ENDED_BY_SYSTEM = (
            "session_ended_by_system",
            _("Session ended automatically"),
        )
        ACCOUNT_DELETED = "account_deleted", _("Account deleted")
        TWO_FACTOR_ENABLED = (
            "two_factor_enabled",
            _("Two-factor authentication turned on"),
        )
        TWO_FACTOR_DISABLED = (
            "two_factor_disabled",
            _("Two-factor authentication turned off"),
        )
        TWO_FACTOR_FAILED = "two_factor_failed", _("Wrong two-factor code")
        RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
        RECOVERY_CODES_REGENERATED = (
            "recovery_codes_regenerated",
            _("New recovery codes made"),
        )
        PASSKEY_ADDED = "passkey_added", _("Passkey added")
        PASSKEY_REMOVED = "passkey_removed", _("Passkey removed")
        PASSKEY_USED = "passkey_used", _("Passkey used")
        PASSKEY_FAILED = "passkey_failed", _("Passkey refused")
        APP_AUTHORIZED = "app_authorized", _("Signed in to an app")
        APP_DENIED = "app_denied", _("Refused an app access")
        APP_REFUSED = "app_refused", _("An app's sign-in was refused")
        APP_ACCESS_REMOVED = "app_access_removed", _("App access removed by you")
        APP_SIGNED_OUT = "app_signed_out", _("An app gave up its access")
        APP_ACCESS_ENDED = "app_access_ended", _("App access ended automatically")
        DATA_EXPORTED = "data_exported", _("Copy of your data downloaded")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="auth_events",
    )
    event_type = models.CharField(_("event"), max_length=32, choices=Type.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(
        _("device"), max_length=USER_AGENT_MAX_LENGTH, blank=True
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuthEventManager()

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                "user", F("created_at").desc(), name="accounts_authevent_user_recent"
            ),
            models.Index(fields=["created_at"], name="accounts_authevent_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def device(self) -> str:
        return describe_user_agent(self.user_agent)
