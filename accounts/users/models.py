"""The user: signs in by username or email address, both unique ignoring case."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..usersessions.models import Session
from .managers import UserManager
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
        """Whether signing in needs a code from an authenticator app.

        Passkeys do not turn the code step on: a passkey is a whole sign-in
        by itself, and can also answer the code step of an account that has
        an authenticator app (and so recovery codes).
        """
        return TOTPDevice.objects.devices_for_user(self, confirmed=True).exists()

    def has_passkey(self) -> bool:
        """Whether the account has at least one passkey."""
        return self.passkeys.exists()
