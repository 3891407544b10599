import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGOUT_URL = reverse("accounts:logout")
DASHBOARD_URL = reverse("accounts:dashboard")


def test_logout_ends_the_server_side_session(client, user, password):
    client.post(reverse("accounts:login"), {"username": "alice", "password": password})
    old_cookie = client.cookies["sessionid"].value

    response = client.post(LOGOUT_URL, follow=True)

    assert response.redirect_chain[0] == (reverse("accounts:login"), 302)
    assert "You have been signed out." in response.content.decode()
    replay = Client()
    replay.cookies["sessionid"] = old_cookie
    dashboard = replay.get(DASHBOARD_URL)
    assert dashboard.status_code == 302
    assert dashboard.url.startswith(reverse("accounts:login"))


def test_get_on_logout_does_not_log_out(logged_in_client):
    response = logged_in_client.get(LOGOUT_URL)

    assert response.status_code == 405
    assert "This action needs a button" in response.content.decode()
    assert "POST" in response["Allow"]
    assert SESSION_KEY in logged_in_client.session
    assert logged_in_client.get(DASHBOARD_URL).status_code == 200


def test_logout_without_csrf_token_is_rejected(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(LOGOUT_URL)

    assert response.status_code == 403
    assert client.get(DASHBOARD_URL).status_code == 200


def test_the_405_page_is_in_korean_too(logged_in_client):
    response = logged_in_client.get(LOGOUT_URL, HTTP_ACCEPT_LANGUAGE="ko")

    assert "버튼으로만 할 수 있는 작업입니다" in response.content.decode()
