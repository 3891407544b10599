"""An independent OpenID Connect client signs in with the running site.

The site runs under gunicorn in the production profile (signing key from a
file, apps registered with ``manage.py register_app``); Authlib's OAuth 2
client plays the app and joserfc checks the ID tokens against the JWKS, so
nothing of the provider's own code judges its answers. The person in front
of the browser is ``tests.live.Browser``, filling in the site's own forms
(the sign-in page, the two-factor step with codes from pyotp, the consent
page, the connected-apps page).
"""

import re
import secrets
import threading
import time

import pytest
import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import BadSignatureError, ExpiredTokenError
from joserfc.jwk import KeySet

from .live import Browser
from .oidc_live import (
    PASSWORD,
    Site,
    path_of,
    register,
    shell,
    sign_in_and_allow,
    start_site,
)

pytestmark = pytest.mark.live

PORTS = {"site": 18550, "short-codes": 18551}
REDIRECT_URI = "https://wiki.example.com/callback"
SIGNED_OUT_URI = "https://wiki.example.com/signed-out"
SCOPE = "openid profile email"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("oidc-live")
    env, server = start_site(tmp_path, PORTS["site"])
    with server:
        yield Site(server, env)


@pytest.fixture(scope="module")
def wiki(site):
    return register(
        site.env,
        "--name",
        "Wiki",
        "--confidential",
        "--redirect-uri",
        REDIRECT_URI,
        "--post-logout-redirect-uri",
        SIGNED_OUT_URI,
    )


@pytest.fixture(scope="module")
def api(site):
    return register(site.env, "--name", "API", "--confidential", "--may-introspect")


@pytest.fixture(scope="module")
def alice(site):
    """Alice, with an authenticator app."""
    return site.user("alice", two_factor=True)


class App:
    """The wiki's side: Authlib's client, with one sign-in's PKCE and nonce."""

    def __init__(self, site, registration):
        self.site = site
        self.client_id = registration["client_id"]
        self.session = OAuth2Session(
            registration["client_id"],
            registration["client_secret"],
            scope=SCOPE,
            redirect_uri=REDIRECT_URI,
            code_challenge_method="S256",
        )
        self.verifier = secrets.token_urlsafe(48)
        self.nonce = secrets.token_urlsafe(16)

    def authorization_url(self, **params) -> str:
        url, _state = self.session.create_authorization_url(
            self.site.metadata["authorization_endpoint"],
            code_verifier=self.verifier,
            nonce=self.nonce,
            **params,
        )
        return url

    def fetch_token(self, callback: str, **overrides):
        return self.session.fetch_token(
            self.site.metadata["token_endpoint"],
            authorization_response=callback,
            code_verifier=overrides.pop("code_verifier", self.verifier),
            **overrides,
        )

    def verify_id_token(self, token, *, refreshed=False) -> dict:
        """Check the ID token as a careful app does; return its claims.

        A refreshed one carries no nonce (OpenID Connect Core 12.2).
        """
        keys = KeySet.import_key_set(
            requests.get(self.site.metadata["jwks_uri"], timeout=30).json()
        )
        decoded = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {
                "iss": {"essential": True, "value": self.site.issuer},
                "aud": {"essential": True, "value": self.client_id},
            },
            {
                "nonce": None if refreshed else self.nonce,
                "client_id": self.client_id,
                "access_token": token["access_token"],
            },
        )
        claims.validate()
        return dict(claims)

    def refresh(self, refresh_token):
        return self.session.refresh_token(
            self.site.metadata["token_endpoint"], refresh_token=refresh_token
        )

    def userinfo(self, access_token) -> requests.Response:
        return requests.get(
            self.site.metadata["userinfo_endpoint"],
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=30,
        )

    def raw_token_request(self, **data) -> requests.Response:
        return requests.post(
            self.site.metadata["token_endpoint"],
            data=data,
            auth=(self.session.client_id, self.session.client_secret),
            timeout=30,
        )


def signed_in_app(site, wiki, name="alice", *, totp=None):
    """An app with fresh tokens for ``name``; also the browser it used."""
    app = App(site, wiki)
    browser = Browser(site.server.port)
    callback = sign_in_and_allow(browser, app.authorization_url(), name, totp=totp)
    return app, browser, app.fetch_token(callback)


