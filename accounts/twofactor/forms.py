"""Two-factor forms: the code step of a sign-in and confirming a new app."""

from contextlib import contextmanager

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..conf import app_settings
from . import codes

CODE_THROTTLED = ngettext_lazy(
    "Too many wrong codes in a row. Wait %(seconds)d second, then try again.",
    "Too many wrong codes in a row. Wait %(seconds)d seconds, then try again.",
    "seconds",
)


@contextmanager
def waiting_for_code():
    """Turn ``codes.CodeThrottled`` into the form error saying how long to wait.

    A code nothing checked is neither right nor wrong, so nothing counts it
    as a failed sign-in.
    """
    try:
        yield
    except codes.CodeThrottled as wait:
        raise ValidationError(
            CODE_THROTTLED, code="throttled", params={"seconds": wait.seconds}
        ) from None


class TwoFactorCodeForm(forms.Form):
    """The second sign-in step: a code from the app, or a recovery code."""

    code = forms.CharField(
        label=_("Authentication code"),
        max_length=32,
        help_text=_(
            "Enter the 6-digit code from your authenticator app, or one of "
            "your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True}
        ),
    )
    trust_browser = forms.BooleanField(
        label=_("Trust this browser"),
        required=False,
    )

    error_messages = {
        "invalid_code": _("That code is not valid. Try again."),
        "throttled": CODE_THROTTLED,
        "too_many": _("Too many wrong codes. Please sign in again."),
    }

    def __init__(self, user, *args, before_check=None, **kwargs):
        self.user = user
        self.device = None
        # Called before a code is really checked; False refuses the check
        # (see ``codes.verify_code``).
        self.before_check = before_check
        super().__init__(*args, **kwargs)
        if app_settings.TWO_FACTOR_TRUST_DAYS > 0:
            self.fields["trust_browser"].help_text = ngettext_lazy(
                "Skip this step on this browser for %(days)d day.",
                "Skip this step on this browser for %(days)d days.",
                "days",
            ) % {"days": app_settings.TWO_FACTOR_TRUST_DAYS}
        else:
            del self.fields["trust_browser"]

    def clean_code(self):
        code = self.cleaned_data["code"]
        try:
            with waiting_for_code():
                self.device = codes.verify_code(
                    self.user, code, before_check=self.before_check
                )
        except codes.CheckRefused:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many"
            ) from None
        if self.device is None:
            raise ValidationError(
                self.error_messages["invalid_code"], code="invalid_code"
            )
        return code


class TwoFactorSetupForm(forms.Form):
    """Confirm a new authenticator app by entering the code it shows."""

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )

    def __init__(self, user, key: str, *args, **kwargs):
        self.user = user
        self.key = key
        self.device = None
        super().__init__(*args, **kwargs)

    def clean_code(self):
        code = codes.normalize_code(self.cleaned_data["code"])
        device = TOTPDevice(
            user=self.user, key=self.key, name=gettext("Authenticator app")
        )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        valid = code.isascii() and code.isdigit()
        if not valid or not totp.verify(int(code), device.tolerance):
            raise ValidationError(
                _(
                    "That code is not valid. Check the time on your phone "
                    "and try again."
                ),
                code="invalid_code",
            )
        # Spend this time step, so the confirming code cannot sign in again.
        device.last_t = totp.t()
        self.device = device
        return code
