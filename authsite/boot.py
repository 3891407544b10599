"""Load settings before Django starts, turning a misconfiguration into one line."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured


def load_settings() -> None:
    """Import the settings, or exit with the configuration error's message.

    A missing ``SECRET_KEY`` in a ``DEBUG=False`` deployment should read as an
    instruction to the operator, not as a wall of traceback.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "authsite.settings")
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018  (forces the import)
    except ImproperlyConfigured as exc:
        sys.exit(f"authsite configuration error: {exc}")
