"""ASGI entry point: the production profile unless ``DJANGO_ENV`` (in the
environment or the ``.env`` file) names another."""

from authsite.boot import load_server_settings

load_server_settings()

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
