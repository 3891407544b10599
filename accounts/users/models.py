"""The user: signs in by username or email address, both unique ignoring case."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..usersessions.models import Session
from . import confusables
from .managers import UserManager
from .validators import (
    LOOKS_LIKE_ANOTHER,
    LookAlikeUsernameValidator,
    UsernameValidator,
    validate_time_zone,
)


class User(AbstractUser):
    """A person who can sign in, by username or by email address.

    Both are unique ignoring case: the database enforces it with functional
    unique indexes, which also serve the case-insensitive login lookups.
    """

    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        help_text=_("Up to 150 letters, digits and . + - _"),
        validators=[UsernameValidator(), LookAlikeUsernameValidator()],
        error_messages={"unique": _("A user with that username already exists.")},
    )
    # The digest of the username's confusable skeleton (Unicode TS #39): two
    # names that look alike share it, and the unique index refuses the
    # second, even when two sign-ups race. Empty only for an account that
    # already looked like an older one when the column was added.
    # NULL, not "": the unique index must allow more than one such account.
    username_skeleton = models.CharField(  # noqa: DJ001
        _("username skeleton"),
        max_length=64,
        unique=True,
        null=True,
        editable=False,
    )
    email = models.EmailField(_("email address"), max_length=254)
    email_verified = models.BooleanField(
        _("email verified"),
        default=False,
        help_text=_("Whether the user has proved they own this email address."),
    )
    trusted_browsers_generation = models.PositiveIntegerField(
        _("trusted-browser generation"),
        default=0,
        editable=False,
        help_text=_(
            "Changes when two-factor authentication is turned on, off or reset "
            "and when the user signs out everywhere: every browser trusted "
            "before must give a code again."
        ),
    )
    # What other apps know the account by (OpenID Connect ``sub``): unlike the
    # username it never changes, and unlike the row's id it says nothing of
    # how many accounts there are or was given to no one before.
    public_id = models.UUIDField(
        _("public ID"), default=uuid.uuid4, unique=True, editable=False
    )

    # An IANA name ("Asia/Seoul"); "" shows times in the site's TIME_ZONE.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        default="",
        validators=[validate_time_zone],
    )

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        # The admin's support actions, granted apart from "Can change user"
        # (which alone would let a helper edit any account).
        permissions = [
            ("end_sessions", "Can end a user's sessions"),
            ("reset_two_factor", "Can reset a user's two-factor authentication"),
        ]
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

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        # The name as stored (unless deferred): save() tells a rename by it.
        user._stored_username = dict(zip(field_names, values, strict=True)).get(
            "username"
        )
        return user

    def __str__(self) -> str:
        return self.username

    def clean(self):
        super().clean()
        if not self.username:
            return
        others = User._default_manager.exclude(pk=self.pk)
        other = others.filter(
            username_skeleton=confusables.skeleton_digest(self.username)
        ).first()
        # The very same name in another case is the unique index's to report.
        if other is not None and other.username.lower() != self.username.lower():
            raise ValidationError({"username": LOOKS_LIKE_ANOTHER}, code="look_alike")

    def _renamed(self) -> bool:
        """New, or its username changed since it was read (a deferred one
        that was never read has not)."""
        if self._state.adding:
            return True
        stored = getattr(self, "_stored_username", None)
        current = self.__dict__.get("username", stored)
        return stored is None or current != stored

    def save(self, *args, **kwargs):
        if self._renamed() and "username" in self.__dict__:
            self.username_skeleton = confusables.skeleton_digest(self.username)
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "username" in update_fields:
                kwargs["update_fields"] = {*update_fields, "username_skeleton"}
        super().save(*args, **kwargs)
        self._stored_username = self.__dict__.get("username")
        # An inactive account has no sessions and no app tokens, however it
        # was deactivated.
        if not self.is_active:
            from ..oidc import services as oidc_services

            Session.objects.filter(user=self).end(by="system")
            oidc_services.revoke_app_access(self, by="system", reason="deactivated")

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
