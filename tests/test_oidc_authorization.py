"""``/o/authorize/``: apps sign people in through the site's own sign-in.

Anonymous visitors go to the sign-in page (two-factor, lockout and known
browsers included); ``prompt``, ``max_age`` and ``acr_values`` decide when a
signed-in user must prove who they are again; consent is asked once per
scope, never for first-party apps.
"""

import base64
import re
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.conf import app_settings
from accounts.models import AuthEvent, ConnectedApp
from accounts.oidc.authentication import MFA, SFA

from .oidc import (
    REDIRECT_URI,
    Request,
    authorize,
    exchange,
    hidden_fields,
    redirect_params,
    unverified_claims,
)

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")
CODE_URL = reverse("accounts:login_code")
REAUTH_URL = reverse("accounts:reauthenticate")


@pytest.fixture
def app(make_app):
    return make_app("Wiki")


@pytest.fixture
def signed_in(client, user, password):
    client.post(LOGIN_URL, {"username": "alice", "password": password})
    return client


@pytest.fixture
def totp(user):
    """Alice's authenticator app (two-factor on)."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return pyotp.TOTP(base64.b32encode(device.bin_key).decode())


def sent_to(response, page):
    """Where a redirect to ``page`` (with ``?next=``) will come back to."""
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == page
    return parse_qs(location.query)["next"][0]


def id_token_of(client, request, code):
    response = exchange(client, request, code)
    assert response.status_code == 200, response.content
    return unverified_claims(response.json()["id_token"])


def test_an_anonymous_visitor_signs_in_on_the_sites_page_then_comes_back(
    client, user, password, app
):
    request = Request(app)

    response = client.get(request.url)

    assert response.status_code == 302
    assert sent_to(response, LOGIN_URL) == request.url
    signed_in = client.post(
        response["Location"], {"username": "alice", "password": password}
    )
    assert signed_in["Location"] == request.url
    code = redirect_params(authorize(client, request))["code"]
    assert AuthEvent.objects.filter(user=user, event_type="login").exists()
    claims = id_token_of(client, request, code)
    assert claims["amr"] == ["pwd"]
    assert claims["acr"] == SFA


def test_signing_in_for_an_app_asks_for_the_second_factor(
    client, user, password, app, totp
):
    request = Request(app)
    login_page = client.get(request.url)["Location"]

    first = client.post(login_page, {"username": "alice", "password": password})
    assert first["Location"] == CODE_URL
    assert client.get(request.url)["Location"].startswith(LOGIN_URL)  # not yet in
    second = client.post(CODE_URL, {"code": totp.now()})

    assert second["Location"] == request.url
    claims = id_token_of(
        client, request, redirect_params(authorize(client, request))["code"]
    )
    assert claims["amr"] == ["pwd", "otp", "mfa"]
    assert claims["acr"] == MFA


def test_the_consent_page_names_the_app_and_what_it_asks_for(signed_in, app):
    page = signed_in.get(Request(app).url).content.decode()

    assert "<h1>Sign in to Wiki?</h1>" in page
    assert "Sign you in with your account" in page
    assert "See your email address and whether it is confirmed" in page
    assert "See your username and name" in page
    assert "<strong>alice</strong>" in page


def test_the_consent_page_is_in_korean_for_a_korean_browser(signed_in, app):
    page = signed_in.get(Request(app).url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    assert '<html lang="ko">' in page
    assert "Wiki에 로그인하시겠습니까?" in page
    assert "허용" in page


def test_allowing_gives_the_app_a_code_with_its_state_and_the_issuer(signed_in, app):
    request = Request(app)

    params = redirect_params(authorize(signed_in, request))

    assert params["state"] == request.state
    assert params["iss"] == app_settings.SITE_URL + "/o"
    assert len(params["code"]) >= 30
    assert id_token_of(signed_in, request, params["code"])["nonce"] == request.nonce


def test_denying_sends_access_denied_and_is_in_the_activity(signed_in, user, app):
    request = Request(app)

    params = redirect_params(authorize(signed_in, request, allow=False))

    assert params["error"] == "access_denied"
    assert params["state"] == request.state
    assert "code" not in params
    assert not ConnectedApp.objects.exists()
    event = AuthEvent.objects.get(user=user, event_type="app_denied")
    assert event.detail["app"] == "Wiki"
    activity = signed_in.get(reverse("accounts:activity")).content.decode()
    assert "Refused an app access: Wiki" in activity


def test_a_first_party_app_signs_in_without_asking(signed_in, make_app, user):
    app = make_app("Intranet", skip_authorization=True)

    response = signed_in.get(Request(app).url)

    assert "code" in redirect_params(response)
    assert ConnectedApp.objects.filter(user=user, application=app).exists()


def test_consent_is_asked_once_then_again_only_for_a_new_scope(signed_in, app):
    redirect_params(authorize(signed_in, Request(app, scope="openid email")))

    again = signed_in.get(Request(app, scope="openid email").url)
    more = signed_in.get(Request(app, scope="openid email profile").url)
    forced = signed_in.get(Request(app, scope="openid", prompt="consent").url)

    assert "code" in redirect_params(again)
    assert more.status_code == 200
    assert "See your username and name" in more.content.decode()
    assert forced.status_code == 200


def test_prompt_none_without_a_session_answers_login_required_without_a_page(
    client, app
):
    request = Request(app, prompt="none")

    params = redirect_params(client.get(request.url))

    assert params["error"] == "login_required"
    assert params["state"] == request.state


@pytest.mark.parametrize("scope", ["openid email", "email"])
def test_prompt_none_never_shows_a_page_with_or_without_openid(
    signed_in, app, clock, scope
):
    redirect_params(authorize(signed_in, Request(app, scope="email")))
    clock.advance(minutes=10)

    stale = signed_in.get(Request(app, scope=scope, prompt="none", max_age="1").url)
    new_scope = signed_in.get(Request(app, scope="profile", prompt="none").url)

    assert redirect_params(stale)["error"] == "login_required"
    assert redirect_params(new_scope)["error"] == "consent_required"


def test_prompt_none_before_consent_answers_consent_required(signed_in, app):
    params = redirect_params(signed_in.get(Request(app, prompt="none").url))

    assert params["error"] == "consent_required"


def test_prompt_none_after_consent_signs_in_silently(signed_in, app):
    redirect_params(authorize(signed_in, Request(app)))

    params = redirect_params(signed_in.get(Request(app, prompt="none").url))

    assert "code" in params


def test_prompt_none_with_a_sign_in_older_than_max_age_answers_login_required(
    signed_in, app, clock
):
    redirect_params(authorize(signed_in, Request(app)))
    clock.advance(minutes=10)

    stale = signed_in.get(Request(app, prompt="none", max_age="60").url)
    fresh_enough = signed_in.get(Request(app, prompt="none", max_age="3600").url)

    assert redirect_params(stale)["error"] == "login_required"
    assert "code" in redirect_params(fresh_enough)


def test_prompt_none_with_another_users_id_token_hint_answers_login_required(
    client, signed_in, app, make_user, password
):
    bob = make_user("bob")
    bobs_browser = client.__class__()
    bobs_browser.post(LOGIN_URL, {"username": "bob", "password": password})
    bobs_request = Request(app)
    bobs_code = redirect_params(authorize(bobs_browser, bobs_request))["code"]
    bobs_id_token = exchange(bobs_browser, bobs_request, bobs_code).json()["id_token"]
    redirect_params(authorize(signed_in, Request(app)))

    as_alice = signed_in.get(
        Request(app, prompt="none", id_token_hint=bobs_id_token).url
    )
    as_bob = bobs_browser.get(
        Request(app, prompt="none", id_token_hint=bobs_id_token).url
    )

    assert redirect_params(as_alice)["error"] == "login_required"
    assert "code" in redirect_params(as_bob)
    assert bob.public_id


def test_prompt_login_asks_the_signed_in_user_to_confirm_its_them(
    signed_in, app, password, clock
):
    redirect_params(authorize(signed_in, Request(app)))
    clock.advance(minutes=2)
    request = Request(app, prompt="login")

    response = signed_in.get(request.url)

    assert response.status_code == 302
    without_prompt = Request.__new__(Request)
    without_prompt.params = {k: v for k, v in request.params.items() if k != "prompt"}
    next_url = without_prompt.url
    assert sent_to(response, REAUTH_URL) == next_url
    page = signed_in.get(response["Location"]).content.decode()
    assert "The app you are signing in to asks you to confirm" in page
    back = signed_in.post(response["Location"], {"password": password})
    assert back["Location"] == next_url
    code = redirect_params(signed_in.get(next_url))["code"]
    claims = id_token_of(signed_in, request, code)
    assert claims["auth_time"] == int(clock.time())


def test_a_sign_in_older_than_max_age_is_confirmed_again(
    signed_in, app, password, clock
):
    redirect_params(authorize(signed_in, Request(app)))
    clock.advance(minutes=10)
    request = Request(app, max_age="300")

    response = signed_in.get(request.url)

    assert response["Location"].startswith(REAUTH_URL)
    next_url = signed_in.post(response["Location"], {"password": password})["Location"]
    assert "max_age" not in next_url
    code = redirect_params(signed_in.get(next_url))["code"]
    assert id_token_of(signed_in, request, code)["auth_time"] == int(clock.time())


def test_max_age_zero_confirms_once_and_does_not_ask_forever(signed_in, app, password):
    redirect_params(authorize(signed_in, Request(app)))

    response = signed_in.get(Request(app, max_age="0").url)
    next_url = signed_in.post(response["Location"], {"password": password})["Location"]

    assert "code" in redirect_params(signed_in.get(next_url))


@pytest.mark.parametrize("max_age", ["soon", "-1", "1.5"])
def test_a_malformed_max_age_is_refused(signed_in, app, max_age):
    params = redirect_params(signed_in.get(Request(app, max_age=max_age).url))

    assert params["error"] == "invalid_request"


def test_asking_for_two_factors_steps_a_one_factor_session_up(
    client, user, password, app, totp, clock
):
    # A trusted browser signs in with the password alone.
    client.post(LOGIN_URL, {"username": "alice", "password": password})
    client.post(CODE_URL, {"code": totp.now(), "trust_browser": "on"})
    client.post(reverse("accounts:logout"))
    client.post(LOGIN_URL, {"username": "alice", "password": password})
    assert "_auth_user_id" in client.session
    redirect_params(authorize(client, Request(app)))
    clock.advance(seconds=30)
    request = Request(app, acr_values=MFA)

    response = client.get(request.url)

    assert response["Location"].startswith(REAUTH_URL)
    page = client.get(response["Location"]).content.decode()
    assert 'name="code"' in page
    next_url = client.post(
        response["Location"], {"password": password, "code": totp.now()}
    )["Location"]
    claims = id_token_of(client, request, redirect_params(client.get(next_url))["code"])
    assert claims["acr"] == MFA
    assert claims["amr"] == ["pwd", "otp", "mfa"]


def test_asking_two_factors_of_an_account_without_them_says_it_had_one(signed_in, app):
    request = Request(app, acr_values=MFA)

    code = redirect_params(authorize(signed_in, request))["code"]

    assert id_token_of(signed_in, request, code)["acr"] == SFA


@pytest.mark.parametrize(
    "redirect_uri",
    [
        REDIRECT_URI + "/",
        REDIRECT_URI + "?next=/admin/",
        REDIRECT_URI + "#x",
        REDIRECT_URI.replace("https://", "http://"),
        REDIRECT_URI.replace("wiki.example.com", "wiki.example.com.evil.example"),
        REDIRECT_URI[:-1],
        "https://evil.example/callback",
    ],
)
def test_a_redirect_uri_must_match_exactly_or_nothing_is_sent_anywhere(
    signed_in, app, redirect_uri
):
    response = signed_in.get(Request(app, redirect_uri=redirect_uri).url)

    assert response.status_code == 400
    assert "Location" not in response
    assert "This sign-in request cannot be used" in response.content.decode()


def test_the_redirect_uri_must_be_named_even_with_only_one_registered(signed_in, app):
    response = signed_in.get(Request(app, redirect_uri=None).url)

    assert response.status_code == 400
    assert "Location" not in response


def test_an_unknown_client_gets_an_error_page(signed_in, app):
    response = signed_in.get(Request(app, client_id="nobody").url)

    assert response.status_code == 400
    assert "Error code: invalid_request" in response.content.decode()


@pytest.mark.parametrize(
    "pkce",
    [
        {"code_challenge_method": "plain"},
        {"code_challenge_method": None},
        {"code_challenge": None, "code_challenge_method": None},
    ],
    ids=["plain", "no-method", "no-challenge"],
)
def test_pkce_other_than_s256_is_refused_before_any_consent(signed_in, app, pkce):
    params = redirect_params(signed_in.get(Request(app, **pkce).url))

    assert params["error"] == "invalid_request"
    assert "code" not in params


@pytest.mark.parametrize("response_type", ["token", "id_token", "code id_token"])
def test_only_the_code_flow_is_served(signed_in, app, response_type):
    params = redirect_params(
        signed_in.get(Request(app, response_type=response_type).url)
    )

    assert params["error"] in {"unsupported_response_type", "unauthorized_client"}
    assert "code" not in params


def test_a_consent_form_sent_back_with_another_redirect_uri_is_refused(signed_in, app):
    request = Request(app)
    fields = hidden_fields(signed_in.get(request.url).content.decode())

    response = signed_in.post(
        request.url,
        {**fields, "redirect_uri": "https://evil.example/", "allow": "on"},
    )
    denied = signed_in.post(request.url, {**fields, "client_id": "nobody"})

    empty = signed_in.post(request.url, {})

    for refused in (response, denied, empty):
        assert refused.status_code == 400
        assert "Location" not in refused
        assert "This sign-in request cannot be used" in refused.content.decode()


def test_the_consent_form_needs_the_csrf_token(user, password, app):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    login_form = hidden_fields(browser.get(LOGIN_URL).content.decode())
    browser.post(LOGIN_URL, {**login_form, "username": "alice", "password": password})
    request = Request(app)
    fields = hidden_fields(browser.get(request.url).content.decode())
    fields.pop("csrfmiddlewaretoken")

    response = browser.post(request.url, {**fields, "allow": "on"})

    assert response.status_code == 403


def test_application_management_of_django_oauth_toolkit_is_not_served(signed_in):
    for path in [
        "/o/applications/",
        "/o/applications/register/",
        "/o/authorized_tokens/",
    ]:
        assert signed_in.get(path).status_code == 404


def test_discovery_names_the_issuer_and_every_endpoint(client):
    document = client.get("/o/.well-known/openid-configuration").json()

    issuer = app_settings.SITE_URL + "/o"
    assert document["issuer"] == issuer
    assert document["authorization_endpoint"] == issuer + "/authorize/"
    assert document["token_endpoint"] == issuer + "/token/"
    assert document["userinfo_endpoint"] == issuer + "/userinfo/"
    assert document["jwks_uri"] == issuer + "/.well-known/jwks.json"
    assert document["revocation_endpoint"] == issuer + "/revoke/"
    assert document["introspection_endpoint"] == issuer + "/introspect/"
    assert document["end_session_endpoint"] == issuer + "/logout/"
    assert document["response_types_supported"] == ["code"]
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert document["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert {"sub", "email_verified", "auth_time", "amr", "acr"} <= set(
        document["claims_supported"]
    )
    assert MFA in document["acr_values_supported"]


def test_the_jwks_publishes_the_signing_key(client):
    keys = client.get("/o/.well-known/jwks.json").json()["keys"]

    assert [(key["kty"], key["alg"], key["use"]) for key in keys] == [
        ("RSA", "RS256", "sig")
    ]
    assert "d" not in keys[0]  # the public half only


def test_authorize_pages_are_never_cached(signed_in, app):
    response = signed_in.get(Request(app).url)

    assert (
        "no-store" in response["Cache-Control"]
        or "no-cache" in response["Cache-Control"]
    )
    assert re.search(r"max-age=0", response["Cache-Control"])
