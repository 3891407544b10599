"""The sign-in forms: the password step and "confirm it's you"."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from ..conf import app_settings
from ..forms import FormErrorsDescribeFieldsMixin
from ..twofactor import codes
from ..twofactor.forms import waiting_for_code
from . import flow
from .attempts import IDENTIFIER_MAX_LENGTH


class LoginForm(FormErrorsDescribeFieldsMixin, auth_forms.AuthenticationForm):
    """Django's login form, with one field for the username or email address.

    Every refusal (wrong password, unknown user, inactive user) produces the
    same ``invalid_login`` message, so the form never tells which it was.
    """

    remember_me = forms.BooleanField(label=_("Remember me"), required=False)

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
        # Django's form sets max_length after the field is built, which only
        # sizes the input: the validator is added here, so an over-long name
        # is refused before any normalisation, lookup or lockout count.
        username.max_length = IDENTIFIER_MAX_LENGTH
        username.validators.append(MaxLengthValidator(username.max_length))
        # "webauthn": the browser may offer the site's passkeys in the
        # field's autofill (static/js/passkeys.js asks for them).
        username.widget.attrs.update(
            maxlength=username.max_length, autocomplete="username webauthn"
        )
        self.unverified_email = None

    def clean(self):
        """Django's, with the password checked by the sign-in flow."""
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = flow.authenticate_password(
                self.request, identifier=username, password=password
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def confirm_login_allowed(self, user):
        """Refuse an unverified address in mandatory mode.

        Only reached after a correct password, so the message reveals nothing
        to someone who does not already hold the account.
        """
        super().confirm_login_allowed(user)
        if app_settings.EMAIL_VERIFICATION == "mandatory" and not (user.email_verified):
            self.unverified_email = user.email
            raise ValidationError(
                _(
                    "Please confirm your email address first: follow the link we "
                    "sent you when you signed up, or ask for a new one below."
                ),
                code="unverified",
            )


class ReauthenticationForm(forms.Form):
    """Confirm it's you: the password, and a code when 2FA is on.

    Guards dangerous changes (after ``REAUTHENTICATION_TIMEOUT``) and account
    deletion (always). The password goes through the sign-in flow, so a
    locked-out account is refused before any hashing and a wrong password
    counts as a failed sign-in, exactly as on the sign-in page.
    """

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

    def __init__(self, user, *args, request=None, **kwargs):
        self.user = user
        self.request = request
        # The device that accepted the code (an app, or the recovery codes).
        self.device = None
        super().__init__(*args, **kwargs)
        if not user.has_two_factor():
            del self.fields["code"]

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password is None or ("code" in self.fields and "code" not in cleaned):
            return cleaned
        if "code" in self.fields:
            # Asked before the password is checked: "wait" says nothing of it.
            with waiting_for_code():
                codes.devices_ready_for(self.user, cleaned["code"])
        authenticated = flow.authenticate_password(
            self.request, identifier=self.user.get_username(), password=password
        )
        if authenticated is None or authenticated.pk != self.user.pk:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if authenticated.password != self.user.password:
            # The check re-hashed the password (new Argon2 cost): keep this
            # session's auth hash in step, or the change would sign it out.
            update_session_auth_hash(self.request, authenticated)
        with waiting_for_code():
            self.device = "code" in self.fields and codes.verify_code(
                self.user, cleaned["code"]
            )
        verified = "code" not in self.fields or self.device is not None
        if not verified:
            flow.stage_failed(self.request, self.user, stage=flow.TwoFactorStage.key)
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return cleaned

    @property
    def methods(self) -> list[str]:
        """How the user proved who they are (after a valid form)."""
        if "code" in self.fields:
            return [flow.BY_PWD, flow.BY_OTP]
        return [flow.BY_PWD]


class DeleteWithoutPasswordForm(forms.Form):
    """Account deletion for an account with no password: a confirmation.

    The deletion page lets such an account in only after a recent "confirm
    it's you" with a passkey; with two-factor on, the code is still asked.
    """

    code = ReauthenticationForm.base_fields["code"]

    def __init__(self, user, *args, request=None, **kwargs):
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)
        if not user.has_two_factor():
            del self.fields["code"]

    def clean(self):
        cleaned = super().clean()
        if "code" not in self.fields or "code" not in cleaned:
            return cleaned
        with waiting_for_code():
            verified = codes.verify_code(self.user, cleaned["code"])
        if not verified:
            flow.stage_failed(self.request, self.user, stage=flow.TwoFactorStage.key)
            raise ValidationError(
                _("That code is not valid. Try again."), code="invalid_code"
            )
        return cleaned