def test_an_app_signs_in_with_two_factor_and_uses_every_endpoint(
    site, wiki, api, alice
):
    app = App(site, wiki)
    browser = Browser(site.server.port)
    assert site.metadata["issuer"] == site.issuer
    assert site.metadata["code_challenge_methods_supported"] == ["S256"]

    callback = sign_in_and_allow(browser, app.authorization_url(), "alice", totp=alice)
    assert callback.startswith(REDIRECT_URI + "?code=")
    token = app.fetch_token(callback)

    claims = app.verify_id_token(token)
    assert claims["iss"] == site.issuer
    assert claims["aud"] == app.client_id
    assert claims["exp"] > time.time()
    assert claims["nonce"] == app.nonce
    assert claims["amr"] == ["pwd", "otp", "mfa"]
    assert claims["acr"] == "https://refeds.org/profile/mfa"
    assert abs(claims["auth_time"] - time.time()) < 120
    assert re.fullmatch(r"[0-9a-f-]{36}", claims["sub"])
    assert claims["preferred_username"] == "alice"
    assert claims["email_verified"] is True

    userinfo = app.userinfo(token["access_token"]).json()
    assert userinfo["sub"] == claims["sub"]
    assert userinfo["email"] == "alice@example.com"

    refreshed = app.refresh(token["refresh_token"])
    assert refreshed["refresh_token"] != token["refresh_token"]
    again = app.verify_id_token(refreshed, refreshed=True)
    assert again["auth_time"] == claims["auth_time"]
    assert again["sub"] == claims["sub"]
    assert app.userinfo(token["access_token"]).status_code == 401

    introspected = requests.post(
        site.metadata["introspection_endpoint"],
        data={"token": refreshed["access_token"]},
        auth=(api["client_id"], api["client_secret"]),
        timeout=30,
    ).json()
    assert introspected["active"] is True
    assert introspected["sub"] == claims["sub"]

    revoked = app.session.revoke_token(
        site.metadata["revocation_endpoint"],
        token=refreshed["refresh_token"],
        token_type_hint="refresh_token",
    )
    assert revoked.status_code == 200
    assert app.userinfo(refreshed["access_token"]).status_code == 401
    for refresh_token in (refreshed["refresh_token"], token["refresh_token"]):
        with pytest.raises(OAuthError, match="invalid_grant"):
            app.refresh(refresh_token)
    activity = browser.get("/dashboard/activity/").body
    assert "Signed in to an app: Wiki" in activity
    assert "An app gave up its access: Wiki" in activity


def test_the_id_token_fails_verification_once_tampered_with_or_expired(site, wiki, bob):
    app, _browser, token = signed_in_app(site, wiki, bob)
    header, payload, signature = token["id_token"].split(".")
    forged = dict(token, id_token=f"{header}.{payload[:-4]}AAAA.{signature}")
    claims = app.verify_id_token(token)

    with pytest.raises((BadSignatureError, ValueError)):
        app.verify_id_token(forged)
    later = CodeIDToken(claims, {"alg": "RS256"}, {}, {})
    with pytest.raises(ExpiredTokenError):
        later.validate(now=claims["exp"] + 1)


@pytest.fixture(scope="module")
def bob(site):
    site.user("bob")
    return "bob"


def test_a_wrong_redirect_uri_gets_an_error_page_and_no_redirect(site, wiki, bob):
    app = App(site, wiki)
    browser = Browser(site.server.port)
    browser.login(bob, PASSWORD)

    response = browser.get(
        path_of(app.authorization_url(redirect_uri="https://evil.example/callback"))
    )

    assert response.status == 400
    assert response.header("Location") is None


def test_plain_pkce_is_refused_before_any_consent(site, wiki, bob):
    app = App(site, wiki)
    browser = Browser(site.server.port)
    browser.login(bob, PASSWORD)
    url, _state = app.session.create_authorization_url(
        site.metadata["authorization_endpoint"],
        code_challenge=app.verifier,
        code_challenge_method="plain",
        nonce=app.nonce,
    )

    response = browser.get(path_of(url))

    assert response.status == 302, response.body[:300]
    assert response.header("Location").startswith(
        REDIRECT_URI + "?error=invalid_request"
    )


def test_a_missing_or_wrong_verifier_is_refused(site, wiki, bob):
    app = App(site, wiki)
    callback = sign_in_and_allow(
        Browser(site.server.port), app.authorization_url(), bob
    )
    code = re.search(r"code=([^&]+)", callback)[1]

    missing = app.raw_token_request(
        grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI
    )
    wrong = app.raw_token_request(
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        code_verifier=secrets.token_urlsafe(48),
    )

    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"


def test_a_reused_code_is_refused_and_revokes_what_it_gave(site, wiki, bob):
    app = App(site, wiki)
    callback = sign_in_and_allow(
        Browser(site.server.port), app.authorization_url(), bob
    )
    token = app.fetch_token(callback)

    with pytest.raises(OAuthError, match="invalid_grant"):
        App.fetch_token(app, callback)

    assert app.userinfo(token["access_token"]).status_code == 401
    with pytest.raises(OAuthError, match="invalid_grant"):
        app.refresh(token["refresh_token"])


