"""Helpers of the live OpenID Connect tests: a site under gunicorn, set up
as an operator would, and a person signing in through its pages."""

import base64
import re
from urllib.parse import urlsplit

import pyotp
import requests

from .live import (
    GunicornServer,
    prepare,
    production_environment,
    run_manage,
    throwaway_signing_key,
)
from .oidc import hidden_fields

PASSWORD = "correct-horse-battery-staple"


def shell(env, code: str) -> str:
    result = run_manage("shell", "-v", "0", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def register(env, *args) -> dict[str, str]:
    """``manage.py register_app`` as an operator runs it; what it printed."""
    result = run_manage("register_app", *args, env=env)
    assert result.returncode == 0, result.stderr
    printed = dict(re.findall(r"^\s+(\w+):\s+(\S+)", result.stdout, re.MULTILINE))
    return {**printed, "output": result.stdout}


CREATE_USER = (
    "from accounts.models import User; "
    "User.objects.create_user({name!r}, email='{name}@example.com', "
    "password={password!r}, email_verified=True)"
)
ADD_AUTHENTICATOR = (
    "from accounts.models import User; "
    "from django_otp.plugins.otp_totp.models import TOTPDevice; "
    "print(TOTPDevice.objects.create(user=User.objects.get(username={name!r}), "
    "name='phone', confirmed=True).key)"
)


class Site:
    """The running site and what was set up on it."""

    def __init__(self, server, env):
        self.server = server
        self.env = env
        self.origin = f"http://127.0.0.1:{server.port}"
        self.issuer = self.origin + "/o"
        self.metadata = requests.get(
            self.issuer + "/.well-known/openid-configuration", timeout=30
        ).json()

    def user(self, name, *, two_factor=False):
        shell(self.env, CREATE_USER.format(name=name, password=PASSWORD))
        if two_factor:
            key = shell(self.env, ADD_AUTHENTICATOR.format(name=name)).strip()
            return pyotp.TOTP(base64.b32encode(bytes.fromhex(key)).decode())
        return None


def start_site(tmp_path, port, **overrides):
    key_file = tmp_path / "signing-key.pem"
    key_file.write_text(throwaway_signing_key())
    env = production_environment(
        tmp_path,
        SITE_URL=f"http://127.0.0.1:{port}",
        SECURE_SSL_REDIRECT="False",
        EMAIL_URL="dummymail://",
        OIDC_RSA_PRIVATE_KEY="",
        OIDC_RSA_PRIVATE_KEY_FILE=str(key_file),
        RATELIMIT_LOGIN="1000/m",
        **overrides,
    )
    prepare(env)
    return env, GunicornServer(port, env, tmp_path / "gunicorn.log")


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def sign_in_and_allow(browser, url, name, *, totp=None, app="Wiki") -> str:
    """The person's part: sign in on the site's pages, allow; the app's callback."""
    response = browser.get(path_of(url))
    if response.status == 302 and response.header("Location").startswith(
        "/accounts/login/"
    ):
        login = response.header("Location")
        response = browser.post_form(login, {"username": name, "password": PASSWORD})
        assert response.status == 302, response.body
        if totp is not None:
            assert response.header("Location") == "/accounts/login/code/"
            response = browser.post_form("/accounts/login/code/", {"code": totp.now()})
            assert response.status == 302, response.body
        assert response.header("Location") == path_of(url)
        response = browser.get(path_of(url))
    if response.status == 200:
        assert f"Sign in to {app}?" in response.body
        fields = hidden_fields(response.body)
        fields.pop("csrfmiddlewaretoken", None)
        response = browser.post_form(path_of(url), {**fields, "allow": "on"})
    assert response.status == 302, response.body
    return response.header("Location")
