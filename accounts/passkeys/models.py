"""A user's passkeys (WebAuthn credentials) and the challenges of ceremonies."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Passkey(models.Model):
    """One WebAuthn credential of a user: a passkey or a security key.

    Only the public key is stored (COSE-encoded, as the authenticator sent
    it); the private key never leaves the authenticator. The credential ID
    and the user handle are kept base64url-encoded, as the browser sends them.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="passkeys",
    )
    name = models.CharField(_("name"), max_length=64)
    # A credential ID is at most 1023 bytes: 1364 base64url characters.
    credential_id = models.CharField(
        _("credential ID"), max_length=1400, unique=True, editable=False
    )
    public_key = models.BinaryField(_("public key"), editable=False)
    sign_count = models.PositiveBigIntegerField(
        _("signature counter"), default=0, editable=False
    )
    transports = models.JSONField(
        _("transports"), default=list, blank=True, editable=False
    )
    # The WebAuthn user.id the credential was made for: the same for every
    # passkey of one account, never the database id or the username.
    user_handle = models.CharField(_("user handle"), max_length=128, editable=False)
    backup_eligible = models.BooleanField(
        _("can be synced"),
        default=False,
        editable=False,
        help_text=_("The passkey can be copied to the owner's other devices."),
    )
    backed_up = models.BooleanField(
        _("synced"),
        default=False,
        editable=False,
        help_text=_("The passkey was last reported as copied to other devices."),
    )
    user_verified = models.BooleanField(
        _("user verified at registration"), default=False, editable=False
    )
    aaguid = models.CharField(_("authenticator model"), max_length=36, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class PasskeyChallenge(models.Model):
    """A challenge handed to the browser for one ceremony, used at most once.

    The browser's session names it (``accounts.passkeys.ceremonies``), so a
    challenge works only in the session that asked for it; deleting the row
    is what spends it, so of two requests racing with one answer only one
    can succeed. Expired rows are deleted as new ones are made.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(_("purpose"), max_length=32)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    challenge = models.BinaryField(_("challenge"))
    # Registration only: the WebAuthn user handle the options named.
    user_handle = models.CharField(_("user handle"), max_length=128, blank=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("passkey challenge")
        verbose_name_plural = _("passkey challenges")

    def __str__(self) -> str:
        return f"{self.purpose} · {self.expires_at:%Y-%m-%d %H:%M}"
