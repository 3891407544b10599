"""Forms of an account's life: sign-up, confirmation, passwords, profile."""

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.functional import lazy
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import signals
from ..conf import app_settings
from ..emails import absolute_url, send_templated_email
from ..login import flow
from ..users.models import User
from ..users.validators import time_zone_names

EMAIL_TAKEN = _("A user with that email address already exists.")


# Languages that write the family name first: the profile asks for it first.
FAMILY_NAME_FIRST = {"ko", "ja", "zh-hans", "zh-hant", "hu", "vi"}


def _password_hint() -> str:
    min_length = next(
        (
            validator.min_length
            for validator in password_validation.get_default_password_validators()
            if isinstance(validator, password_validation.MinimumLengthValidator)
        ),
        8,
    )
    return ngettext(
        "At least %(count)d character, and not a common password or one like "
        "your name or email address.",
        "At least %(count)d characters, and not a common password or one like "
        "your name or email address.",
        min_length,
    ) % {"count": min_length}


password_hint = lazy(_password_hint, str)


class NewPasswordMixin:
    """A new password's problems, all of them at once, under the new password.

    Django checks the password against the validators only when the two
    fields match, and reports what it finds under the confirmation field;
    here a mismatch stays under the confirmation and every other problem
    goes under the new password, in the same submit. The long list of rules
    becomes one short hint.
    """

    new_password_fields = {"password2": "password1", "new_password2": "new_password1"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.new_password_fields.values():
            if name in self.fields:
                self.fields[name].help_text = password_hint()

    def validate_password_for_user(self, user, password_field_name="password2"):  # noqa: S107
        super().validate_password_for_user(
            user,
            password_field_name=self.new_password_fields.get(
                password_field_name, password_field_name
            ),
        )


def prevents_enumeration() -> bool:
    """Whether sign-up may hide that an address is taken.

    Only with mandatory verification: otherwise a new account signs in at
    once, and a taken address could not be answered the same way.
    """
    return (
        app_settings.PREVENT_ENUMERATION
        and app_settings.EMAIL_VERIFICATION == "mandatory"
    )


class SignupForm(NewPasswordMixin, auth_forms.BaseUserCreationForm):
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


class PasskeySignupForm(forms.ModelForm):
    """Create an account with a passkey (``PASSKEY_SIGNUP``): username, email.

    ``SignupForm`` without the passwords: the same checks, the same hidden
    taken address; the account gets an unusable password and the passkey.
    """

    email = forms.EmailField(
        label=_("Email address"),
        max_length=User._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta:
        model = User
        fields = ("username",)
        field_classes = {"username": auth_forms.UsernameField}

    field_order = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = None

    email_taken = SignupForm.email_taken
    clean_username = SignupForm.clean_username
    clean_email = SignupForm.clean_email

    def save(self, commit=True):
        user = super().save(commit=False)
        user.email = self.cleaned_data["email"]
        user.set_unusable_password()
        if commit:
            user.save()
        return user


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
    password or a passkey uses it) gets an email saying so, much as
    django-allauth mails unknown addresses: one email either way, so a slow
    mail server does not tell a stranger which addresses have an account.
    """

    def get_users(self, email):
        # An account without a password but with a passkey gets a link too:
        # it is how its owner sets a password after losing the passkey.
        users = User.objects.with_email(email).filter(is_active=True)
        return (
            user for user in users if user.has_usable_password() or user.has_passkey()
        )

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


class SetPasswordForm(NewPasswordMixin, auth_forms.SetPasswordForm):
    """Django's new-password form (a reset link's), with the site's hints."""


class PasswordChangeForm(NewPasswordMixin, auth_forms.PasswordChangeForm):
    """Django's password change, checking the old password like a sign-in.

    Through the sign-in flow's password check: a locked-out account is
    refused before any hashing, and a wrong old password counts as a failed
    sign-in, so this form cannot be used to guess passwords or to keep the
    hashers busy.
    """

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        authenticated = flow.authenticate_password(
            self.request, identifier=self.user.get_username(), password=old_password
        )
        if authenticated is None or authenticated.pk != self.user.pk:
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class SetFirstPasswordForm(SetPasswordForm):
    """A first password for an account that signs in with passkeys only.

    It has no old password to ask for; the page needs a recent "confirm
    it's you" (with a passkey) instead.
    """

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)


def time_zone_choices():
    return [
        ("", _("The site's time zone (%(zone)s)") % {"zone": settings.TIME_ZONE}),
        *((name, name.replace("_", " ")) for name in sorted(time_zone_names())),
    ]


class ProfileForm(forms.ModelForm):
    """Names and time zone change at once; a new email address only once it
    is confirmed. The family name comes first where the language puts it
    first."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=User._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        choices=time_zone_choices,
        help_text=_("Times on these pages and in our emails are shown in it."),
    )

    class Meta:
        model = User
        fields = ("first_name", "last_name", "time_zone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = ["first_name", "last_name"]
        if translation.get_language() in FAMILY_NAME_FIRST:
            names.reverse()
        self.order_fields([*names, "email", "time_zone"])
        self.fields["email"].initial = self.instance.email
        self.fields["email"].help_text = _(
            "A new address is used once you follow the link we send to it."
        )
        self.email_changed = False
        # The other account that already has the new address, if any.
        self.owner = None

    def clean_time_zone(self):
        # "" is "not chosen yet": the browser's zone is proposed for it. A
        # user who picks the site's zone instead of theirs gets its name,
        # so that the next page does not propose theirs again.
        name = self.cleaned_data["time_zone"]
        if not name and self.instance.time_zone:
            return settings.TIME_ZONE
        return name

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
        if self.owner is not None and not app_settings.PREVENT_ENUMERATION:
            raise ValidationError(EMAIL_TAKEN, code="unique")
        return email
