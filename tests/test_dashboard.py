from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.test.utils import override_script_prefix
from django.urls import reverse
from django.utils import formats, timezone, translation

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


def test_dashboard_runs_one_query_for_session_and_user_once_the_checkup_is_cached(
    logged_in_client, django_assert_num_queries
):
    """The security checkup reads everything it shows in one query, then
    keeps it in the cache (``tests/test_security_checkup.py``)."""
    with django_assert_num_queries(2):
        assert logged_in_client.get(DASHBOARD_URL).status_code == 200
    with django_assert_num_queries(1):
        assert logged_in_client.get(DASHBOARD_URL).status_code == 200


def test_root_sends_anonymous_visitors_to_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url == reverse("accounts:login")


def test_root_sends_signed_in_users_to_dashboard(logged_in_client):
    response = logged_in_client.get("/")

    assert response.url == DASHBOARD_URL


def test_tab_bar_and_language_list_follow_the_page_and_the_language(
    logged_in_client,
):
    """Both are rendered once per process (the ``fragments`` cache): a page
    or language seen before must not hand its copy to another."""
    sessions_url = reverse("accounts:sessions")
    english_dashboard = logged_in_client.get(DASHBOARD_URL).content.decode()
    english_sessions = logged_in_client.get(sessions_url).content.decode()
    korean_dashboard = logged_in_client.get(
        DASHBOARD_URL, HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()

    assert f'href="{DASHBOARD_URL}" aria-current="page">Overview' in english_dashboard
    assert f'href="{sessions_url}">Sessions' in english_dashboard
    assert f'href="{DASHBOARD_URL}">Overview' in english_sessions
    assert f'href="{sessions_url}" aria-current="page">Sessions' in english_sessions
    assert f'href="{DASHBOARD_URL}" aria-current="page">개요' in korean_dashboard
    assert 'value="ko" lang="ko" selected' in korean_dashboard
    assert 'value="en" lang="en" selected' in english_dashboard
    assert ">Change</button>" in english_dashboard
    assert ">변경</button>" in korean_dashboard


def test_tab_bar_links_follow_the_path_the_site_is_served_under(logged_in_client):
    """A request served under another script prefix (a proxy or a
    ``SCRIPT_NAME`` header can ask for one) must not leave its links in the
    tab bar other users get."""
    # What Django's WSGI handler does for such a request (the test client
    # leaves the script prefix alone).
    with override_script_prefix("/elsewhere/"):
        elsewhere = logged_in_client.get(DASHBOARD_URL, SCRIPT_NAME="/elsewhere")
    here = logged_in_client.get(DASHBOARD_URL)

    assert (
        'href="/elsewhere/dashboard/" aria-current="page"' in elsewhere.content.decode()
    )
    assert f'href="{DASHBOARD_URL}" aria-current="page"' in here.content.decode()
    assert "/elsewhere/" not in here.content.decode()


@override_settings(TIME_ZONE="Asia/Seoul")
def test_dashboard_dates_are_time_elements_in_the_sites_zone_and_language(
    logged_in_client, user
):
    """A user with no zone of her own reads the site's: ISO 8601 for
    machines, the language's format and the zone's name for people."""
    user.refresh_from_db()
    joined = timezone.localtime(user.date_joined, ZoneInfo("Asia/Seoul"))

    english = logged_in_client.get(DASHBOARD_URL).content.decode()
    korean = logged_in_client.get(
        DASHBOARD_URL, HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()

    with translation.override("en"):
        shown = f"{formats.date_format(joined, 'DATETIME_FORMAT')} KST"
    machine = user.date_joined.isoformat()
    assert f'<time datetime="{machine}" title="{shown}">{shown}</time>' in english
    with translation.override("ko"):
        shown = f"{formats.date_format(joined, 'DATETIME_FORMAT')} (KST)"
    assert f">{shown}</time>" in korean
    assert "년" in korean
