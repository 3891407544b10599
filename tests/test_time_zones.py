"""Times in the user's own time zone, with the zone named (issue 17)."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib.staticfiles import finders
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuthEvent, Session

pytestmark = pytest.mark.django_db

KO = {"HTTP_ACCEPT_LANGUAGE": "ko"}
PROPOSE_URL = reverse("accounts:time_zone_propose")
DASHBOARD_URL = reverse("accounts:dashboard")
SESSIONS_URL = reverse("accounts:sessions")
ACTIVITY_URL = reverse("accounts:activity")
PROFILE_URL = reverse("accounts:profile")
# 12:15 UTC is 21:15 in Seoul (UTC+9, no daylight saving time).
NOON_UTC = datetime.datetime(2026, 12, 6, 12, 15, tzinfo=datetime.UTC)


@pytest.fixture
def seoul_user(make_user):
    user = make_user(time_zone="Asia/Seoul")
    user.date_joined = NOON_UTC
    user.last_login = NOON_UTC
    user.save(update_fields=["date_joined", "last_login"])
    return user


@pytest.fixture
def seoul_client(seoul_user, signed_in_client):
    browser = signed_in_client()
    Session.objects.filter(user=seoul_user).update(created_at=NOON_UTC)
    AuthEvent.objects.filter(user=seoul_user).update(created_at=NOON_UTC)
    seoul_user.last_login = NOON_UTC
    seoul_user.save(update_fields=["last_login"])
    return browser


def test_a_user_in_seoul_sees_seoul_times_with_the_zone_on_the_dashboard(
    seoul_client,
):
    body = seoul_client.get(DASHBOARD_URL).content.decode()

    assert "Dec 6, 2026, 9:15 PM KST" in body
    assert "12:15 PM" not in body


def test_the_korean_dashboard_reads_the_time_as_koreans_write_it(seoul_client):
    body = seoul_client.get(DASHBOARD_URL, **KO).content.decode()

    assert "2026년 12월 6일 오후 9:15 (KST)" in body


def test_the_sessions_page_says_how_long_ago_with_the_seoul_time_as_its_title(
    seoul_client,
):
    body = seoul_client.get(SESSIONS_URL).content.decode()

    signed_in = re.search(
        r'<time datetime="2026-12-06T12:15:00\+00:00" title="([^"]+)">([^<]+)</time>',
        body,
    )
    assert signed_in, body
    assert signed_in[1] == "Dec 6, 2026, 9:15 PM KST"
    assert signed_in[2].endswith("ago")
    # Last active: just now.
    assert "now" in body


def test_the_activity_page_shows_seoul_times_with_the_zone(seoul_client):
    body = seoul_client.get(ACTIVITY_URL).content.decode()

    assert 'title="Dec 6, 2026, 9:15 PM KST"' in body
    assert "ago</time>" in body


def test_a_user_without_a_zone_sees_utc_named_as_such(make_user, signed_in_client):
    make_user()
    browser = signed_in_client()

    body = browser.get(DASHBOARD_URL).content.decode()

    assert re.search(r"\d{4}, \d{1,2}:\d\d [AP]M UTC</time>", body)


def test_the_new_device_email_gives_the_time_in_the_recipients_zone(
    seoul_user, signed_in_client, password
):
    signed_in_client(password)  # a first browser: no alert for it
    mail.outbox.clear()
    sign_in_time = timezone.now()

    signed_in_client(password, HTTP_ACCEPT_LANGUAGE="ko")

    (alert,) = mail.outbox
    local = timezone.localtime(sign_in_time, ZoneInfo("Asia/Seoul"))
    hour = local.hour % 12 or 12
    noon = "오후" if local.hour >= 12 else "오전"
    expected = f"{local.year}년 {local.month}월 {local.day}일 {noon} {hour}:"
    html = alert.alternatives[0][0]
    for part in (alert.body, html):
        assert expected in part
        assert "(KST)" in part


def test_the_new_device_email_in_english_names_the_zone(
    seoul_user, signed_in_client, password
):
    signed_in_client(password)
    mail.outbox.clear()

    signed_in_client(password)

    (alert,) = mail.outbox
    assert re.search(r"Time: \w{3} \d{1,2}, \d{4}, \d{1,2}:\d\d [AP]M KST", alert.body)


def test_the_profile_offers_the_time_zones_and_saves_one(logged_in_client, user):
    page = logged_in_client.get(PROFILE_URL).content.decode()
    assert '<option value="Asia/Seoul">Asia/Seoul</option>' in page
    assert '<option value="America/New_York">America/New York</option>' in page

    logged_in_client.post(
        PROFILE_URL,
        {
            "first_name": "",
            "last_name": "",
            "email": user.email,
            "time_zone": "Asia/Seoul",
        },
    )

    user.refresh_from_db()
    assert user.time_zone == "Asia/Seoul"


def test_the_profile_refuses_a_zone_not_in_the_list(logged_in_client, user):
    response = logged_in_client.post(
        PROFILE_URL,
        {
            "first_name": "",
            "last_name": "",
            "email": user.email,
            "time_zone": "Mars/Olympus",
        },
    )

    assert response.status_code == 200
    assert 'id="id_time_zone_error"' in response.content.decode()
    user.refresh_from_db()
    assert user.time_zone == ""


def test_the_browser_proposes_its_zone_for_a_user_without_one(logged_in_client, user):
    response = logged_in_client.post(PROPOSE_URL, {"time_zone": "Asia/Seoul"})

    assert response.status_code == 204
    user.refresh_from_db()
    assert user.time_zone == "Asia/Seoul"


def test_a_proposed_zone_never_replaces_one_the_user_has(logged_in_client, user):
    user.time_zone = "Europe/Berlin"
    user.save(update_fields=["time_zone"])

    response = logged_in_client.post(PROPOSE_URL, {"time_zone": "Asia/Seoul"})

    assert response.status_code == 204
    user.refresh_from_db()
    assert user.time_zone == "Europe/Berlin"


@pytest.mark.parametrize(
    "data",
    [{}, {"time_zone": ""}, {"time_zone": "Mars/Olympus"}, {"time_zone": "x" * 5000}],
)
def test_a_bad_proposed_zone_gets_a_400_and_saves_nothing(logged_in_client, user, data):
    response = logged_in_client.post(PROPOSE_URL, data)

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.time_zone == ""


@pytest.mark.parametrize("name", ["localtime", "Factory"])
def test_the_servers_own_zone_and_the_placeholder_zone_are_no_choice(
    logged_in_client, user, name
):
    """The server's own setting (/etc/localtime) and a placeholder are no place."""
    assert f'<option value="{name}">' not in (
        logged_in_client.get(PROFILE_URL).content.decode()
    )

    response = logged_in_client.post(PROPOSE_URL, {"time_zone": name})

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.time_zone == ""


