import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

DASHBOARD_URL = reverse("accounts:dashboard")


def test_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get(DASHBOARD_URL)

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/dashboard/"


def test_dashboard_shows_the_users_account(client, user, password):
    client.post(reverse("accounts:login"), {"username": "alice", "password": password})

    response = client.get(DASHBOARD_URL)

    body = response.content.decode()
    assert response.status_code == 200
    assert "alice" in body
    assert "alice@example.com" in body
    assert "Member since" in body
    assert "Never" not in body  # last login is shown once they have signed in


def test_authenticated_dashboard_runs_one_query_for_session_and_user(
    logged_in_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(1):
        response = logged_in_client.get(DASHBOARD_URL)

    assert response.status_code == 200


def test_root_sends_anonymous_visitors_to_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url == reverse("accounts:login")


def test_root_sends_signed_in_users_to_dashboard(logged_in_client):
    response = logged_in_client.get("/")

    assert response.url == DASHBOARD_URL
