"""The passkey name, as given when adding one and when renaming it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import FormErrorsDescribeFieldsMixin
from .models import Passkey


class PasskeyNameForm(FormErrorsDescribeFieldsMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=Passkey._meta.get_field("name").max_length,
        help_text=_("So you can tell your passkeys apart, e.g. “Work laptop”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
