"""Load settings before Django starts, turning a misconfiguration into one line."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured

from authsite import dotenv

# The status gunicorn's master reads as "App failed to load." (its
# Arbiter.APP_LOAD_ERROR): it stops instead of booting new workers forever.
APP_LOAD_ERROR = 4


def load_settings(*, default_env: str, exit_status: int = 1) -> None:
    """Import the settings, or exit with the configuration error's message.

    ``default_env`` is the profile used when neither the environment nor the
    ``.env`` file names ``DJANGO_ENV``: the server entry points (``wsgi.py``,
    ``asgi.py``) pass ``production``, ``manage.py`` passes ``development``.

    A missing ``SECRET_KEY`` in a ``DEBUG=False`` deployment should read as an
    instruction to the operator, not as a wall of traceback; the process then
    exits with ``exit_status``.
    """
    from django.conf import settings

    if settings.configured:  # runserver imports wsgi.py after manage.py did this
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "authsite.settings")
    # The .env file may name the profile, and the real environment wins over
    # it (dotenv.read() only fills in what is unset); the default comes last.
    dotenv.read()
    os.environ.setdefault("DJANGO_ENV", default_env)
    try:
        settings.INSTALLED_APPS  # noqa: B018  (forces the import)
    except ImproperlyConfigured as exc:
        profile = ""
        if os.environ["DJANGO_SETTINGS_MODULE"] == "authsite.settings":
            profile = f" (DJANGO_ENV={os.environ['DJANGO_ENV']})"
        print(f"authsite configuration error{profile}: {exc}", file=sys.stderr)
        sys.exit(exit_status)


def load_server_settings() -> None:
    """The settings of a server entry point (``wsgi.py``, ``asgi.py``): the
    production profile unless ``DJANGO_ENV`` names another."""
    load_settings(default_env="production", exit_status=APP_LOAD_ERROR)
