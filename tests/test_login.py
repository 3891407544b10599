import re
from unittest import mock

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from accounts.security.hashers import Argon2PasswordHasher

from .conftest import LOGIN_URL, post_login

pytestmark = pytest.mark.django_db

DASHBOARD_URL = reverse("accounts:dashboard")


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


@pytest.mark.parametrize("identifier", ["alice", "ALICE", "Alice"])
def test_login_by_username_in_any_case(client, user, password, identifier):
    response = post_login(client, identifier, password)

    assert response.status_code == 302
    assert response.url == DASHBOARD_URL
    assert logged_in_user_id(client) == str(user.pk)


@pytest.mark.parametrize(
    "identifier", ["alice@example.com", "ALICE@EXAMPLE.COM", " Alice@Example.com "]
)
def test_login_by_email_in_any_case(client, user, password, identifier):
    response = post_login(client, identifier, password)

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


def _normalised_body(response, typed):
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", body)
    return body.replace(typed, "TYPED")


def test_wrong_password_unknown_user_and_inactive_user_look_identical(
    client, make_user, password
):
    make_user("alice")
    make_user("carol", is_active=False)

    wrong_password = post_login(client, "alice", "not-the-password")
    unknown_user = post_login(client, "nobody", password)
    inactive_user = post_login(client, "carol", password)

    assert {r.status_code for r in (wrong_password, unknown_user, inactive_user)} == {
        200
    }
    assert "Please enter a correct username or email address and password." in (
        wrong_password.content.decode()
    )
    expected = _normalised_body(wrong_password, "alice")
    assert _normalised_body(unknown_user, "nobody") == expected
    assert _normalised_body(inactive_user, "carol") == expected
    assert logged_in_user_id(client) is None


def test_session_key_changes_at_login(client, user, password):
    session = client.session
    session["theme"] = "dark"
    session.save()
    anonymous_key = client.cookies["sessionid"].value

    post_login(client, "alice", password)

    assert client.cookies["sessionid"].value != anonymous_key
    assert logged_in_user_id(client) == str(user.pk)


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "///evil.example/",
        "javascript:alert(1)",
        "http://testserver@evil.example/",
    ],
)
def test_unsafe_next_is_ignored(client, user, password, next_url):
    response = post_login(client, "alice", password, fields={"next": next_url})

    assert response.status_code == 302
    assert response.url == DASHBOARD_URL


def test_safe_next_is_followed(client, user, password):
    response = post_login(client, "alice", password, fields={"next": "/admin/"})

    assert response.url == "/admin/"


def test_login_page_redirects_a_signed_in_user(logged_in_client):
    response = logged_in_client.get(LOGIN_URL)

    assert response.status_code == 302
    assert response.url == DASHBOARD_URL


def test_login_post_without_csrf_token_is_rejected(user, password):
    client = Client(enforce_csrf_checks=True)

    response = post_login(client, "alice", password)

    assert response.status_code == 403
    assert logged_in_user_id(client) is None


def _count_hashes(run):
    """Run ``run()`` and return how many Argon2 operations it performed."""
    with (
        mock.patch.object(
            Argon2PasswordHasher,
            "encode",
            autospec=True,
            side_effect=Argon2PasswordHasher.encode,
        ) as encode,
        mock.patch.object(
            Argon2PasswordHasher,
            "verify",
            autospec=True,
            side_effect=Argon2PasswordHasher.verify,
        ) as verify,
    ):
        run()
    return encode.call_count + verify.call_count


def test_unknown_username_costs_one_password_hash_like_a_known_one(
    client, user, password
):
    known = _count_hashes(lambda: post_login(client, "alice", "wrong-password"))
    unknown = _count_hashes(lambda: post_login(client, "nobody", "wrong-password"))
    unknown_email = _count_hashes(
        lambda: post_login(client, "nobody@example.com", "wrong-password")
    )

    assert known == unknown == unknown_email == 1


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"username": "", "password": ""},
        {"username": "a" * 10_000, "password": "x"},
        {"username": "alice", "password": "p" * 10_000},
        {"username": "\x00", "password": "x"},
    ],
)
def test_bad_login_input_gets_a_form_error_not_a_500(client, user, data):
    response = client.post(LOGIN_URL, data)

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert logged_in_user_id(client) is None


@pytest.mark.parametrize("name", ["Émile", "Ørjan", "김민준", "ÉMILE"])
def test_non_ascii_usernames_sign_in_as_typed(client, make_user, password, name):
    user = make_user(name, email="someone@example.com")

    response = post_login(client, name, password)

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


def test_the_empty_form_rendered_once_per_language_keeps_each_visitor_s_token(client):
    english = client.get(LOGIN_URL).content.decode()
    korean = Client().get(LOGIN_URL, HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    assert "Username or email" in english
    assert "사용자 이름 또는 이메일" in korean
    assert "Username or email" not in korean
    token = r'name="csrfmiddlewaretoken" value="([^"]+)"'
    assert re.search(token, english)[1] != re.search(token, korean)[1]
