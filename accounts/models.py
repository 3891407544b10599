import hashlib
import secrets
import uuid
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .managers import AuthEventManager, UserManager
from .signals import session_ended
from .user_agents import USER_AGENT_MAX_LENGTH, describe_user_agent
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

    def has_two_factor(self) -> bool:
        """Whether signing in needs a code from an authenticator app."""
        return TOTPDevice.objects.devices_for_user(self, confirmed=True).exists()


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
                    sender=session.user.__class__,
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
    user_agent = models.CharField(
        _("user agent"), max_length=USER_AGENT_MAX_LENGTH, blank=True
    )
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


def _random_salt() -> str:
    return secrets.token_hex(16)


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """A user's one-time recovery codes, for when the authenticator app is lost.

    django-otp's own static device stores its codes in clear text; here only
    salted SHA-256 digests are stored, so a database leak reveals no usable
    code. A fast hash is enough because each code carries 50 random bits
    (unlike a password, it cannot be guessed from a dictionary).
    """

    CODE_COUNT = 10
    CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
    CODE_LENGTH = 10

    salt = models.CharField(
        _("salt"), max_length=32, default=_random_salt, editable=False
    )

    class Meta(Device.Meta):
        verbose_name = _("recovery code set")
        verbose_name_plural = _("recovery code sets")

    def get_throttle_factor(self) -> int:
        return 1

    def digest(self, code: str) -> str:
        normalised = "".join(code.split()).replace("-", "").lower()
        return hashlib.sha256(f"{self.salt}:{normalised}".encode()).hexdigest()

    def regenerate(self) -> list[str]:
        """Replace every code with fresh ones and return them (shown once)."""
        codes = []
        for _i in range(self.CODE_COUNT):
            raw = get_random_string(self.CODE_LENGTH, self.CODE_ALPHABET)
            codes.append(f"{raw[:5]}-{raw[5:]}")
        with transaction.atomic():
            self.codes.all().delete()
            RecoveryCode.objects.bulk_create(
                RecoveryCode(device=self, digest=self.digest(code)) for code in codes
            )
        return codes

    def verify_token(self, token) -> bool:
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        # One UPDATE both checks and spends the code, so two requests racing
        # with the same code cannot both succeed.
        spent = self.codes.filter(
            digest=self.digest(str(token)), used_at__isnull=True
        ).update(used_at=timezone.now())
        if spent:
            self.throttle_reset()
            return True
        self.throttle_increment()
        return False

    def remaining(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()


class RecoveryCode(models.Model):
    """One code of a set: its salted digest, and when it was spent."""

    device = models.ForeignKey(
        RecoveryCodeDevice,
        on_delete=models.CASCADE,
        related_name="codes",
        verbose_name=_("recovery code set"),
    )
    digest = models.CharField(_("digest"), max_length=64)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        indexes = [models.Index(fields=["device", "digest"])]

    def __str__(self) -> str:
        return gettext("used") if self.used_at else gettext("unused")
