"""Forms of an account's life: sign-up, confirmation, passwords, profile."""

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from .. import signals
from ..conf import app_settings
from ..emails import absolute_url, send_templated_email
from ..login import flow
from ..users.models import User

EMAIL_TAKEN = _("A user with that email address already exists.")


def prevents_enumeration() -> bool:
    """Whether sign-up may hide that an address is taken.

    Only with mandatory verification: otherwise a new account signs in at
    once, and a taken address could not be answered the same way.
    """
    return (
        app_settings.PREVENT_ENUMERATION
        and app_settings.EMAIL_VERIFICATION == "mandatory"
    )


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


class PasswordChangeForm(auth_forms.PasswordChangeForm):
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


class SetFirstPasswordForm(auth_forms.SetPasswordForm):
    """A first password for an account that signs in with passkeys only.

    It has no old password to ask for; the page needs a recent "confirm
    it's you" (with a passkey) instead.
    """

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)


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
        if self.owner is not None and not app_settings.PREVENT_ENUMERATION:
            raise ValidationError(EMAIL_TAKEN, code="unique")
        return email
