"""Translatable names for the models of django-otp and django-oauth-toolkit.

django-otp names its models and fields in plain strings (no ``gettext``),
and django-oauth-toolkit's models and app are named by Django from the
class name: neither reaches a catalogue, so the Korean admin showed them in
English. ``translate()`` (called once, when the admin is loaded) puts lazy
translations in their place; the Korean text is in the project's catalogue
(``locale/ko``). Only what Django shows is changed (``verbose_name`` and
``help_text``): a field's migration state is what it was created with
(``Field._verbose_name``), so no migration follows.
"""

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from .twofactor.models import RecoveryCodeDevice

DEVICE_FIELDS = {
    "user": (_("user"), _("The user that this device belongs to.")),
    "name": (_("name"), _("The human-readable name of this device.")),
    "confirmed": (_("confirmed"), _("Is this device ready for use?")),
    "throttling_failure_timestamp": (
        _("throttling failure timestamp"),
        _(
            "A timestamp of the last failed verification attempt. Null if last "
            "attempt succeeded."
        ),
    ),
    "throttling_failure_count": (
        _("throttling failure count"),
        _("Number of successive failed attempts."),
    ),
    "created_at": (
        _("created at"),
        _("The date and time when this device was initially created in the system."),
    ),
    "last_used_at": (
        _("last used at"),
        _("The most recent date and time this device was used."),
    ),
    "key": (_("key"), _("A hex-encoded secret key of up to 40 bytes.")),
    "step": (_("step"), _("The time step in seconds.")),
    "t0": (_("t0"), _("The Unix time at which to begin counting steps.")),
    "digits": (_("digits"), _("The number of digits to expect in a token.")),
    "tolerance": (
        _("tolerance"),
        _("The number of time steps in the past or future to allow."),
    ),
    "drift": (
        _("drift"),
        _("The number of time steps the prover is known to deviate from our clock."),
    ),
    "last_t": (
        _("last t"),
        _(
            "The t value of the latest verified token. The next token must be at "
            "a higher time step."
        ),
    ),
}

MODEL_NAMES = (
    (TOTPDevice, _("authenticator app"), _("authenticator apps")),
    (get_access_token_model(), _("access token"), _("access tokens")),
    (get_refresh_token_model(), _("refresh token"), _("refresh tokens")),
    (
        get_grant_model(),
        pgettext_lazy("OAuth", "grant"),
        pgettext_lazy("OAuth", "grants"),
    ),
    (get_id_token_model(), _("ID token"), _("ID tokens")),
)

APP_NAMES = {
    "otp_totp": _("Two-factor authentication"),
    "oauth2_provider": _("App tokens (OAuth)"),
}


def translate() -> None:
    """Give the third-party models and apps the admin shows translated names."""
    for model, singular, plural in MODEL_NAMES:
        model._meta.verbose_name = singular
        model._meta.verbose_name_plural = plural
    for model in (TOTPDevice, RecoveryCodeDevice):
        for field in model._meta.get_fields():
            names = DEVICE_FIELDS.get(field.name)
            if names is None or not hasattr(field, "verbose_name"):
                continue
            field.verbose_name, field.help_text = names
    for label, name in APP_NAMES.items():
        apps.get_app_config(label).verbose_name = name
