from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from .models import User


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
