"""Helpers of the OpenID Connect tests: an app's side of the protocol.

Tests with the Django test client speak it by hand here (what a relying
party sends); the live tests use Authlib, an independent client.
"""

import base64
import hashlib
import re
import secrets
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

AUTHORIZE_URL = "/o/authorize/"
TOKEN_URL = "/o/token/"
USERINFO_URL = "/o/userinfo/"
REDIRECT_URI = "https://wiki.example.com/callback"
HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def pkce() -> tuple[str, str]:
    """A code verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class Request:
    """One authorization request of ``app``: its PKCE pair, state and nonce."""

    def __init__(self, app, *, scope="openid profile email", **params):
        self.app = app
        self.verifier, challenge = pkce()
        self.state = secrets.token_urlsafe(12)
        self.nonce = secrets.token_urlsafe(12)
        self.params = {
            "client_id": app.client_id,
            "response_type": "code",
            "scope": scope,
            "redirect_uri": REDIRECT_URI,
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            **params,
        }
        self.params = {k: v for k, v in self.params.items() if v is not None}

    @property
    def url(self) -> str:
        return f"{AUTHORIZE_URL}?{urlencode(self.params)}"


def hidden_fields(html: str) -> dict[str, str]:
    return {name: unescape(value) for name, value in HIDDEN_INPUT.findall(html)}


def redirect_params(response) -> dict[str, str]:
    """The query of a redirect to the app, one value per name."""
    assert response.status_code == 302, response.content.decode()[:500]
    location = response["Location"]
    assert location.startswith(REDIRECT_URI + "?"), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def authorize(client, request: Request, *, allow=True):
    """Ask for a code as ``client`` (signed in); consent if the page asks.

    Returns the final response: the redirect to the app, or what came
    instead (a sign-in page, an error page).
    """
    response = client.get(request.url)
    if response.status_code == 200 and 'name="allow"' in response.content.decode():
        fields = hidden_fields(response.content.decode())
        if allow:
            fields["allow"] = "on"
        response = client.post(request.url, fields)
    return response


def exchange(client, request: Request, code: str, **overrides):
    """The app's token request for ``code`` (a public app: no secret)."""
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": request.app.client_id,
        "code_verifier": request.verifier,
        **overrides,
    }
    return client.post(TOKEN_URL, {k: v for k, v in data.items() if v is not None})


def refresh(client, app, refresh_token: str):
    return client.post(
        TOKEN_URL,
        {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": app.client_id,
        },
    )


def userinfo(client, access_token: str):
    return client.get(USERINFO_URL, HTTP_AUTHORIZATION=f"Bearer {access_token}")


def unverified_claims(id_token: str) -> dict:
    """An ID token's payload, read without checking (tests with our own key)."""
    import json

    payload = id_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
