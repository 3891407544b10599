"""Settings for ``make bench``: the production profile, over plain HTTP.

``bench/run.py`` supplies the environment (a throwaway ``SECRET_KEY``,
``SECURE_SSL_REDIRECT=False``, a bench-only database). The only difference
from production is the URLconf, which adds a bare view for signed-in users
(context for the dashboard's figures); the product's own URLs never serve it.
"""

from authsite.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
