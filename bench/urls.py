"""The product's URLs plus a bare view for signed-in users only.

``/bench/signed-in/`` loads the session and its user and checks them, as
every signed-in page must, and renders nothing: what the dashboard costs
beyond it is the page. The product's own URLs never serve it.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def signed_in(request):
    """The least a signed-in view can do, behind the site's full middleware."""
    return HttpResponse(b"hello", content_type="text/plain")


urlpatterns = [
    path("bench/signed-in/", signed_in),
    path("", include("authsite.urls")),
]
