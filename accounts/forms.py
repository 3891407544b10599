from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from .models import User


class LoginForm(auth_forms.AuthenticationForm):
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

    def get_session_expiry(self) -> int:
        """Seconds the new session may last, or 0 to end with the browser."""
        if self.cleaned_data.get("remember_me"):
            return settings.SESSION_REMEMBER_AGE
        return 0


class UserAdminCreationForm(auth_forms.AdminUserCreationForm):
    """The admin's add-user form, asking for the required email address too."""

    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email")
        field_classes = {"username": auth_forms.UsernameField}


class UserAdminChangeForm(auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User
