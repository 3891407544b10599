"""Dangerous changes ask "is it you?" again once the last sign-in is stale."""

import pytest
from django.urls import reverse

from accounts.conf import app_settings

from .conftest import post_login

pytestmark = pytest.mark.django_db

REAUTH_URL = reverse("accounts:reauthenticate")


@pytest.fixture
def signed_in(client, user, password):
    post_login(client, password=password)
    return client


@pytest.mark.parametrize("url_name", ["password_change", "two_factor_disable"])
def test_stale_sign_in_is_sent_to_reauthenticate_first(signed_in, clock, url_name):
    url = reverse(f"accounts:{url_name}")
    assert signed_in.get(url).status_code in (200, 302)

    clock.advance(minutes=6)
    response = signed_in.get(url)

    assert response.status_code == 302
    assert response.url == f"{REAUTH_URL}?next={url}"


def test_fresh_sign_in_changes_the_password_without_asking_again(signed_in, password):
    response = signed_in.get(reverse("accounts:password_change"))

    assert response.status_code == 200


def test_reauthenticating_with_the_password_lets_the_change_through(
    signed_in, clock, password
):
    url = reverse("accounts:password_change")
    clock.advance(minutes=6)

    wrong = signed_in.post(REAUTH_URL + f"?next={url}", {"password": "nope"})
    right = signed_in.post(REAUTH_URL, {"password": password, "next": url})

    assert "Your password or code was not correct." in wrong.content.decode()
    assert right.status_code == 302
    assert right.url == url
    assert signed_in.get(url).status_code == 200


def test_reauthentication_ignores_an_unsafe_next(signed_in, password):
    response = signed_in.post(
        REAUTH_URL, {"password": password, "next": "https://evil.example/"}
    )

    assert response.url == reverse("accounts:dashboard")


def test_changing_the_email_with_a_stale_sign_in_asks_to_reauthenticate(
    signed_in, clock, user, mailoutbox
):
    clock.advance(minutes=6)
    mailoutbox.clear()

    response = signed_in.post(
        reverse("accounts:profile"),
        {"first_name": "Al", "last_name": "", "email": "new@example.com"},
    )

    assert response.status_code == 302
    assert response.url.startswith(REAUTH_URL)
    assert mailoutbox == []
    user.refresh_from_db()
    assert user.email == "alice@example.com"


def test_changing_only_the_name_needs_no_reauthentication(signed_in, clock, user):
    clock.advance(minutes=6)

    signed_in.post(
        reverse("accounts:profile"),
        {"first_name": "Alice", "last_name": "Liddell", "email": "alice@example.com"},
    )

    user.refresh_from_db()
    assert user.get_full_name() == "Alice Liddell"


def test_reauthentication_page_renders_in_korean(signed_in):
    page = signed_in.get(REAUTH_URL, HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    assert "본인 확인" in page
    assert "Confirm it's you" not in page


def test_deleting_the_account_always_asks_for_the_password(signed_in, user):
    response = signed_in.post(reverse("accounts:account_delete"), {"password": ""})

    assert response.status_code == 200
    assert type(user).objects.filter(pk=user.pk).exists()


def test_wrong_reauthentication_passwords_count_towards_the_lockout(
    signed_in, password
):
    for _attempt in range(5):
        signed_in.post(REAUTH_URL, {"password": "wrong"})

    locked = signed_in.post(REAUTH_URL, {"password": password})

    assert locked.status_code == 429


def test_a_rehash_during_reauthentication_keeps_the_session(
    signed_in, clock, password, settings
):
    clock.advance(minutes=6)
    app_settings.ARGON2_TIME_COST = 2  # the stored hash is upgraded at this check

    response = signed_in.post(
        REAUTH_URL, {"password": password, "next": reverse("accounts:password_change")}
    )

    assert response.url == reverse("accounts:password_change")
    assert signed_in.get(response.url).status_code == 200


@pytest.mark.parametrize(
    "url_name", ["dashboard", "sessions", "activity", "profile", "two_factor"]
)
def test_signed_in_pages_are_never_cached(signed_in, url_name):
    response = signed_in.get(reverse(f"accounts:{url_name}"))

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
