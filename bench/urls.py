"""The product's URLs plus two bare views, the baselines for page views.

``/bench/hello/`` is the least a Django view can do; ``/bench/signed-in/``
does the same for a signed-in user only, so it also loads the session and
its user and checks them, as every signed-in page must. The product's own
URLs never serve either.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


def hello(request):
    """The least a Django view can do, behind the site's full middleware."""
    return HttpResponse(b"hello", content_type="text/plain")


urlpatterns = [
    path("bench/hello/", hello),
    path("bench/signed-in/", login_required(hello)),
    path("", include("authsite.urls")),
]
