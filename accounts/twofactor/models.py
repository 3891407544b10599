"""Recovery codes: the second factor for when the authenticator app is lost.

The authenticator app itself is django-otp's ``TOTPDevice``.
"""

import hashlib
import secrets

from django.db import models, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin


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
