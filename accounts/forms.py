from contextlib import contextmanager

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import signals, twofactor
from .emails import absolute_url, send_templated_email
from .models import User

EMAIL_TAKEN = _("A user with that email address already exists.")


def prevents_enumeration() -> bool:
    """Whether sign-up may hide that an address is taken.

    Only with mandatory verification: otherwise a new account signs in at
    once, and a taken address could not be answered the same way.
    """
    return (
        settings.ACCOUNT_PREVENT_ENUMERATION
        and settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"
    )


class FormErrorsDescribeFieldsMixin:
    """Tie the form-wide errors to every input with ``aria-describedby``.

    ``includes/_form_errors.html`` shows them in ``#form-errors``; a screen
    reader then reads them with each field, as it reads a field's own errors.
    """

    form_errors_id = "form-errors"

    def full_clean(self):
        super().full_clean()
        if self.non_field_errors():
            for bound_field in self:
                described_by = f"{self.form_errors_id} {bound_field.aria_describedby}"
                bound_field.field.widget.attrs["aria-describedby"] = (
                    described_by.strip()
                )


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
        username.max_length = User._meta.get_field("email").max_length
        username.widget.attrs.update(
            maxlength=username.max_length, autocomplete="username"
        )
        self.unverified_email = None

    def confirm_login_allowed(self, user):
        """Refuse an unverified address in mandatory mode.

        Only reached after a correct password, so the message reveals nothing
        to someone who does not already hold the account.
        """
        super().confirm_login_allowed(user)
        if settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory" and not (
            user.email_verified
        ):
            self.unverified_email = user.email
            raise ValidationError(
                _(
                    "Please confirm your email address first: follow the link we "
                    "sent you when you signed up, or ask for a new one below."
                ),
                code="unverified",
            )

    def get_session_expiry(self) -> int:
        """Seconds the new session may last, or 0 to end with the browser."""
        if self.cleaned_data.get("remember_me"):
            return settings.SESSION_REMEMBER_AGE
        return 0


class UserAdminCreationForm(auth_forms.AdminUserCreationForm):
    """The admin's add-user form, asking for the required email address too."""

    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email", "email_verified")
        field_classes = {"username": auth_forms.UsernameField}


class UserAdminChangeForm(auth_forms.UserChangeForm):
    """The admin's change-user form, on the project's user model."""

    class Meta(auth_forms.UserChangeForm.Meta):
        model = User


