"""New passwords are checked against Have I Been Pwned's range API.

A small range server runs in the test, on the loopback interface; the site
is pointed at it with ``PWNED_PASSWORDS_URL``. What it received shows that
only the first 5 hex digits of the SHA-1 leave the site, with the padding
header; its answers drive a hit, a miss, a timeout and an outage.
"""

import hashlib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

User = get_user_model()
BREACHED = "violet-harbour-91-lantern"
FRESH = "amber-quartz-42-meadow"
BREACH_MESSAGE = "This password has appeared in a data breach"
UNAVAILABLE_MESSAGE = "We could not check this password against known data breaches"


def sha1(password: str) -> str:
    return hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()


class RangeServer:
    """Answers ``GET /range/<prefix>`` as the range API does, and records it."""

    def __init__(self, breached=(), *, delay=0.0, status=200):
        self.breached = {sha1(p) for p in breached}
        self.delay = delay
        self.status = status
        self.received = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.received.append((self.path, dict(self.headers)))
                time.sleep(server.delay)
                prefix = self.path.rsplit("/", 1)[-1]
                lines = [f"{'0' * 35}:0"]  # padding, as the real API adds
                lines += [
                    f"{h[5:]}:{12345}" for h in server.breached if h[:5] == prefix
                ]
                body = "\r\n".join(lines).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/range/"

    def __enter__(self):
        threading.Thread(
            target=self.httpd.serve_forever, args=(0.05,), daemon=True
        ).start()
        return self

    def __exit__(self, *exc_info):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def range_api(settings):
    """Start a range server knowing ``breached`` passwords: ``range_api(...)``."""
    servers = []

    def start(breached=(BREACHED,), **options):
        server = RangeServer(breached, **options).__enter__()
        servers.append(server)
        settings.AUTHSITE_PWNED_PASSWORDS_URL = server.url
        return server

    yield start
    for server in servers:
        server.__exit__()


@pytest.fixture
def unreachable(settings):
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.AUTHSITE_PWNED_PASSWORDS_URL = f"http://127.0.0.1:{port}/range/"


def sign_up(client, password, username="carol"):
    return client.post(
        reverse("accounts:signup"),
        {
            "username": username,
            "email": f"{username}@example.com",
            "password1": password,
            "password2": password,
        },
    )


def test_a_breached_password_is_refused_at_sign_up(client, range_api):
    range_api()

    response = sign_up(client, BREACHED)

    assert response.status_code == 200
    assert BREACH_MESSAGE in response.content.decode()
    assert not User.objects.filter(username="carol").exists()


def test_only_the_hash_prefix_leaves_the_site_with_the_padding_header(
    client, range_api
):
    server = range_api()

    sign_up(client, BREACHED)

    ((path, headers),) = server.received
    digest = sha1(BREACHED)
    assert path == f"/range/{digest[:5]}"
    assert headers["Add-Padding"] == "true"
    sent = path + repr(headers)
    assert digest[5:] not in sent.upper()
    assert BREACHED not in sent


def test_a_password_not_in_any_breach_is_accepted(client, range_api):
    server = range_api()

    response = sign_up(client, FRESH)

    assert response.status_code == 302
    assert User.objects.filter(username="carol").exists()
    assert [path for path, _ in server.received] == [f"/range/{sha1(FRESH)[:5]}"]


def test_a_slow_range_api_falls_back_to_the_common_password_list(
    client, range_api, settings, caplog
):
    range_api(delay=2.0)
    settings.AUTHSITE_PWNED_PASSWORDS_TIMEOUT = 0.2

    common = sign_up(client, "iloveyou123", username="dave")
    started = time.monotonic()
    fresh = sign_up(client, BREACHED)

    assert time.monotonic() - started < 1.5
    assert common.status_code == 200
    assert "This password is too common." in common.content.decode()
    # The range API would have known it; the common list does not.
    assert fresh.status_code == 302
    assert "breach check at 127.0.0.1" in caplog.text
    assert "api_timeout" in caplog.text


def test_an_unreachable_range_api_falls_back_to_the_common_password_list(
    client, unreachable, caplog
):
    common = sign_up(client, "iloveyou123", username="dave")
    fresh = sign_up(client, FRESH)

    assert "This password is too common." in common.content.decode()
    assert fresh.status_code == 302
    assert "request_error" in caplog.text


def test_a_failing_range_api_falls_back_too(client, range_api, caplog):
    range_api(status=503)

    assert sign_up(client, BREACHED).status_code == 302
    assert "http_error" in caplog.text


@pytest.mark.parametrize("failure", ["timeout", "unreachable", "error"])
def test_strict_mode_refuses_while_the_range_api_cannot_answer(
    client, range_api, settings, failure
):
    settings.AUTHSITE_PWNED_PASSWORDS_STRICT = True
    settings.AUTHSITE_PWNED_PASSWORDS_TIMEOUT = 0.2
    if failure == "timeout":
        range_api(delay=2.0)
    elif failure == "error":
        range_api(status=500)
    else:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        settings.AUTHSITE_PWNED_PASSWORDS_URL = f"http://127.0.0.1:{port}/range/"

    response = sign_up(client, FRESH)

    assert response.status_code == 200
    assert UNAVAILABLE_MESSAGE in response.content.decode()
    assert not User.objects.filter(username="carol").exists()


def test_strict_mode_accepts_a_password_the_range_api_does_not_know(
    client, range_api, settings
):
    settings.AUTHSITE_PWNED_PASSWORDS_STRICT = True
    range_api()

    assert sign_up(client, FRESH).status_code == 302


def test_password_change_refuses_a_breached_password(
    user, password, signed_in_client, range_api
):
    browser = signed_in_client()
    range_api()

    response = browser.post(
        reverse("accounts:password_change"),
        {
            "old_password": password,
            "new_password1": BREACHED,
            "new_password2": BREACHED,
        },
    )

    assert response.status_code == 200
    assert BREACH_MESSAGE in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(password)


def test_password_reset_refuses_a_breached_password(
    client, user, password, range_api, link_in_mail
):
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    link = link_in_mail(mail.outbox[-1], "/accounts/reset/")
    form_page = client.get(link, follow=True)
    range_api()

    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": BREACHED, "new_password2": BREACHED},
    )

    assert response.status_code == 200
    assert BREACH_MESSAGE in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(password)


def test_createsuperuser_refuses_a_breached_password(range_api, monkeypatch):
    range_api()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", BREACHED)

    with pytest.raises(CommandError, match=BREACH_MESSAGE):
        call_command(
            "createsuperuser",
            "--noinput",
            username="root",
            email="root@example.com",
            verbosity=0,
        )

    assert not User.objects.exists()


def test_the_test_settings_check_no_real_range_api(settings):
    assert settings.AUTHSITE_PWNED_PASSWORDS_URL == ""
