"""Codes, tokens and claims: what an app gets, and when it stops working.

Codes are short-lived and single-use (a second use revokes what the first
got); refresh tokens rotate; the app's tokens die when the user removes its
access, changes or resets the password, signs out everywhere, is
deactivated or deleted. Every grant, refusal and revocation is in the
user's activity.
"""

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from oauth2_provider.models import AccessToken, Grant, IDToken, RefreshToken

from accounts.conf import app_settings
from accounts.models import AppSignIn, AuthEvent, ConnectedApp

from .oidc import (
    TOKEN_URL,
    Request,
    authorize,
    exchange,
    redirect_params,
    refresh,
    unverified_claims,
    userinfo,
)

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")


@pytest.fixture
def app(make_app):
    return make_app("Wiki")


@pytest.fixture
def signed_in(client, user, password):
    client.post(LOGIN_URL, {"username": "alice", "password": password})
    return client


@pytest.fixture
def code_for(signed_in):
    """A fresh code of ``app`` for alice: ``request, code = code_for(app)``."""

    def issue(app, **params):
        request = Request(app, **params)
        return request, redirect_params(authorize(signed_in, request))["code"]

    return issue


@pytest.fixture
def tokens(signed_in, app, code_for):
    request, code = code_for(app)
    response = exchange(signed_in, request, code)
    assert response.status_code == 200, response.content
    return response.json()


def events(user, event_type):
    return list(AuthEvent.objects.filter(user=user, event_type=event_type))


def dead(client, app, tokens) -> bool:
    """Whether both the access and the refresh token are refused."""
    return (
        userinfo(client, tokens["access_token"]).status_code == 401
        and refresh(client, app, tokens["refresh_token"]).json().get("error")
        == "invalid_grant"
    )


# CLAIMS ----------------------------------------------------------------------


def test_the_subject_is_the_public_id_not_the_username_or_row_id(
    signed_in, user, tokens
):
    claims = unverified_claims(tokens["id_token"])

    assert claims["sub"] == str(user.public_id)
    assert claims["sub"] not in {user.username, str(user.pk)}
    assert claims["preferred_username"] == "alice"
    assert claims["email"] == "alice@example.com"
    assert claims["email_verified"] is True


def test_the_subject_stays_when_the_username_changes(
    signed_in, user, app, code_for, tokens
):
    user.username = "alice2"
    user.save()
    request, code = code_for(app)

    again = exchange(signed_in, request, code).json()

    assert unverified_claims(again["id_token"])["sub"] == str(user.public_id)


def test_userinfo_gives_the_claims_of_the_granted_scopes_only(
    signed_in, app, code_for, make_user
):
    request, code = code_for(app, scope="openid")
    narrow = exchange(signed_in, request, code).json()

    claims = userinfo(signed_in, narrow["access_token"]).json()

    assert set(claims) == {"sub"}


def test_email_verified_is_a_real_false_for_an_unconfirmed_address(
    client, make_user, password, app
):
    make_user("carol", email_verified=False)
    with override_settings(AUTHSITE_EMAIL_VERIFICATION="optional"):
        client.post(LOGIN_URL, {"username": "carol", "password": password})
        request = Request(app)
        code = redirect_params(authorize(client, request))["code"]
        tokens = exchange(client, request, code).json()

    assert userinfo(client, tokens["access_token"]).json()["email_verified"] is False


def test_a_name_is_given_only_when_the_user_has_one(signed_in, user, app, code_for):
    user.first_name, user.last_name = "Alice", "Liddell"
    user.save()
    request, code = code_for(app)

    claims = userinfo(
        signed_in, exchange(signed_in, request, code).json()["access_token"]
    ).json()

    assert claims["name"] == "Alice Liddell"
    assert claims["given_name"] == "Alice"
    assert claims["family_name"] == "Liddell"


# CODES -----------------------------------------------------------------------


def test_a_code_works_once_and_its_second_use_revokes_what_it_gave(
    signed_in, user, app, code_for
):
    request, code = code_for(app)
    first = exchange(signed_in, request, code).json()

    second = exchange(signed_in, request, code)

    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    assert dead(signed_in, app, first)
    assert events(user, "app_refused")[0].detail["reason"] == "reused"
    assert events(user, "app_access_ended")[0].detail["reason"] == "code_reused"


def test_a_code_expires_after_a_minute(signed_in, user, app, code_for, clock):
    request, code = code_for(app)
    clock.advance(seconds=61)

    response = exchange(signed_in, request, code)

    assert response.json()["error"] == "invalid_grant"
    assert events(user, "app_refused")[0].detail["reason"] == "expired"


