"""WSGI entry point (gunicorn ``authsite.wsgi``): the production profile unless
``DJANGO_ENV`` (in the environment or the ``.env`` file) names another."""

from authsite.boot import load_server_settings

load_server_settings()

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
