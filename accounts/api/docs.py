"""The browsable API docs at ``/api/docs/``, under the site's strict CSP.

django-ninja's Swagger UI, served from its own static files (never a CDN),
started by a static script (no inline script): the settings travel in a
data attribute. Swagger UI's stylesheet
draws its icons as ``data:`` images, so the docs page alone also allows
those (``docs_decorator`` in ``api.py``). "Try it out" works for the
browser client: the script sends the page's CSRF token as ``X-CSRFToken``.
"""

import json

from django.shortcuts import render
from ninja.openapi.docs import Swagger


class Docs(Swagger):
    template = "api/docs.html"
    default_settings = {
        "layout": "BaseLayout",
        "deepLinking": True,
        "tryItOutEnabled": False,
        "withCredentials": True,
    }

    def render_page(self, request, api, **kwargs):
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(
            request,
            self.template,
            {"api": api, "swagger_settings": json.dumps(settings)},
        )
