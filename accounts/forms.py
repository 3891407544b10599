from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import twofactor
from .models import User


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form, with one field for the username or email address.

    Every refusal (wrong password, unknown user, inactive user) produces the
    same ``invalid_login`` message, so the form never tells which it was.
    """

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter a correct username or email address and password."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = _("Username or email")
        username.max_length = User._meta.get_field("email").max_length
        username.widget.attrs.update(
            maxlength=username.max_length, autocomplete="username"
        )


class UserAdminCreationForm(auth_forms.AdminUserCreationForm):
    """The admin's add-user form, asking for the required email address too."""

    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email")
        field_classes = {"username": auth_forms.UsernameField}


class UserAdminChangeForm(auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User


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

    error_messages = {"invalid_code": _("That code is not valid. Try again.")}

    def __init__(self, user, *args, **kwargs):
        self.user = user
        self.device = None
        super().__init__(*args, **kwargs)
        if settings.TWO_FACTOR_TRUST_DAYS > 0:
            self.fields["trust_browser"].help_text = ngettext_lazy(
                "Skip this step on this browser for %(days)d day.",
                "Skip this step on this browser for %(days)d days.",
                "days",
            ) % {"days": settings.TWO_FACTOR_TRUST_DAYS}
        else:
            del self.fields["trust_browser"]

    def clean_code(self):
        code = self.cleaned_data["code"]
        self.device = twofactor.verify_code(self.user, code)
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
        code = self.cleaned_data["code"]
        device = TOTPDevice(
            user=self.user, key=self.key, name=gettext("Authenticator app")
        )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        if not code.isdigit() or not totp.verify(int(code), device.tolerance):
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


class ReauthenticationForm(forms.Form):
    """Ask again for the password (and a code, with 2FA) before a risky change."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("Authentication code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    error_messages = {
        "invalid": _("Your password or code was not correct."),
    }

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if not user.has_two_factor():
            del self.fields["code"]

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password is None:
            return cleaned
        valid = self.user.check_password(password)
        if valid and "code" in self.fields:
            valid = (
                twofactor.verify_code(self.user, cleaned.get("code", "")) is not None
            )
        if not valid:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return cleaned
