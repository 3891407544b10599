import re
import time
from functools import partial
from unittest import mock

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail, signing
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.conf import app_settings
from accounts.login import known_browsers
from accounts.models import AuthEvent

from .conftest import LOGIN_URL, post_login

pytestmark = pytest.mark.django_db

LOGOUT_URL = reverse("accounts:logout")
DASHBOARD_URL = reverse("accounts:dashboard")
UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.2 Safari/605.1.15"
)


@pytest.fixture
def returning_user(user):
    """A user who has signed in before (first sign-ins send no email)."""
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    return user


login = partial(post_login, ip="203.0.113.50", HTTP_USER_AGENT=UA)


def link_path(message):
    url = re.search(r"http://\S+/accounts/not-me/\S+/", message.body).group(0)
    return url.removeprefix(app_settings.SITE_URL)


def test_sign_in_from_a_new_browser_sends_an_email(returning_user, password):
    login(Client(), "alice", password)

    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "New sign-in to your account"
    assert "Safari 17 on Mac OS X" in message.body
    assert "203.0.113.50" in message.body
    assert "/accounts/not-me/" in message.body
    assert "/accounts/not-me/" in message.alternatives[0][0]


def test_sign_in_from_a_known_browser_sends_no_email(returning_user, password):
    browser = Client()
    login(browser, "alice", password)
    browser.post(LOGOUT_URL)
    mail.outbox.clear()

    login(browser, "alice", password)

    assert mail.outbox == []
    assert AuthEvent.objects.filter(event_type="login").first().detail == {
        "known_device": True,
        "methods": ["pwd"],
    }


def test_first_sign_in_ever_sends_no_email(user, password):
    login(Client(), "alice", password)

    assert mail.outbox == []


@override_settings(AUTHSITE_NEW_DEVICE_EMAIL=False)
def test_the_email_can_be_turned_off(returning_user, password):
    login(Client(), "alice", password)

    assert mail.outbox == []


def test_the_link_does_not_expose_the_session_key(returning_user, password):
    browser = Client()
    login(browser, "alice", password)
    session_key = browser.session.session_key

    token = link_path(mail.outbox[0]).split("/")[-2]

    assert session_key not in mail.outbox[0].body
    assert session_key not in str(
        signing.loads(token, salt=known_browsers.END_SESSION_SALT)
    )
    assert session_key not in token


def test_following_the_link_asks_before_ending_the_session(returning_user, password):
    intruder = Client()
    login(intruder, "alice", password)
    path = link_path(mail.outbox[0])

    response = Client().get(path)

    assert response.status_code == 200
    assert "End that sign-in" in response.content.decode()
    assert intruder.get(DASHBOARD_URL).status_code == 200


def test_confirming_the_link_ends_that_session_and_starts_a_reset(
    returning_user, password
):
    intruder = Client()
    login(intruder, "alice", password)
    path = link_path(mail.outbox[0])
    owner = Client()

    response = owner.post(path, follow=True)

    assert response.redirect_chain[-1][0] == reverse("accounts:password_reset")
    assert "That sign-in has been ended" in response.content.decode()
    assert intruder.get(DASHBOARD_URL).status_code == 302
    (event,) = AuthEvent.objects.filter(event_type="session_ended_by_user")
    assert event.user == returning_user


def test_confirming_from_the_same_browser_signs_it_out(returning_user, password):
    intruder = Client()
    login(intruder, "alice", password)

    intruder.post(link_path(mail.outbox[0]))

    assert SESSION_KEY not in intruder.session
    assert intruder.get(DASHBOARD_URL).status_code == 302


def test_a_used_link_ends_nothing_more(returning_user, password):
    intruder = Client()
    login(intruder, "alice", password)
    path = link_path(mail.outbox[0])
    Client().post(path)

    response = Client().post(path)

    assert response.status_code == 200
    assert "That sign-in has already ended" in response.content.decode()
    assert AuthEvent.objects.filter(event_type="session_ended_by_user").count() == 1


def signed(payload):
    """A token signed with the site's own key: only a leak of it could make one."""
    return signing.dumps(payload, salt=known_browsers.END_SESSION_SALT)


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "a" * 300,
        signed({"u": 1, "s": "not-a-uuid"}),
        signed({"u": 1, "s": 42}),
        signed({"u": "x", "s": "00000000-0000-0000-0000-000000000000"}),
        signed(["u", "s"]),
    ],
)
def test_a_forged_link_is_refused(returning_user, password, token):
    intruder = Client()
    login(intruder, "alice", password)

    response = Client().post(reverse("accounts:end_session", args=[token]))

    assert response.status_code == 400
    assert "invalid or has expired" in response.content.decode()
    assert intruder.get(DASHBOARD_URL).status_code == 200


def test_an_expired_link_is_refused(returning_user, password, settings):
    intruder = Client()
    login(intruder, "alice", password)
    path = link_path(mail.outbox[0])
    later = time.time() + app_settings.NEW_DEVICE_LINK_MAX_AGE + 60

    with mock.patch("django.core.signing.time.time", return_value=later):
        response = Client().post(path)

    assert response.status_code == 400
    assert intruder.get(DASHBOARD_URL).status_code == 200


def test_the_email_is_sent_in_korean_from_a_korean_page(returning_user, password):
    Client().post(
        LOGIN_URL,
        {"username": "alice", "password": password},
        HTTP_ACCEPT_LANGUAGE="ko",
    )

    (message,) = mail.outbox
    assert "로그인" in message.subject


@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="127.0.0.1",
    EMAIL_PORT=9,  # discard port: nothing listens, the connection is refused
    EMAIL_TIMEOUT=2,
)
def test_a_mail_server_that_refuses_the_notice_does_not_fail_the_sign_in(
    returning_user, password, caplog
):
    response = login(Client(), "alice", password)

    assert response.status_code == 302
    assert response.url == DASHBOARD_URL
    assert "Could not send the new_device email" in caplog.text


def test_the_browser_that_changed_the_password_stays_known(returning_user, password):
    browser = Client()
    assert login(browser, "alice", password).status_code == 302
    new_password = "violet-harbour-91-lantern"
    browser.post(
        reverse("accounts:password_change"),
        {
            "old_password": password,
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )
    browser.post(LOGOUT_URL)
    mail.outbox.clear()
    for _n in range(5):  # strangers lock the account
        Client().post(
            LOGIN_URL,
            {"username": "alice", "password": "wrong"},
            REMOTE_ADDR="198.51.100.9",
        )

    response = login(browser, "alice", new_password)

    assert response.status_code == 302
    assert mail.outbox == []  # no "new sign-in from a browser it has not used"
    assert AuthEvent.objects.filter(event_type="login").first().detail["known_device"]
