"""A second web app that signs its users in with authsite (OpenID Connect).

One file, on Django and Authlib's Django client (both already installed by
``make install``), with no database: the session lives in a signed cookie.
It registers nothing itself; ``make example-rp`` registers it as a public
app (PKCE, no secret) and runs it next to ``make run``:

    make run            # authsite at http://127.0.0.1:8000/
    make example-rp     # this app at http://localhost:8001/

Configuration (environment):

- ``OIDC_ISSUER``: authsite's issuer (``http://127.0.0.1:8000/o``);
- ``OIDC_CLIENT_ID`` and, for a confidential app, ``OIDC_CLIENT_SECRET``;
- ``RP_URL``: this app's own address (``http://localhost:8001``), from which
  its redirect URIs are built (never from the request's Host header).
"""

import os
import secrets
import sys
from pathlib import Path

from django.conf import settings

ISSUER = os.environ.get("OIDC_ISSUER", "http://127.0.0.1:8000/o").rstrip("/")
RP_URL = os.environ.get("RP_URL", "http://localhost:8001").rstrip("/")

settings.configure(
    DEBUG=os.environ.get("DEBUG", "True") == "True",
    SECRET_KEY=os.environ.get("RP_SECRET_KEY") or secrets.token_urlsafe(50),
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["localhost", "127.0.0.1"],
    INSTALLED_APPS=["django.contrib.sessions"],
    MIDDLEWARE=[
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
    ],
    SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
    # Its own cookie names, should it share a host name with authsite.
    SESSION_COOKIE_NAME="example_rp_session",
    CSRF_COOKIE_NAME="example_rp_csrftoken",
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [Path(__file__).resolve().parent / "templates"],
            "OPTIONS": {
                "context_processors": ["django.template.context_processors.csrf"]
            },
        }
    ],
    USE_TZ=True,
)

import django  # noqa: E402

django.setup()

from authlib.integrations.django_client import OAuth, OAuthError  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.shortcuts import redirect, render  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

oauth = OAuth()
oauth.register(
    name="authsite",
    server_metadata_url=ISSUER + "/.well-known/openid-configuration",
    client_id=os.environ.get("OIDC_CLIENT_ID", "example-rp"),
    client_secret=os.environ.get("OIDC_CLIENT_SECRET") or None,
    client_kwargs={
        "scope": "openid profile email",
        "code_challenge_method": "S256",
        "token_endpoint_auth_method": (
            "client_secret_basic" if os.environ.get("OIDC_CLIENT_SECRET") else "none"
        ),
    },
)


def home(request):
    """The claims of the signed-in user, or a button to sign in."""
    signed_out = False
    if "state" in request.GET:  # back from authsite's logout
        try:
            oauth.authsite.validate_logout_response(request)
            signed_out = True
        except OAuthError as error:
            request.session["error"] = error.description
    return render(
        request,
        "home.html",
        {
            "issuer": ISSUER,
            "user": request.session.get("user"),
            "error": request.session.pop("error", None),
            "signed_out": signed_out,
        },
    )


def login(request):
    """Off to authsite (with PKCE, state and a nonce, all made by Authlib)."""
    return oauth.authsite.authorize_redirect(request, RP_URL + "/callback/")


def callback(request):
    """Back from authsite: swap the code for tokens, check the ID token."""
    try:
        token = oauth.authsite.authorize_access_token(request)
    except OAuthError as error:
        request.session["error"] = f"{error.error}: {error.description or ''}"
        return redirect("home")
    request.session["user"] = dict(token["userinfo"])
    request.session["id_token"] = token["id_token"]
    return redirect("home")


@require_POST
def logout(request):
    """Sign out here, then of authsite (RP-initiated logout)."""
    id_token = request.session.get("id_token")
    request.session.flush()
    return oauth.authsite.logout_redirect(
        request, post_logout_redirect_uri=RP_URL + "/", id_token_hint=id_token
    )


urlpatterns = [
    path("", home, name="home"),
    path("login/", login, name="login"),
    path("callback/", callback, name="callback"),
    path("logout/", logout, name="logout"),
]

application = get_wsgi_application()

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
