import datetime
import re
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

User = get_user_model()
RESET_URL = reverse("accounts:password_reset")
DONE_URL = reverse("accounts:password_reset_done")
COMPLETE_URL = reverse("accounts:password_reset_complete")
DASHBOARD_URL = reverse("accounts:dashboard")
NEW_PASSWORD = "violet-harbour-91-lantern"


def request_reset(client, email="alice@example.com", **extra):
    return client.post(RESET_URL, {"email": email}, **extra)


def set_new_password(client, link, new=NEW_PASSWORD):
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"], "reset link was refused"
    set_password_url = form_page.redirect_chain[-1][0]
    return client.post(set_password_url, {"new_password1": new, "new_password2": new})


def test_reset_flow_sets_the_password_and_ends_every_session(
    client,
    user,
    password,
    link_in_mail,
    signals_sent,
    signed_in_client,
):
    laptop = signed_in_client(password)
    phone = signed_in_client(password)
    mail.outbox.clear()  # sign-in notices, not what this test is about

    response = request_reset(client, "ALICE@example.com")
    assert response.url == DONE_URL
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.alternatives[0][1] == "text/html"
    link = link_in_mail(message, "/accounts/reset/")
    done = set_new_password(client, link)

    assert done.status_code == 302
    assert done.url == COMPLETE_URL
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    for old in (laptop, phone):
        assert old.get(DASHBOARD_URL).status_code == 302
    assert [s["user"] for s in signals_sent["password_reset_completed"]] == [user]
    (requested,) = signals_sent["password_reset_requested"]
    assert requested["user"] == user
    assert requested["email"] == "ALICE@example.com"
    assert signed_in_client(NEW_PASSWORD).get(DASHBOARD_URL).status_code == 200


def test_reset_responses_are_identical_for_known_and_unknown_emails(
    client, user, signals_sent
):
    known = request_reset(client, "alice@example.com", follow=True)
    unknown = request_reset(client, "nobody@example.com", follow=True)

    assert known.redirect_chain == unknown.redirect_chain == [(DONE_URL, 302)]

    def normalise(r):
        return re.sub(r'value="[^"]+"', "", r.content.decode())

    assert normalise(known) == normalise(unknown)
    # One email each, so a slow mail server times both alike.
    assert [m.to for m in mail.outbox] == [
        ["alice@example.com"],
        ["nobody@example.com"],
    ]
    assert [
        (s["email"], s["user"]) for s in signals_sent["password_reset_requested"]
    ] == [
        ("alice@example.com", user),
        ("nobody@example.com", None),
    ]


def test_unknown_address_is_told_that_no_account_uses_it(client, user):
    request_reset(client, "nobody@example.com")

    (message,) = mail.outbox
    assert message.to == ["nobody@example.com"]
    assert message.subject == "We could not send a password reset link"
    assert "no active account here that signs in with a password" in message.body
    assert "/accounts/signup/" in message.body
    assert "/accounts/reset/" not in message.body


def test_account_without_a_usable_password_gets_no_reset_link(client, user):
    user.set_unusable_password()
    user.save()

    request_reset(client)

    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "We could not send a password reset link"
    assert "/accounts/reset/" not in message.body


def test_inactive_user_gets_no_reset_link(client, make_user):
    make_user("alice", is_active=False)

    response = request_reset(client)

    assert response.url == DONE_URL
    (message,) = mail.outbox
    assert message.subject == "We could not send a password reset link"
    assert "/accounts/reset/" not in message.body + message.alternatives[0][0]


@override_settings(AUTHSITE_SITE_URL="https://auth.example.com", ALLOWED_HOSTS=["*"])
def test_reset_link_uses_the_site_url_even_with_a_forged_host(client, user):
    request_reset(client, HTTP_HOST="evil.example")

    (message,) = mail.outbox
    html = message.alternatives[0][0]
    assert "evil.example" not in message.body
    assert "evil.example" not in html
    assert "https://auth.example.com/accounts/reset/" in message.body
    assert 'href="https://auth.example.com/accounts/reset/' in html


