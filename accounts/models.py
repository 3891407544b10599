import uuid
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .managers import USER_AGENT_MAX_LENGTH, AuthEventManager, UserManager
from .signals import session_ended
from .user_agents import describe_user_agent
from .validators import UsernameValidator


class User(AbstractUser):
    """A person who can sign in, by username or by email address.

    Both are unique ignoring case: the database enforces it with functional
    unique indexes, which also serve the case-insensitive login lookups.
    """

    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        help_text=_(
            "Required. 150 characters or fewer. Letters, digits and ./+/-/_ only."
        ),
        validators=[UsernameValidator()],
        error_messages={"unique": _("A user with that username already exists.")},
    )
    email = models.EmailField(_("email address"), max_length=254)
    email_verified = models.BooleanField(
        _("email verified"),
        default=False,
        help_text=_("Whether the user has proved they own this email address."),
    )

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                Lower("username"),
                name="accounts_user_username_ci_unique",
                violation_error_message=_("A user with that username already exists."),
            ),
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message=_(
                    "A user with that email address already exists."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.username

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # An inactive account has no sessions, however it was deactivated.
        if not self.is_active:
            Session.objects.filter(user=self).end(by="system")

    def get_absolute_url(self) -> str:
        return reverse("accounts:dashboard")


class AuthEvent(models.Model):
    """One thing that happened to an account: the audit trail.

    Events outlive the account they concern (``user`` becomes NULL when it is
    deleted). They never hold a password, a token or a session key; a failed
    sign-in keeps only the name that was typed.
    """

    class Type(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOGOUT = "logout", _("Signed out")
        LOCKOUT = "lockout", _("Sign-in paused after too many failures")
        SIGNUP = "signup", _("Account created")
        EMAIL_VERIFIED = "email_verified", _("Email address verified")
        EMAIL_CHANGED = "email_changed", _("Email address changed")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
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


class SessionQuerySet(models.QuerySet):
    def live(self):
        """Sessions that have not expired (idle and absolute limits included)."""
        return self.filter(expire_date__gt=timezone.now())

    def end(self, *, by, request=None):
        """Delete these sessions so their cookies stop working at once.

        Goes through the configured session store so a cached copy
        (``cached_db``) is dropped too, then sends ``session_ended`` for each.
        """
        ended = list(self.select_related("user"))
        if not ended:
            return 0
        self.model.get_session_store_class().delete_many(
            [session.session_key for session in ended]
        )
        for session in ended:
            if session.user is not None:
                session_ended.send(
                    sender=type(session.user),
                    user=session.user,
                    session_key=session.session_key,
                    by=by,
                    request=request,
                )
        return len(ended)

    end.alters_data = True


class Session(AbstractBaseSession):
    """A session in the database, with who it belongs to and where it is used.

    ``public_id`` names a session in pages and URLs; the session key, which
    is the bearer credential, never leaves the cookie. ``ip_address`` and
    ``user_agent`` are as last seen (rewritten with the activity record).
    ``expire_date`` already includes the idle and absolute limits, so
    Django's own expiry check and ``clearsessions`` enforce them (see
    ``session_backends``).
    """

    public_id = models.UUIDField(
        _("public ID"), default=uuid.uuid4, unique=True, editable=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("user"),
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)
    created_at = models.DateTimeField(_("signed in"), default=timezone.now)
    last_activity = models.DateTimeField(_("last active"), default=timezone.now)

    objects = SessionQuerySet.as_manager()

    class Meta(AbstractBaseSession.Meta):
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return self.device

    @classmethod
    def get_session_store_class(cls):
        """The store for ``SESSION_ENGINE`` (db or cached_db on this model)."""
        return import_module(settings.SESSION_ENGINE).SessionStore

    @property
    def device(self) -> str:
        return describe_user_agent(self.user_agent)