def test_a_wrong_or_missing_verifier_is_refused_and_does_not_use_the_code_up(
    signed_in, user, app, code_for
):
    request, code = code_for(app)

    wrong = exchange(signed_in, request, code, code_verifier="x" * 43)
    missing = exchange(signed_in, request, code, code_verifier=None)
    right = exchange(signed_in, request, code)

    assert wrong.json()["error"] == "invalid_grant"
    assert missing.json()["error"] == "invalid_request"
    assert right.status_code == 200
    assert events(user, "app_refused")[0].detail["reason"] == "invalid_grant"


def test_the_code_is_bound_to_its_redirect_uri_and_client(
    signed_in, app, make_app, code_for
):
    other = make_app("Other")
    request, code = code_for(app)

    elsewhere = exchange(signed_in, request, code, redirect_uri=None)
    other_client = exchange(signed_in, request, code, client_id=other.client_id)

    assert elsewhere.status_code == 400
    assert other_client.json()["error"] == "invalid_grant"
    assert exchange(signed_in, request, code).status_code == 200


def test_a_confidential_app_must_authenticate(signed_in, make_app, code_for):
    app = make_app("Tracker", client_type="confidential")
    request, code = code_for(app)

    without = exchange(signed_in, request, code)
    wrong = exchange(signed_in, request, code, client_secret="nope")
    right = exchange(signed_in, request, code, client_secret=app.secret)

    assert without.status_code == wrong.status_code == 401
    assert right.status_code == 200


def test_client_secrets_are_stored_with_the_fast_salted_hash(make_app):
    app = make_app("Tracker", client_type="confidential")

    app.refresh_from_db()

    assert app.client_secret.startswith("client_secret_sha256$1$")
    assert app.secret not in app.client_secret


# REFRESH ---------------------------------------------------------------------


def test_a_refresh_token_rotates_and_its_reuse_revokes_the_family(
    signed_in, app, tokens
):
    rotated = refresh(signed_in, app, tokens["refresh_token"]).json()

    assert rotated["refresh_token"] != tokens["refresh_token"]
    assert userinfo(signed_in, rotated["access_token"]).status_code == 200
    assert userinfo(signed_in, tokens["access_token"]).status_code == 401
    replay = refresh(signed_in, app, tokens["refresh_token"])
    assert replay.json()["error"] == "invalid_grant"
    assert dead(signed_in, app, rotated)


def test_a_refreshed_id_token_keeps_when_and_how_the_user_signed_in(
    signed_in, app, tokens, clock
):
    clock.advance(minutes=20)

    rotated = refresh(signed_in, app, tokens["refresh_token"]).json()

    before = unverified_claims(tokens["id_token"])
    after = unverified_claims(rotated["id_token"])
    assert after["auth_time"] == before["auth_time"]
    assert after["amr"] == before["amr"] == ["pwd"]
    assert after["iat"] > before["iat"]
    assert "nonce" not in after


# REVOCATION, INTROSPECTION ------------------------------------------------------


def test_the_app_revokes_its_own_token_and_it_is_in_the_activity(
    signed_in, user, app, tokens
):
    response = signed_in.post(
        "/o/revoke/",
        {
            "token": tokens["refresh_token"],
            "token_type_hint": "refresh_token",
            "client_id": app.client_id,
        },
    )

    assert response.status_code == 200
    assert dead(signed_in, app, tokens)
    assert events(user, "app_signed_out")[0].detail["app"] == "Wiki"


def test_another_app_cannot_revoke_a_token(signed_in, app, make_app, tokens):
    other = make_app("Other")

    response = signed_in.post(
        "/o/revoke/", {"token": tokens["access_token"], "client_id": other.client_id}
    )

    assert response.status_code == 200  # RFC 7009: says nothing either way
    assert userinfo(signed_in, tokens["access_token"]).status_code == 200


@pytest.fixture
def resource_server(make_app):
    return make_app(
        "API",
        client_type="confidential",
        may_introspect=True,
        authorization_grant_type="client-credentials",
        redirect_uris="",
    )


def introspect(client, server, token, secret=None):
    return client.post(
        "/o/introspect/",
        {"token": token},
        HTTP_AUTHORIZATION=basic(server.client_id, secret or server.secret),
    )


def basic(client_id, secret):
    import base64

    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def test_a_resource_server_introspects_an_access_token(
    signed_in, user, app, resource_server, tokens
):
    answer = introspect(signed_in, resource_server, tokens["access_token"]).json()

    assert answer["active"] is True
    assert answer["sub"] == str(user.public_id)
    assert answer["client_id"] == app.client_id
    assert answer["scope"] == "openid profile email"
    assert answer["iss"] == app_settings.SITE_URL + "/o"


