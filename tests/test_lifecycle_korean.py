"""Account pages and emails render entirely in Korean for a Korean browser.

"Entirely" is checked against the catalogue itself: no English source string
(msgid) of the Korean catalogue may appear in the page or the email.
"""

import re
from pathlib import Path

import polib
import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from accounts.lifecycle.tokens import email_change_token, email_verification_token

pytestmark = pytest.mark.django_db

PO_FILE = Path(__file__).resolve().parent.parent / "locale/ko/LC_MESSAGES/django.po"
KO = {"HTTP_ACCEPT_LANGUAGE": "ko"}
NEW_PASSWORD = "violet-harbour-91-lantern"


def _english_fragments():
    fragments = set()
    for entry in polib.pofile(str(PO_FILE)):
        for msgid in (entry.msgid, entry.msgid_plural):
            # Text between placeholders, long enough not to match by accident.
            for part in re.split(r"%\([a-z_]+\)[sd]|%[sd]", msgid or ""):
                part = part.strip(" ,.:;")
                if len(part) >= 8 and part not in {"authsite"}:
                    fragments.add(part)
    return fragments


ENGLISH = _english_fragments()


def assert_korean(text):
    text = re.sub(r"<[^>]+>", " ", text)  # only what a reader sees
    leftovers = sorted(f for f in ENGLISH if f in text)
    assert leftovers == []


def test_catalogue_based_check_catches_english():
    with pytest.raises(AssertionError):
        assert_korean("<p>Check your inbox</p>")


@pytest.mark.parametrize(
    "url_name",
    [
        "accounts:login",
        "accounts:signup",
        "accounts:signup_done",
        "accounts:resend_verification",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_complete",
    ],
)
def test_public_account_pages_render_in_korean(client, url_name):
    response = client.get(reverse(url_name), **KO)

    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ko">' in body
    assert_korean(body)


@pytest.mark.parametrize(
    "url_name",
    [
        "accounts:dashboard",
        "accounts:profile",
        "accounts:password_change",
        "accounts:account_delete",
    ],
)
def test_signed_in_pages_render_in_korean(logged_in_client, url_name):
    response = logged_in_client.get(reverse(url_name), **KO)

    assert response.status_code == 200
    assert_korean(response.content.decode())


@override_settings(AUTHSITE_EMAIL_VERIFICATION="optional")
def test_unverified_banner_renders_in_korean(client, make_user):
    client.force_login(make_user("carol", email_verified=False))

    body = client.get(reverse("accounts:dashboard"), **KO).content.decode()

    assert "carol@example.com" in body
    assert_korean(body)


def test_form_errors_and_login_refusal_render_in_korean(client, make_user, password):
    make_user("carol", email_verified=False)

    refused = client.post(
        reverse("accounts:login"), {"username": "carol", "password": password}, **KO
    )
    bad_signup = client.post(
        reverse("accounts:signup"),
        {"username": "a@b", "email": "x", "password1": "1", "password2": "2"},
        **KO,
    )

    assert 'role="alert"' in refused.content.decode()
    assert_korean(refused.content.decode())
    assert_korean(bad_signup.content.decode())


def test_link_pages_render_in_korean(client, make_user):
    carol = make_user("carol", email_verified=False)
    verify = reverse(
        "accounts:verify_email", args=[email_verification_token.make_token(carol)]
    )
    client.force_login(carol)
    change = reverse(
        "accounts:email_change_confirm",
        args=[email_change_token.make_token(carol, "c@new.example")],
    )

    for path in (verify, change, reverse("accounts:verify_email", args=["bad"])):
        assert_korean(client.get(path, **KO).content.decode())
    reset = client.get(
        reverse("accounts:password_reset_confirm", args=["MQ", "bad-token"]), **KO
    )
    assert_korean(reset.content.decode())


def test_emails_are_written_in_korean(client, make_user, password, link_in_mail):
    alice = make_user("alice")
    mail_client = Client(**KO)
    mail_client.post(
        reverse("accounts:signup"),
        {
            "username": "carol",
            "email": "carol@example.com",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    mail_client.post(
        reverse("accounts:signup"),
        {
            "username": "mallory",
            "email": "alice@example.com",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    mail_client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
    mail_client.force_login(alice)
    mail_client.post(
        reverse("accounts:password_change"),
        {
            "old_password": password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    mail_client.post(
        reverse("accounts:profile"),
        {"first_name": "", "last_name": "", "email": "alice@new.example"},
    )
    mail_client.post(link_in_mail(mail.outbox[-1], "/accounts/email/confirm/"))
    mail_client.post(reverse("accounts:account_delete"), {"password": NEW_PASSWORD})

    subjects = [m.subject for m in mail.outbox]
    assert len(mail.outbox) == 7, subjects
    for message in mail.outbox:
        assert_korean(message.subject)
        assert_korean(message.body)
        html = message.alternatives[0][0]
        assert '<html lang="ko">' in html
        assert_korean(html)
