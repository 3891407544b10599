"""The single-page example (``examples/spa/``), served only while DEBUG is on.

Three static files: the page, its script and its stylesheet, from the same
origin as the API, so the strict CSP holds and the browser client's
same-origin rule does too. ``make run`` serves it at ``/examples/spa/``.
"""

from django.conf import settings
from django.http import Http404
from django.views.static import serve

ROOT = settings.BASE_DIR / "examples" / "spa"


def spa(request, path="index.html"):
    if not settings.DEBUG:
        raise Http404
    return serve(request, path, document_root=ROOT)
