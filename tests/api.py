"""HTTP clients for the JSON API, as an app and as a browser app use it.

``AppClient`` keeps the session token the API hands out in
``meta.session_token`` and sends it as ``X-Session-Token``; it never keeps a
cookie. ``BrowserClient`` is Django's test client with CSRF checks on: it
reads the CSRF token from ``meta.csrf_token`` (the cookie is HttpOnly) and
sends it as ``X-CSRFToken``.
"""

import json

from django.test import Client

APP = "/api/app/v1"
BROWSER = "/api/browser/v1"


class Answer:
    """A response with its JSON body at hand: ``answer.status``, ``answer.body``."""

    def __init__(self, response):
        self.response = response
        self.status = response.status_code
        self.body = json.loads(response.content) if response.content else None

    @property
    def data(self):
        return self.body.get("data")

    @property
    def meta(self):
        return self.body.get("meta") or {}

    @property
    def codes(self):
        return [error["code"] for error in self.body.get("errors", [])]

    @property
    def params(self):
        return [error.get("param") for error in self.body.get("errors", [])]

    def __repr__(self):
        return f"<Answer {self.status} {self.body}>"


class APIClient:
    base: str

    def __init__(self, **defaults):
        self.http = Client(**defaults)

    def call(self, method, path, body=None, *, raw=None, headers=None):
        headers = {**self.headers(), **(headers or {})}
        if raw is None and body is not None:
            raw = json.dumps(body)
        response = self.http.generic(
            method,
            self.base + path,
            raw or "",
            content_type="application/json",
            headers=headers,
        )
        answer = Answer(response)
        if answer.body and isinstance(answer.body, dict):
            self.remember(answer)
        return answer

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.call("POST", path, body, **kwargs)

    def patch(self, path, body=None, **kwargs):
        return self.call("PATCH", path, body, **kwargs)

    def delete(self, path, body=None, **kwargs):
        return self.call("DELETE", path, body, **kwargs)

    def headers(self):
        return {}

    def remember(self, answer):
        pass

    def login(self, username="alice", password=None, *, headers=None, **fields):
        from .conftest import PASSWORD

        return self.post(
            "/auth/login",
            {"username": username, "password": password or PASSWORD, **fields},
            headers=headers,
        )


class AppClient(APIClient):
    """An app: the session token in a header, no cookies."""

    base = APP

    def __init__(self, **defaults):
        super().__init__(**defaults)
        self.token = None

    def headers(self):
        return {"X-Session-Token": self.token} if self.token else {}

    def remember(self, answer):
        assert not answer.response.cookies, "the app client got a cookie"
        self.token = answer.meta.get("session_token", self.token)
        if answer.status == 410:
            self.token = None  # as the contract says: drop it, start again

    def call(self, method, path, body=None, **kwargs):
        answer = super().call(method, path, body, **kwargs)
        if (method, path) == ("DELETE", "/auth/session"):
            self.token = None  # signed out: a real app forgets the token
        return answer


class BrowserClient(APIClient):
    """A single-page app on the site: the session cookie and a CSRF token."""

    base = BROWSER

    def __init__(self, **defaults):
        super().__init__(enforce_csrf_checks=True, **defaults)
        self.csrf_token = None

    def headers(self):
        return {"X-CSRFToken": self.csrf_token} if self.csrf_token else {}

    def remember(self, answer):
        self.csrf_token = answer.meta.get("csrf_token", self.csrf_token)

    def start(self):
        """Fetch the CSRF token, as the app does when it starts."""
        answer = self.get("/config")
        assert answer.meta["csrf_token"]
        return self


def turn_on_two_factor(client):
    """Set up an authenticator app through the API; return ``(totp, codes)``.

    ``client`` is signed in. The confirming code spends the current time
    step, so the next sign-in needs the clock moved on (``clock`` fixture).
    """
    import pyotp

    setup = client.get("/account/authenticators/totp")
    assert setup.status == 404, setup
    totp = pyotp.TOTP(setup.meta["secret"])
    answer = client.post("/account/authenticators/totp", {"code": totp.now()})
    assert answer.status == 200, answer
    return totp, answer.meta["recovery_codes"]