class SignupForm(auth_forms.BaseUserCreationForm):
    """Create an account: username, email address and the password twice.

    A taken username is always reported (usernames are public). A taken email
    address is reported only when ``ACCOUNT_PREVENT_ENUMERATION`` is off or
    verification is not mandatory; otherwise the form is valid, ``email_taken``
    is true, and the view answers exactly as for a new address.
    """

    # A form field, not a model one: the model's unique-email check would
    # otherwise report a taken address that enumeration prevention must hide.
    email = forms.EmailField(
        label=_("Email address"),
        max_length=User._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(auth_forms.BaseUserCreationForm.Meta):
        model = User
        fields = ("username",)
        field_classes = {"username": auth_forms.UsernameField}

    field_order = ("username", "email", "password1", "password2")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The account that already has the address, if any.
        self.owner = None

    @property
    def email_taken(self):
        return self.owner is not None

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.with_username(username).exists():
            raise ValidationError(
                User._meta.get_field("username").error_messages["unique"],
                code="unique",
            )
        return username

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        # The password validators compare the password with the address.
        self.instance.email = email
        self.owner = User.objects.with_email(email).first()
        if self.owner is not None and not prevents_enumeration():
            raise ValidationError(EMAIL_TAKEN, code="unique")
        return email

    def save(self, commit=True):
        self.instance.email = self.cleaned_data["email"]
        return super().save(commit=commit)


class ResendVerificationForm(forms.Form):
    """Ask for a new confirmation link; the answer never says if one was sent."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=User._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def get_user(self):
        """The active, unverified account using the address, if there is one."""
        return (
            User.objects.with_email(self.cleaned_data["email"])
            .filter(is_active=True, email_verified=False)
            .first()
        )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, sending through the site's templated email.

    The link is built on ``SITE_URL``, never on the request's Host header.
    An address that gets no link (no active account that signs in with a
    password uses it) gets an email saying so, much as django-allauth mails
    unknown addresses: one email either way, so a slow mail server does not
    tell a stranger which addresses have an account.
    """

    def get_users(self, email):
        users = User.objects.with_email(email).filter(is_active=True)
        return (user for user in users if user.has_usable_password())

    def save(self, *, request=None, token_generator=default_token_generator, **kwargs):
        email = self.cleaned_data["email"]
        user = next(iter(self.get_users(email)), None)
        if user is not None:
            path = reverse(
                "accounts:password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": token_generator.make_token(user),
                },
            )
            send_templated_email(
                "password_reset",
                to=user.email,
                context={
                    "user": user,
                    "reset_url": absolute_url(path),
                    "timeout_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
                },
            )
        else:
            send_templated_email(
                "password_reset_unknown",
                to=email,
                context={"signup_url": absolute_url(reverse("accounts:signup"))},
            )
        signals.password_reset_requested.send(
            sender=User, request=request, email=email, user=user
        )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's password change, checking the old password like a sign-in.

    Through ``authenticate()``: a locked-out account is refused before any
    hashing, and a wrong old password counts as a failed sign-in, so this
    form cannot be used to guess passwords or to keep the hashers busy.
    """

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        authenticated = authenticate(
            self.request, username=self.user.get_username(), password=old_password
        )
        if authenticated is None or authenticated.pk != self.user.pk:
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class ProfileForm(forms.ModelForm):
    """Names change at once; a new email address only once it is confirmed."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=User._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta:
        model = User
        fields = ("first_name", "last_name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].initial = self.instance.email
        self.fields["email"].help_text = _(
            "A new address is used once you follow the link we send to it."
        )
        self.email_changed = False
        # The other account that already has the new address, if any.
        self.owner = None

    @property
    def email_taken(self):
        return self.owner is not None

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if (
            email != self.instance.email
            and email.lower() == self.instance.email.lower()
        ):
            # Only the letter case changed: the same inbox, nothing to prove.
            self.instance.email = email
        self.email_changed = email != self.instance.email
        if self.email_changed:
            others = User.objects.with_email(email).exclude(pk=self.instance.pk)
            self.owner = others.first()
        if self.owner is not None and not settings.ACCOUNT_PREVENT_ENUMERATION:
            raise ValidationError(EMAIL_TAKEN, code="unique")
        return email


CODE_THROTTLED = ngettext_lazy(
    "Too many wrong codes in a row. Wait %(seconds)d second, then try again.",
    "Too many wrong codes in a row. Wait %(seconds)d seconds, then try again.",
    "seconds",
)


@contextmanager
def waiting_for_code():
    """Turn ``twofactor.CodeThrottled`` into the form error saying how long to wait.

    A code nothing checked is neither right nor wrong, so nothing counts it
    as a failed sign-in.
    """
    try:
        yield
    except twofactor.CodeThrottled as wait:
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
    }

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
        with waiting_for_code():
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
        code = twofactor.normalize_code(self.cleaned_data["code"])
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


class ReauthenticationForm(forms.Form):
    """Confirm it's you: the password, and a code when 2FA is on.

    Guards dangerous changes (after ``REAUTHENTICATION_TIMEOUT``) and account
    deletion (always). The password goes through ``authenticate()``, so a
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
                twofactor.devices_ready_for(self.user, cleaned["code"])
        username = self.user.get_username()
        authenticated = authenticate(self.request, username=username, password=password)
        if authenticated is None or authenticated.pk != self.user.pk:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if authenticated.password != self.user.password:
            # The check re-hashed the password (new Argon2 cost): keep this
            # session's auth hash in step, or the change would sign it out.
            update_session_auth_hash(self.request, authenticated)
        with waiting_for_code():
            verified = "code" not in self.fields or twofactor.verify_code(
                self.user, cleaned["code"]
            )
        if not verified:
            user_login_failed.send(
                sender=__name__,
                credentials={"username": username, "step": "two_factor"},
                request=self.request,
            )
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return cleaned
