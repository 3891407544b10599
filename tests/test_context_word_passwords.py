"""A password made of words tied to the site or the account is refused.

NIST SP 800-63B (5.1.1.2) asks verifiers to refuse "context-specific
words, such as the name of the service, the username, and derivatives
thereof": "authsite2026" is as good as known to anyone who targets the site.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

User = get_user_model()
MESSAGE = "This password is made of words tied to this site or to your account"


def sign_up(client, password, username="carol", email="carol@example.com"):
    return client.post(
        reverse("accounts:signup"),
        {
            "username": username,
            "email": email,
            "password1": password,
            "password2": password,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.mark.parametrize(
    ("password", "username", "email"),
    [
        ("authsite2026", "carol", "carol@example.com"),  # the site's name
        ("AuthSite-2026!", "carol", "carol@example.com"),
        ("4uth5ite2026", "carol", "carol@example.com"),  # letters swapped for digits
        ("marmalade1987!", "marmalade", "carol@example.com"),  # the username
        ("fennimore.quist77", "carol", "fennimore.quist@example.com"),  # local part
        ("quist-fennimore", "carol", "fennimore.quist@example.com"),
        ("blueharbour2026", "carol", "carol@blueharbour.example"),  # the domain
    ],
)
def test_sign_up_refuses_a_password_made_of_context_words(
    client, password, username, email
):
    response = sign_up(client, password, username=username, email=email)

    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert not User.objects.filter(username=username).exists()


def test_a_site_word_from_the_settings_counts_too(client, settings):
    settings.AUTHSITE_PASSWORD_CONTEXT_WORDS = ["Globexcorp"]

    response = sign_up(client, "globexcorp#2026")

    assert MESSAGE in response.content.decode()


def test_the_site_name_is_the_authenticator_issuer(client, settings):
    settings.OTP_TOTP_ISSUER = "Initech Login"

    assert MESSAGE in sign_up(client, "initech-2026").content.decode()
    assert MESSAGE in sign_up(client, "initechlogin99").content.decode()


@pytest.mark.parametrize(
    "password",
    ["my-authsite-passphrase-is-long", "carolina-sunrise-42", "violet-harbour-91"],
)
def test_a_passphrase_that_merely_contains_a_context_word_is_accepted(client, password):
    assert sign_up(client, password).status_code == 302


def test_the_message_is_in_korean_on_a_korean_page(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "carol",
            "email": "carol@example.com",
            "password1": "authsite2026",
            "password2": "authsite2026",
        },
        HTTP_ACCEPT_LANGUAGE="ko",
    )

    assert "이 비밀번호는 이 사이트나 계정과 관련된 단어로 만들어져" in (
        response.content.decode()
    )


def test_password_change_refuses_the_username_and_a_year(
    user, password, signed_in_client
):
    browser = signed_in_client()

    response = browser.post(
        reverse("accounts:password_change"),
        {
            "old_password": password,
            "new_password1": "Alice.2026!",
            "new_password2": "Alice.2026!",
        },
    )

    assert MESSAGE in response.content.decode()


def test_createsuperuser_refuses_the_site_name(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "authsite2026")

    with pytest.raises(CommandError, match=MESSAGE):
        call_command(
            "createsuperuser",
            "--noinput",
            username="root",
            email="root@example.com",
            verbosity=0,
        )
