"""WSGI entry point (gunicorn ``bench.stocksite.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.stocksite.settings")

application = get_wsgi_application()