def test_reset_link_works_only_once(client, user, link_in_mail):
    request_reset(client)
    link = link_in_mail(mail.outbox[0], "/accounts/reset/")
    set_new_password(client, link)

    second = Client().get(link, follow=True)

    assert second.status_code == 400
    assert not second.context["validlink"]
    assert "This link cannot be used" in second.content.decode()


def test_reset_link_expires_after_the_timeout(client, user, link_in_mail, settings):
    assert settings.PASSWORD_RESET_TIMEOUT == 60 * 60
    request_reset(client)
    link = link_in_mail(mail.outbox[0], "/accounts/reset/")
    generator = PasswordResetTokenGenerator()
    later = generator._now() + datetime.timedelta(hours=1, seconds=1)

    with mock.patch.object(PasswordResetTokenGenerator, "_now", return_value=later):
        response = client.get(link, follow=True)

    assert not response.context["validlink"]
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery-staple")


def test_tampered_reset_link_is_rejected(client, user, link_in_mail):
    request_reset(client)
    link = link_in_mail(mail.outbox[0], "/accounts/reset/")

    response = client.get(link[:-3] + "zz/", follow=True)

    assert response.status_code == 400
    assert not response.context["validlink"]


def test_reset_link_proves_the_address_of_an_unverified_user(
    client, make_user, link_in_mail
):
    carol = make_user("carol", email_verified=False)
    request_reset(client, "carol@example.com")

    set_new_password(client, link_in_mail(mail.outbox[0], "/accounts/reset/"))

    carol.refresh_from_db()
    assert carol.email_verified


def test_login_page_links_to_reset_and_sign_up(client):
    body = client.get(reverse("accounts:login")).content.decode()

    assert RESET_URL in body
    assert reverse("accounts:signup") in body


@pytest.mark.parametrize(
    "data", [{}, {"email": ""}, {"email": "nope"}, {"email": "a" * 10_000 + "@x.io"}]
)
def test_bad_reset_request_gets_a_form_error_not_a_500(client, data):
    response = client.post(RESET_URL, data)

    assert response.status_code == 200
    assert 'id="id_email_error"' in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "new_password1"),
        (
            {"new_password1": NEW_PASSWORD, "new_password2": "other-thing-99"},
            "new_password2",
        ),
        ({"new_password1": "123", "new_password2": "123"}, "new_password1"),
        ({"new_password1": "p" * 10_000, "new_password2": "q"}, "new_password2"),
    ],
)
def test_bad_new_password_gets_a_form_error_not_a_500(
    client, user, link_in_mail, data, field
):
    request_reset(client)
    page = client.get(link_in_mail(mail.outbox[0], "/accounts/reset/"), follow=True)

    response = client.post(page.redirect_chain[-1][0], data)

    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery-staple")


REFUSING_MAIL_SERVER = override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="127.0.0.1",
    EMAIL_PORT=9,  # discard port: nothing listens, the connection is refused
    EMAIL_TIMEOUT=2,
)


@REFUSING_MAIL_SERVER
def test_a_refusing_mail_server_does_not_tell_known_from_unknown_emails(
    client, user, caplog
):
    known = request_reset(client, "alice@example.com")
    unknown = request_reset(client, "nobody@example.com")

    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert known.url == DONE_URL
    assert "Could not send the password_reset email" in caplog.text


def test_completing_a_reset_while_signed_in_ends_this_session_too(
    user,
    password,
    link_in_mail,
    signed_in_client,
):
    browser = signed_in_client(password)
    mail.outbox.clear()
    request_reset(browser, "alice@example.com")
    link = link_in_mail(mail.outbox[0], "/accounts/reset/")

    done = set_new_password(browser, link)

    assert done.status_code == 302
    assert done.url == COMPLETE_URL
    assert browser.get(COMPLETE_URL).status_code == 200
    assert browser.get(DASHBOARD_URL).status_code == 302