def test_only_apps_marked_may_introspect_may_introspect(
    signed_in, make_app, resource_server, tokens
):
    plain = make_app("Tracker", client_type="confidential")

    not_marked = introspect(signed_in, plain, tokens["access_token"])
    wrong_secret = introspect(signed_in, resource_server, tokens["access_token"], "x")
    anonymous = signed_in.post("/o/introspect/", {"token": tokens["access_token"]})
    by_get = signed_in.get(
        "/o/introspect/",
        {"token": tokens["access_token"]},
        HTTP_AUTHORIZATION=basic(resource_server.client_id, resource_server.secret),
    )

    assert not_marked.status_code == wrong_secret.status_code == 401
    assert anonymous.status_code == 401
    assert by_get.status_code == 405


def test_introspection_says_inactive_for_revoked_and_unknown_tokens(
    signed_in, app, resource_server, tokens
):
    refresh(signed_in, app, tokens["refresh_token"])

    assert introspect(signed_in, resource_server, tokens["access_token"]).json() == {
        "active": False
    }
    assert introspect(signed_in, resource_server, "nonsense").json() == {
        "active": False
    }


def test_apps_call_the_token_endpoints_without_a_csrf_token(
    signed_in, app, code_for, resource_server
):
    request, code = code_for(app)
    server_side = Client(enforce_csrf_checks=True)

    tokens = exchange(server_side, request, code)
    refreshed = refresh(server_side, app, tokens.json()["refresh_token"])
    claims = server_side.post(
        "/o/userinfo/",
        HTTP_AUTHORIZATION=f"Bearer {refreshed.json()['access_token']}",
    )
    introspected = introspect(server_side, resource_server, "x")
    revoked = server_side.post("/o/revoke/", {"token": "x", "client_id": app.client_id})

    assert tokens.status_code == refreshed.status_code == 200
    assert claims.status_code == introspected.status_code == revoked.status_code == 200


# RATE LIMITS ---------------------------------------------------------------------


@override_settings(AUTHSITE_RATELIMIT_OIDC_TOKEN="3/m")
def test_the_token_endpoint_is_rate_limited_per_address(app, make_app):
    browser = Client()
    for name in ["A", "B", "C"]:
        assert browser.post(TOKEN_URL, {"client_id": name}).status_code == 400

    response = browser.post(TOKEN_URL, {"client_id": "D"})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"] == "too_many_requests"


@override_settings(AUTHSITE_RATELIMIT_OIDC_TOKEN="3/m")
def test_the_token_endpoint_is_rate_limited_per_client(app):
    for address in ["192.0.2.1", "192.0.2.2", "192.0.2.3"]:
        Client(REMOTE_ADDR=address).post(TOKEN_URL, {"client_id": app.client_id})

    response = Client(REMOTE_ADDR="192.0.2.4").post(
        TOKEN_URL,
        {"client_id": "x"},
        HTTP_AUTHORIZATION=basic(app.client_id, "guess"),
    )

    assert response.status_code == 429


# WHEN TOKENS DIE -------------------------------------------------------------------


def test_removing_an_apps_access_kills_its_tokens_at_once(signed_in, user, app, tokens):
    page = signed_in.get(reverse("accounts:connected_apps")).content.decode()
    assert "Wiki" in page
    connected = ConnectedApp.objects.get(user=user, application=app)

    response = signed_in.post(
        reverse("accounts:connected_app_remove", args=[connected.pk])
    )

    assert response["Location"] == reverse("accounts:connected_apps")
    assert dead(signed_in, app, tokens)
    assert not ConnectedApp.objects.filter(pk=connected.pk).exists()
    assert events(user, "app_access_removed")[0].detail["app"] == "Wiki"
    assert (
        "App access removed by you: Wiki"
        in signed_in.get(reverse("accounts:activity")).content.decode()
    )
    # Consent is asked again.
    assert signed_in.get(Request(app).url).status_code == 200


def test_another_users_connected_app_cannot_be_removed(
    signed_in, user, app, tokens, make_user, password
):
    make_user("bob")
    bob = Client()
    bob.post(LOGIN_URL, {"username": "bob", "password": password})
    connected = ConnectedApp.objects.get(user=user, application=app)

    response = bob.post(reverse("accounts:connected_app_remove", args=[connected.pk]))
    by_get = signed_in.get(
        reverse("accounts:connected_app_remove", args=[connected.pk])
    )

    assert response.status_code == 404
    assert by_get.status_code == 405
    assert userinfo(signed_in, tokens["access_token"]).status_code == 200


def test_changing_the_password_kills_every_apps_tokens_and_pending_codes(
    signed_in, user, app, tokens, code_for, password
):
    _request, pending_code = code_for(app)

    signed_in.post(
        reverse("accounts:password_change"),
        {
            "old_password": password,
            "new_password1": "a brand new passphrase 42",
            "new_password2": "a brand new passphrase 42",
        },
    )

    assert dead(signed_in, app, tokens)
    assert not Grant.objects.filter(code=pending_code).exists()
    assert events(user, "app_access_ended")[0].detail["reason"] == "password_changed"
    # The connection (consent) stays: the app signs in again without asking.
    assert ConnectedApp.objects.filter(user=user, application=app).exists()


