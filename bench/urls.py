"""The product's URLs plus ``/bench/hello/``, the baseline for page views."""

from django.http import HttpResponse
from django.urls import include, path


def hello(request):
    """The least a Django view can do, behind the site's full middleware."""
    return HttpResponse(b"hello", content_type="text/plain")


urlpatterns = [
    path("bench/hello/", hello),
    path("", include("authsite.urls")),
]
