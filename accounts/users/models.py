"""The user: signs in by username or email address, both unique ignoring case."""

import uuid

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
    # What other apps know the account by (OpenID Connect ``sub``): unlike the
    # username it never changes, and unlike the row's id it says nothing of
    # how many accounts there are or was given to no one before.
    public_id = models.UUIDField(
        _("public ID"), default=uuid.uuid4, unique=True, editable=False
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
        # An inactive account has no sessions and no app tokens, however it
        # was deactivated.
        if not self.is_active:
            from ..oidc import services as oidc_services

            Session.objects.filter(user=self).end(by="system")
            oidc_services.revoke_app_access(self, by="system", reason="deactivated")

    def get_absolute_url(self) -> str:
        return reverse("accounts:dashboard")

    def has_two_factor(self) -> bool:
        """Whether signing in needs a code from an authenticator app."""
        return TOTPDevice.objects.devices_for_user(self, confirmed=True).exists()
