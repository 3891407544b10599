"""The example app (``examples/oidc-client/``) signs in with the running site.

Both run as ``make run`` and ``make example-rp`` would run them side by
side, the site here in the production profile under gunicorn: the app sends
the browser to the site, the person signs in and allows it, and the app
shows the claims of the ID token it checked with Authlib; signing out of
the app signs out of the site too.
"""

import re
import subprocess
import sys
import time

import pytest

from .live import BASE_DIR, Browser, clean_environment
from .oidc_live import PASSWORD, path_of, register, sign_in_and_allow, start_site

pytestmark = pytest.mark.live

SITE_PORT, APP_PORT = 18552, 18553
APP_URL = f"http://127.0.0.1:{APP_PORT}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("oidc-example")
    env, server = start_site(
        tmp_path, SITE_PORT, OIDC_REDIRECT_URI_SCHEMES="https,http"
    )
    with server:
        yield server, env


@pytest.fixture(scope="module")
def example_app(site, tmp_path_factory):
    _server, env = site
    register(
        env,
        "--name",
        "Example app",
        "--client-id",
        "example-rp",
        "--public",
        "--redirect-uri",
        APP_URL + "/callback/",
        "--post-logout-redirect-uri",
        APP_URL + "/",
    )
    log = (tmp_path_factory.mktemp("oidc-example-app") / "app.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "examples/oidc-client/app.py",
            "runserver",
            f"127.0.0.1:{APP_PORT}",
            "--noreload",
        ],
        cwd=BASE_DIR,
        env=clean_environment(
            OIDC_ISSUER=f"http://127.0.0.1:{SITE_PORT}/o",
            OIDC_CLIENT_ID="example-rp",
            RP_URL=APP_URL,
            DJANGO_SETTINGS_MODULE="",
        ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if Browser(APP_PORT, https=False).get("/").status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_the_example_app_signs_in_shows_the_claims_and_signs_out(site, example_app):
    server, env = site
    from .oidc_live import shell

    shell(
        env,
        "from accounts.models import User; User.objects.create_user('alice', "
        f"email='alice@example.com', password={PASSWORD!r}, email_verified=True)",
    )
    app_browser = Browser(APP_PORT, https=False)
    person = Browser(server.port)

    to_site = app_browser.get("/login/")
    assert to_site.status == 302
    authorize_url = to_site.header("Location")
    assert authorize_url.startswith(f"http://127.0.0.1:{SITE_PORT}/o/authorize/?")
    assert "code_challenge_method=S256" in authorize_url
    callback = sign_in_and_allow(person, authorize_url, "alice", app="Example app")
    assert callback.startswith(APP_URL + "/callback/?code=")
    home = app_browser.get(path_of(callback))
    assert home.status == 302
    page = app_browser.get("/").body

    assert "Signed in as alice" in page
    assert re.search(r"<th scope=\"row\">email_verified</th><td><code>True", page)
    assert "<code>alice@example.com</code>" in page
    assert re.search(r"<th scope=\"row\">sub</th><td><code>[0-9a-f-]{36}<", page)

    to_logout = app_browser.post_form("/logout/", {}, csrf_from="/")
    assert to_logout.status == 302
    back = person.get(path_of(to_logout.header("Location")))
    assert back.status == 302
    assert back.header("Location").startswith(APP_URL + "/?state=")
    assert (
        "You have been signed out."
        in app_browser.get(path_of(back.header("Location"))).body
    )
    assert person.get("/dashboard/").header("Location").startswith("/accounts/login/")
