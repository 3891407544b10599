from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from accounts.conf import app_settings
from accounts.models import Session

from .conftest import LOGIN_URL, post_login

pytestmark = pytest.mark.django_db

DASHBOARD_URL = reverse("accounts:dashboard")
IDLE = timedelta(seconds=app_settings.SESSION_IDLE_TIMEOUT)
RESOLUTION = timedelta(seconds=app_settings.SESSION_ACTIVITY_RESOLUTION)


def sign_in(client, password, **fields):
    response = post_login(client, password=password, fields=fields)
    assert response.status_code == 302
    return response


def session_row(client):
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def assert_sent_to_login_as_expired(client):
    response = client.get(DASHBOARD_URL)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)
    page = client.get(response.url)
    assert "Your session has expired. Please sign in again." in page.content.decode()


def test_login_page_offers_remember_me(client):
    body = client.get(LOGIN_URL).content.decode()

    assert 'type="checkbox" name="remember_me"' in body
    assert "Remember me" in body


def test_without_remember_me_the_cookie_ends_with_the_browser(client, user, password):
    response = sign_in(client, password)

    cookie = response.cookies["sessionid"]
    assert cookie.value
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""


def test_with_remember_me_the_cookie_lasts_the_remember_age(
    client, user, password, clock
):
    response = sign_in(client, password, remember_me="on")

    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == app_settings.SESSION_REMEMBER_AGE
    assert cookie["expires"]
    assert session_row(client).expire_date == clock.now + timedelta(
        seconds=app_settings.SESSION_REMEMBER_AGE
    )


def test_remember_age_is_a_setting(client, user, password, settings):
    settings.AUTHSITE_SESSION_REMEMBER_AGE = 3600

    response = sign_in(client, password, remember_me="on")

    assert response.cookies["sessionid"]["max-age"] == 3600


def test_an_idle_session_is_ended_on_the_server(client, user, password, clock):
    sign_in(client, password)

    clock.advance(seconds=app_settings.SESSION_IDLE_TIMEOUT)
    clock.advance(seconds=app_settings.SESSION_ACTIVITY_RESOLUTION + 1)

    assert_sent_to_login_as_expired(client)
    assert "sessionid" not in client.cookies or not client.cookies["sessionid"].value


def test_an_active_session_outlives_the_idle_timeout(client, user, password, clock):
    sign_in(client, password)

    for _ in range(4):
        clock.advance(seconds=app_settings.SESSION_IDLE_TIMEOUT - 60)
        assert client.get(DASHBOARD_URL).status_code == 200


def test_a_session_is_never_ended_before_the_idle_timeout(
    client, user, password, clock
):
    sign_in(client, password)
    # Active just before the resolution would record it, then idle.
    clock.advance(seconds=app_settings.SESSION_ACTIVITY_RESOLUTION - 1)
    assert client.get(DASHBOARD_URL).status_code == 200

    clock.advance(seconds=app_settings.SESSION_IDLE_TIMEOUT - 1)

    assert client.get(DASHBOARD_URL).status_code == 200


def test_a_remembered_session_survives_idle_time(client, user, password, clock):
    sign_in(client, password, remember_me="on")

    clock.advance(days=3)

    assert client.get(DASHBOARD_URL).status_code == 200


def test_a_remembered_session_ends_after_the_remember_age(
    client, user, password, clock
):
    sign_in(client, password, remember_me="on")

    clock.advance(seconds=app_settings.SESSION_REMEMBER_AGE + 1)

    assert_sent_to_login_as_expired(client)


def test_no_session_outlives_the_absolute_timeout(
    client, user, password, clock, settings
):
    settings.AUTHSITE_SESSION_ABSOLUTE_TIMEOUT = 8 * 60 * 60
    sign_in(client, password)

    for _ in range(16):  # busy all day, never idle (7 h 44 min)
        clock.advance(minutes=29)
        assert client.get(DASHBOARD_URL).status_code == 200
    clock.advance(minutes=29)

    assert_sent_to_login_as_expired(client)


def test_the_absolute_timeout_caps_a_remembered_session(
    client, user, password, clock, settings
):
    settings.AUTHSITE_SESSION_ABSOLUTE_TIMEOUT = 24 * 60 * 60
    sign_in(client, password, remember_me="on")

    assert session_row(client).expire_date == clock.now + timedelta(days=1)
    clock.advance(days=1, seconds=1)

    assert_sent_to_login_as_expired(client)


def test_signing_in_again_starts_a_new_absolute_lifetime(client, user, password, clock):
    sign_in(client, password)
    first = session_row(client)
    clock.advance(hours=1)

    client.post(reverse("accounts:logout"))
    sign_in(client, password)

    second = session_row(client)
    assert second.created_at == clock.now
    assert second.public_id != first.public_id


def test_an_expired_anonymous_visitor_gets_no_expiry_message(clock):
    client = Client()
    session = client.session
    session["seen"] = True
    session.save()
    clock.advance(seconds=app_settings.SESSION_IDLE_TIMEOUT + 3600)

    response = client.get(LOGIN_URL)
    page = client.get(LOGIN_URL)

    assert response.status_code == 200
    assert "expired" not in page.content.decode()
