"""The API under gunicorn in the production profile: the README's curl
session as an app runs it, a recovery code raced by parallel sign-ins, and
the browser client and docs behind (simulated) TLS."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest

from .live import Browser, GunicornServer, create_user, prepare, production_environment

pytestmark = pytest.mark.live

PASSWORD = "correct-horse-battery-staple"
PORT = 18540
APP = "/api/app/v1"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("api")
    env = production_environment(tmp_path, WEB_CONCURRENCY="2")
    prepare(env)
    create_user(env, "alice", PASSWORD)
    with GunicornServer(PORT, env, tmp_path / "gunicorn.log") as running:
        yield running


class App:
    """An app: JSON, the session token in a header, no cookie jar at all."""

    def __init__(self, port):
        self.http = Browser(port)
        self.token = None

    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["X-Session-Token"] = self.token
        response = self.http.request(
            method, APP + path, None if body is None else json.dumps(body), headers
        )
        assert response.set_cookies == []
        self.http.cookies.clear()
        answer = json.loads(response.body)
        self.token = answer.get("meta", {}).get("session_token", self.token)
        return response.status, answer


@pytest.fixture(scope="module")
def two_factor(server):
    """Turn on two-factor for alice through the API; return (totp, codes)."""
    app = App(server.port)
    assert (
        app.call("POST", "/auth/login", {"username": "alice", "password": PASSWORD})[0]
        == 200
    )
    _status, setup = app.call("GET", "/account/authenticators/totp")
    totp = pyotp.TOTP(setup["meta"]["secret"])
    status, on = app.call("POST", "/account/authenticators/totp", {"code": totp.now()})
    assert status == 200
    app.call("DELETE", "/auth/session")
    return totp, on["meta"]["recovery_codes"]


def test_the_readme_session_two_factor_sign_in_sessions_and_sign_out(
    server, two_factor
):
    totp, _codes = two_factor
    app = App(server.port)

    status, pending = app.call(
        "POST", "/auth/login", {"username": "alice", "password": PASSWORD}
    )
    assert status == 401
    assert pending["data"]["flows"][-1]["id"] == "mfa_authenticate"
    half_done = app.token
    assert half_done

    # The set-up code spent this time step; the app's next code is accepted.
    status, signed_in = app.call(
        "POST", "/auth/2fa/authenticate", {"code": totp.at(time.time() + 30)}
    )
    assert status == 200
    assert app.token != half_done
    assert [m["method"] for m in signed_in["data"]["methods"]] == ["password", "mfa"]

    status, sessions = app.call("GET", "/auth/sessions")
    assert status == 200
    assert [s["is_current"] for s in sessions["data"]] == [True]

    status, _signed_out = app.call("DELETE", "/auth/session")
    assert status == 401
    assert app.call("GET", "/auth/session")[0] == 410


def test_a_recovery_code_raced_by_parallel_sign_ins_signs_in_once(server, two_factor):
    _totp, codes = two_factor
    apps = [App(server.port) for _ in range(6)]
    for app in apps:
        status, _pending = app.call(
            "POST", "/auth/login", {"username": "alice", "password": PASSWORD}
        )
        assert status == 401

    with ThreadPoolExecutor(len(apps)) as pool:
        statuses = list(
            pool.map(
                lambda app: app.call(
                    "POST", "/auth/2fa/authenticate", {"code": codes[1]}
                )[0],
                apps,
            )
        )

    # One sign-in; the others refused as a wrong code (400) or, once
    # django-otp throttles after those, unchecked (429).
    assert statuses.count(200) == 1
    assert set(statuses) - {200} <= {400, 429}


def test_the_browser_client_behind_tls_uses_secure_host_cookies(server):
    browser = Browser(server.port)
    origin = {"Origin": browser.origin, "Content-Type": "application/json"}

    config = json.loads(browser.get("/api/browser/v1/config").body)
    token = config["meta"]["csrf_token"]
    refused = browser.request(
        "POST",
        "/api/browser/v1/auth/login",
        json.dumps({"username": "nobody", "password": "x"}),
        origin,
    )
    answer = browser.request(
        "POST",
        "/api/browser/v1/auth/login",
        json.dumps({"username": "nobody", "password": "x"}),
        {**origin, "X-CSRFToken": token},
    )

    assert refused.status == 403
    assert answer.status == 400
    assert "__Host-csrftoken" in browser.cookies


def test_the_docs_and_the_document_are_served_in_production(server):
    browser = Browser(server.port)

    docs = browser.get("/api/docs/")
    document = browser.get("/api/openapi.json")
    script = browser.get("/static/js/api-docs.js")

    assert docs.status == 200
    assert "swagger-ui-bundle" in docs.body
    assert json.loads(document.body)["openapi"] == "3.1.0"
    assert script.status == 200
    assert browser.get("/examples/spa/").status == 404  # development only