def test_choosing_the_sites_zone_on_the_profile_is_kept_against_the_browsers(
    logged_in_client, user, settings
):
    user.time_zone = "Asia/Seoul"
    user.save(update_fields=["time_zone"])
    logged_in_client.post(
        PROFILE_URL,
        {"first_name": "", "last_name": "", "email": user.email, "time_zone": ""},
    )

    page = logged_in_client.get(DASHBOARD_URL).content.decode()
    logged_in_client.post(PROPOSE_URL, {"time_zone": "America/New_York"})

    assert "time-zone.js" not in page
    user.refresh_from_db()
    assert user.time_zone == settings.TIME_ZONE


def test_proposing_a_zone_needs_a_signed_in_post_with_csrf(user, logged_in_client):
    assert Client().post(PROPOSE_URL, {"time_zone": "Asia/Seoul"}).status_code == 403
    assert logged_in_client.get(PROPOSE_URL).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(PROPOSE_URL, {"time_zone": "Asia/Seoul"}).status_code == 403
    user.refresh_from_db()
    assert user.time_zone == ""


def test_the_script_that_proposes_the_zone_is_on_pages_only_while_none_is_set(
    logged_in_client, user
):
    script = f'src="/static/js/time-zone.js" data-url="{PROPOSE_URL}" defer'
    assert script in logged_in_client.get(DASHBOARD_URL).content.decode()
    assert finders.find("js/time-zone.js")

    user.time_zone = "Asia/Seoul"
    user.save(update_fields=["time_zone"])

    assert "time-zone.js" not in logged_in_client.get(DASHBOARD_URL).content.decode()
    assert (
        "time-zone.js" not in Client().get(reverse("accounts:login")).content.decode()
    )


def test_a_zone_costs_no_query_of_its_own(
    seoul_client, seoul_user, django_assert_num_queries
):
    """The zone is read from the user row the session already loads."""
    seoul_client.get(DASHBOARD_URL)
    with CaptureQueriesContext(connection) as zoned:
        response = seoul_client.get(DASHBOARD_URL)
    assert "KST" in response.content.decode()

    seoul_user.time_zone = ""
    seoul_user.save(update_fields=["time_zone"])
    with django_assert_num_queries(len(zoned)):
        response = seoul_client.get(DASHBOARD_URL)
    assert "KST" not in response.content.decode()
