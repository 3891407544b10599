"""The admin's forms for adding and changing users."""

from django.contrib.auth import forms as auth_forms

from .models import User


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
