"""Select the settings profile named by the ``DJANGO_ENV`` environment variable.

``development`` runs with no environment at all; ``production`` is the
strict profile for real deployments; ``test`` is what pytest uses. The
optional ``.env`` file is read first, so it may name the profile too. With
neither naming one, ``authsite.boot`` picks: production for the server entry
points (``wsgi.py``, ``asgi.py``), development for ``manage.py``.

Python imports this package before any module in it, so a process that
names a profile module itself (pytest's ``authsite.settings.test``) must
not load the profile chosen here as well: only ``authsite.settings`` picks.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from authsite import dotenv

dotenv.read()
PROFILE = os.environ.get("DJANGO_ENV", "development")

if os.environ.get("DJANGO_SETTINGS_MODULE", __name__) != __name__:
    pass
elif PROFILE == "development":
    from .development import *  # noqa: F403
elif PROFILE == "production":
    from .production import *  # noqa: F403
elif PROFILE == "test":
    from .test import *  # noqa: F403
else:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be 'development', 'production' or 'test', not {PROFILE!r}."
    )