def test_resetting_the_password_kills_every_apps_tokens(
    client, signed_in, user, app, tokens, mailoutbox, link_in_mail
):
    Client().post(reverse("accounts:password_reset"), {"email": user.email})
    link = link_in_mail(mailoutbox[-1], "/accounts/reset/")
    form_url = client.get(link)["Location"]
    client.post(
        form_url,
        {
            "new_password1": "a brand new passphrase 42",
            "new_password2": "a brand new passphrase 42",
        },
    )

    assert dead(Client(), app, tokens)
    assert events(user, "app_access_ended")[0].detail["reason"] == "password_reset"


def test_signing_out_everywhere_kills_every_apps_tokens(signed_in, user, app, tokens):
    signed_in.post(reverse("accounts:session_end_others"))

    assert dead(signed_in, app, tokens)
    assert (
        events(user, "app_access_ended")[0].detail["reason"] == "signed_out_everywhere"
    )


def test_deactivating_the_account_kills_its_tokens(user, app, tokens):
    user.is_active = False
    user.save()

    browser = Client()
    assert dead(browser, app, tokens)
    assert events(user, "app_access_ended")[0].detail["reason"] == "deactivated"


def test_tokens_of_an_inactive_account_are_refused_whatever_the_way(
    user, app, tokens, resource_server
):
    type(user).objects.filter(pk=user.pk).update(is_active=False)  # no save()

    browser = Client()
    assert dead(browser, app, tokens)
    assert introspect(browser, resource_server, tokens["access_token"]).json() == {
        "active": False
    }


def test_deleting_the_account_deletes_its_tokens_and_sign_ins(
    signed_in, user, app, tokens, password
):
    signed_in.post(reverse("accounts:account_delete"), {"password": password})

    assert dead(Client(), app, tokens)
    for model in (AccessToken, RefreshToken, IDToken, Grant, AppSignIn, ConnectedApp):
        assert not model.objects.exists(), model


def test_an_admin_ending_all_sessions_kills_app_tokens_too(
    user, app, tokens, make_user
):
    admin = make_user("root", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)

    browser.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "end_all_sessions", "_selected_action": [user.pk]},
    )

    assert dead(browser, app, tokens)


def test_every_grant_is_in_the_activity_with_the_app(signed_in, user, tokens):
    page = signed_in.get(reverse("accounts:activity")).content.decode()

    assert "Signed in to an app: Wiki" in page
    [event] = events(user, "app_authorized")
    assert event.detail["scopes"] == ["email", "openid", "profile"]


# LOGOUT (RP-INITIATED) ---------------------------------------------------------------


def test_an_app_signs_the_user_out_with_its_id_token(
    signed_in, user, make_app, code_for
):
    app = make_app(
        "Wiki", post_logout_redirect_uris="https://wiki.example.com/signed-out"
    )
    request, code = code_for(app)
    tokens = exchange(signed_in, request, code).json()

    response = signed_in.get(
        "/o/logout/",
        {
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": "https://wiki.example.com/signed-out",
            "state": "bye",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "https://wiki.example.com/signed-out?state=bye"
    assert "_auth_user_id" not in signed_in.session
    assert dead(signed_in, app, tokens)
    assert events(user, "app_signed_out")[0].detail["reason"] == "logout"


def test_a_logout_without_an_id_token_asks_first(signed_in, app):
    response = signed_in.get("/o/logout/", {"client_id": app.client_id})

    assert response.status_code == 200
    assert "Wiki asks to sign you out of this site too" in response.content.decode()
    assert "_auth_user_id" in signed_in.session


@pytest.mark.parametrize(
    "params",
    [
        {"client_id": "nobody"},
        {"id_token_hint": "not.a.token"},
        {"post_logout_redirect_uri": "https://evil.example/"},
    ],
)
def test_a_bad_logout_request_gets_an_error_page_not_a_500(signed_in, app, params):
    response = signed_in.get("/o/logout/", params)

    assert response.status_code == 400
    assert "This sign-out request cannot be used" in response.content.decode()
    assert "_auth_user_id" in signed_in.session


def test_cleartokens_forgets_sign_ins_whose_tokens_are_all_gone(
    signed_in, app, tokens, code_for, clock
):
    from io import StringIO

    from django.core.management import call_command

    _request, _unused_code = code_for(app)
    clock.advance(days=2)
    out = StringIO()

    call_command("cleartokens", stdout=out, stderr=StringIO())

    # The exchanged code's family lives on; the unused code's sign-in goes.
    assert AppSignIn.objects.count() == 1
    assert "Forgot 1 finished app sign-ins." in out.getvalue()
    assert refresh(signed_in, app, tokens["refresh_token"]).status_code == 200
