"""Clearer dead ends: used and invalid links say what happened and what next
(issue 17)."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.conf import app_settings
from accounts.lifecycle.tokens import email_verification_token

pytestmark = pytest.mark.django_db

KO = {"HTTP_ACCEPT_LANGUAGE": "ko"}
LOGIN_URL = reverse("accounts:login")
RESET_URL = reverse("accounts:password_reset")
NEW_PASSWORD = "a-new-and-quite-long-passphrase"


def title_and_heading(body: str) -> tuple[str, str]:
    title = re.search(r"<title>(.*?) · authsite</title>", body, re.S)[1].strip()
    heading = re.search(r"<h1>(.*?)</h1>", body, re.S)[1].strip()
    return title, heading


@pytest.fixture
def unconfirmed(make_user):
    return make_user("carol", email_verified=False)


def test_a_confirmation_link_opened_again_says_the_address_is_confirmed(
    client, unconfirmed
):
    link = reverse(
        "accounts:verify_email", args=[email_verification_token.make_token(unconfirmed)]
    )
    client.post(link)

    again = client.get(link)

    body = again.content.decode()
    assert again.status_code == 200
    assert title_and_heading(body) == ("Your email address is already confirmed",) * 2
    assert f'href="{LOGIN_URL}"' in body
    assert "This link cannot be used" not in body
    assert client.post(link).status_code == 200
    korean = client.get(link, **KO).content.decode()
    assert "이메일 주소가 이미 확인되었습니다" in korean


def test_a_signed_in_user_reopening_the_link_is_offered_their_account(
    client, unconfirmed
):
    link = reverse(
        "accounts:verify_email", args=[email_verification_token.make_token(unconfirmed)]
    )
    client.post(link)
    client.force_login(unconfirmed)

    body = client.get(link).content.decode()

    assert "Your email address is already confirmed" in body
    assert f'href="{reverse("accounts:dashboard")}"' in body


def test_a_forged_or_stale_confirmation_link_still_cannot_be_used(client, unconfirmed):
    token = email_verification_token.make_token(unconfirmed)
    unconfirmed.email = "someone-else@example.com"
    unconfirmed.email_verified = True
    unconfirmed.save()

    for link in (
        reverse("accounts:verify_email", args=[token]),
        reverse("accounts:verify_email", args=[token[:-2] + "xx"]),
    ):
        response = client.get(link)
        assert response.status_code == 400
        assert "already confirmed" not in response.content.decode()


def test_a_used_reset_link_has_the_title_of_what_it_says(client, user):
    link = reverse(
        "accounts:password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    form_url = client.get(link).url
    client.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    used = Client().get(link, follow=True)

    body = used.content.decode()
    assert used.status_code == 400
    assert title_and_heading(body) == ("This link cannot be used",) * 2
    assert f'href="{RESET_URL}"' in body


@pytest.fixture
def not_me_link(user, password):
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    Client().post(LOGIN_URL, {"username": "alice", "password": password})
    url = re.search(r"http://\S+/accounts/not-me/\S+/", mail.outbox[-1].body)[0]
    return url.removeprefix(app_settings.SITE_URL)


def test_the_invalid_this_wasnt_me_page_has_the_buttons_it_mentions(client):
    response = client.get(reverse("accounts:end_session", args=["garbage"]))

    body = response.content.decode()
    assert response.status_code == 400
    assert "sign in and change your password, or reset it" in body
    assert f'class="button-primary-inline" href="{LOGIN_URL}"' in body
    assert f'class="button-secondary" href="{RESET_URL}"' in body


def test_signed_in_the_invalid_page_offers_the_password_change(logged_in_client):
    body = logged_in_client.get(
        reverse("accounts:end_session", args=["garbage"])
    ).content.decode()

    assert f'href="{reverse("accounts:password_change")}"' in body
    assert f'href="{RESET_URL}"' in body


def test_a_used_this_wasnt_me_link_says_the_session_was_already_ended(not_me_link):
    Client().post(not_me_link)

    again = Client().get(not_me_link)

    body = again.content.decode()
    assert again.status_code == 200
    assert title_and_heading(body) == ("That sign-in has already ended",) * 2
    assert f'href="{RESET_URL}"' in body
    assert 'type="submit" class="button-danger"' not in body
    korean = Client().get(not_me_link, **KO).content.decode()
    assert "이미 종료된 로그인입니다" in korean


def test_an_unused_this_wasnt_me_link_still_offers_to_end_the_sign_in(not_me_link):
    body = Client().get(not_me_link).content.decode()

    assert "End that sign-in" in body
    assert "already ended" not in body