def test_racing_exchanges_of_one_code_give_tokens_once(site, wiki, bob):
    app = App(site, wiki)
    callback = sign_in_and_allow(
        Browser(site.server.port), app.authorization_url(), bob
    )
    code = re.search(r"code=([^&]+)", callback)[1]
    start = threading.Barrier(8)
    answers = []

    def exchange():
        start.wait()
        response = app.raw_token_request(
            grant_type="authorization_code",
            code=code,
            redirect_uri=REDIRECT_URI,
            code_verifier=app.verifier,
        )
        answers.append((response.status_code, response.json()))

    threads = [threading.Thread(target=exchange) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = [status for status, _ in answers]
    assert set(statuses) <= {200, 400}, statuses
    assert statuses.count(200) <= 1
    # The code was used more than once: whatever it gave is revoked too.
    for status, body in answers:
        if status == 200:
            assert app.userinfo(body["access_token"]).status_code == 401
        else:
            assert body["error"] == "invalid_grant"


def test_racing_refreshes_of_one_token_give_tokens_once(site, wiki, bob):
    app, _browser, token = signed_in_app(site, wiki, bob)
    start = threading.Barrier(8)
    answers = []

    def refresh():
        start.wait()
        response = app.raw_token_request(
            grant_type="refresh_token", refresh_token=token["refresh_token"]
        )
        answers.append((response.status_code, response.json()))

    threads = [threading.Thread(target=refresh) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = [status for status, _ in answers]
    assert sorted(statuses) == [200] + [400] * 7, statuses
    assert all(body["error"] == "invalid_grant" for s, body in answers if s == 400)


def test_tokens_die_when_the_password_changes(site, wiki):
    site.user("carol")
    app, browser, token = signed_in_app(site, wiki, "carol")

    changed = browser.post_form(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "another long passphrase 7",
            "new_password2": "another long passphrase 7",
        },
    )

    assert changed.status == 302, changed.body
    assert app.userinfo(token["access_token"]).status_code == 401
    with pytest.raises(OAuthError, match="invalid_grant"):
        app.refresh(token["refresh_token"])


def test_tokens_die_when_the_account_is_deactivated(site, wiki):
    site.user("dave")
    app, _browser, token = signed_in_app(site, wiki, "dave")

    shell(
        site.env,
        "from accounts.models import User; u = User.objects.get(username='dave'); "
        "u.is_active = False; u.save()",
    )

    assert app.userinfo(token["access_token"]).status_code == 401
    with pytest.raises(OAuthError, match="invalid_grant"):
        app.refresh(token["refresh_token"])


def test_removing_access_on_the_connected_apps_page_kills_the_refresh_token(site, wiki):
    site.user("erin")
    app, browser, token = signed_in_app(site, wiki, "erin")
    page = browser.get("/dashboard/apps/").body
    assert "Wiki" in page
    [action] = re.findall(r'action="(/dashboard/apps/\d+/remove/)"', page)

    removed = browser.post_form(action, {}, csrf_from="/dashboard/apps/")

    assert removed.status == 302
    assert "No app can sign you in yet." in browser.get("/dashboard/apps/").body
    with pytest.raises(OAuthError, match="invalid_grant"):
        app.refresh(token["refresh_token"])
    assert app.userinfo(token["access_token"]).status_code == 401


def test_prompt_none_without_a_session_answers_login_required(site, wiki):
    app = App(site, wiki)

    response = Browser(site.server.port).get(
        path_of(app.authorization_url(prompt="none"))
    )

    assert response.status == 302
    assert response.header("Location").startswith(
        REDIRECT_URI + "?error=login_required"
    )


def test_the_app_signs_the_user_out_of_the_site(site, wiki):
    site.user("frank")
    app, browser, token = signed_in_app(site, wiki, "frank")

    response = browser.get(
        "/o/logout/?"
        + requests.compat.urlencode(
            {
                "id_token_hint": token["id_token"],
                "post_logout_redirect_uri": SIGNED_OUT_URI,
                "state": "bye",
            }
        )
    )

    assert response.status == 302
    assert response.header("Location") == SIGNED_OUT_URI + "?state=bye"
    assert browser.get("/dashboard/").header("Location").startswith("/accounts/login/")
    assert app.userinfo(token["access_token"]).status_code == 401


@pytest.fixture(scope="module")
def short_codes_site(tmp_path_factory):
    """A site whose codes last one second."""
    tmp_path = tmp_path_factory.mktemp("oidc-live-short")
    env, server = start_site(tmp_path, PORTS["short-codes"], OIDC_CODE_LIFETIME="1")
    with server:
        yield Site(server, env)


def test_an_expired_code_is_refused(short_codes_site):
    site = short_codes_site
    wiki = register(
        site.env, "--name", "Wiki", "--confidential", "--redirect-uri", REDIRECT_URI
    )
    site.user("grace")
    app = App(site, wiki)
    callback = sign_in_and_allow(
        Browser(site.server.port), app.authorization_url(), "grace"
    )
    time.sleep(1.5)

    with pytest.raises(OAuthError, match="invalid_grant"):
        app.fetch_token(callback)
