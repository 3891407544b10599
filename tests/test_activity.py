from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuthEvent

pytestmark = pytest.mark.django_db

ACTIVITY_URL = reverse("accounts:activity")
Type = AuthEvent.Type


def record(user, event_type=Type.LOGIN, ip="198.51.100.1", ua="TestBrowser/1", **kw):
    request = RequestFactory().get("/", REMOTE_ADDR=ip, HTTP_USER_AGENT=ua)
    event = AuthEvent.objects.record(event_type, user=user, request=request)
    if kw:
        AuthEvent.objects.filter(pk=event.pk).update(**kw)
    return event


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(ACTIVITY_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_activity_lists_the_users_events_in_words(logged_in_client, user):
    record(user, Type.PASSWORD_CHANGED, ip="203.0.113.77", ua="Firefox/140 on Linux")

    response = logged_in_client.get(ACTIVITY_URL)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Password changed" in body
    assert "203.0.113.77" in body
    assert "Firefox/140 on Linux" in body
    assert 'aria-current="page"' in body


def test_a_user_never_sees_another_users_events(logged_in_client, user, make_user):
    bob = make_user("bob")
    record(bob, Type.EMAIL_CHANGED, ip="192.0.2.99", ua="BobsBrowser/9")
    record(None, Type.LOGIN_FAILED, ip="192.0.2.98", ua="Stranger/1")

    body = logged_in_client.get(ACTIVITY_URL).content.decode()

    assert "192.0.2.99" not in body
    assert "BobsBrowser" not in body
    assert "192.0.2.98" not in body
    assert "Email address changed" not in body


def test_activity_shows_the_latest_twenty_newest_first(logged_in_client, user):
    now = timezone.now()
    for n in range(25):
        record(user, ip=f"198.51.100.{n + 1}", created_at=now - timedelta(minutes=n))

    response = logged_in_client.get(ACTIVITY_URL)

    events = list(response.context["events"])
    assert len(events) == 20
    assert events[0].ip_address == "198.51.100.1"
    assert "198.51.100.21" not in response.content.decode()


def test_sign_in_reads_as_an_event_in_korean_and_as_a_time_on_the_sessions_page(
    logged_in_client, user
):
    record(user, Type.LOGIN)

    activity = logged_in_client.get(ACTIVITY_URL, HTTP_ACCEPT_LANGUAGE="ko")
    sessions = logged_in_client.get(
        reverse("accounts:sessions"), HTTP_ACCEPT_LANGUAGE="ko"
    )

    assert "로그인함" in activity.content.decode()
    assert "로그인 시각" not in activity.content.decode()
    assert '<th scope="col">로그인 시각</th>' in sessions.content.decode()


def test_activity_runs_a_fixed_number_of_queries(
    logged_in_client, user, django_assert_max_num_queries
):
    for _ in range(5):
        record(user)

    with django_assert_max_num_queries(2):
        logged_in_client.get(ACTIVITY_URL)


def test_devices_are_named_in_words_and_long_user_agents_cut(logged_in_client, user):
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
    record(user, ua=firefox)
    record(user, ua="X" * 1000)

    body = logged_in_client.get(ACTIVITY_URL).content.decode()

    assert "Firefox 121 on Linux" in body
    assert "Unknown device" in body
    assert AuthEvent.objects.filter(user_agent="X" * 512).exists()


def test_activity_renders_in_korean(logged_in_client, user):
    record(user, Type.PASSWORD_CHANGED)

    body = logged_in_client.get(
        ACTIVITY_URL, HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()

    assert "최근 활동" in body
    for english in ("Recent activity", "Password changed", "Device", "IP address"):
        assert english not in body


@pytest.fixture
def admin_client(make_user):
    client = Client()
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    return client


def test_admin_lists_events_with_filter_and_search(admin_client, user, make_user):
    record(user, Type.PASSWORD_CHANGED, ip="203.0.113.1")
    record(make_user("bob"), Type.LOGIN, ip="203.0.113.2")
    url = "/admin/accounts/authevent/"

    by_type = admin_client.get(url, {"event_type__exact": "password_changed"})
    by_name = admin_client.get(url, {"q": "bob"})
    by_ip = admin_client.get(url, {"q": "203.0.113.1"})

    assert list(by_type.context["cl"].result_list) == list(
        AuthEvent.objects.filter(event_type="password_changed")
    )
    assert [e.user.username for e in by_name.context["cl"].result_list] == ["bob"]
    assert [e.ip_address for e in by_ip.context["cl"].result_list] == ["203.0.113.1"]


def test_admin_event_list_is_read_only(admin_client, user):
    event = record(user)

    add = admin_client.get("/admin/accounts/authevent/add/")
    change = admin_client.post(
        f"/admin/accounts/authevent/{event.pk}/change/", {"event_type": "logout"}
    )
    delete = admin_client.post(
        f"/admin/accounts/authevent/{event.pk}/delete/", {"post": "yes"}
    )

    assert add.status_code == 403
    assert change.status_code == 403
    assert delete.status_code == 403
    assert AuthEvent.objects.get(pk=event.pk).event_type == "login"
    assert (
        admin_client.get(f"/admin/accounts/authevent/{event.pk}/change/").status_code
        == 200
    )


def _prune(*args):
    out = StringIO()
    call_command("prune_auth_events", *args, stdout=out)
    return out.getvalue()


def test_prune_deletes_only_events_past_the_retention(user):
    now = timezone.now()
    old = record(user, created_at=now - timedelta(days=366))
    recent = record(user, created_at=now - timedelta(days=364))

    output = _prune()

    assert list(AuthEvent.objects.all()) == [recent]
    assert "Deleted 1 account events older than 365 days" in output
    assert not AuthEvent.objects.filter(pk=old.pk).exists()


def test_prune_dry_run_deletes_nothing(user):
    record(user, created_at=timezone.now() - timedelta(days=400))

    output = _prune("--dry-run")

    assert AuthEvent.objects.count() == 1
    assert "Would delete 1 account events" in output


@override_settings(AUTHSITE_AUTH_EVENT_RETENTION_DAYS=30)
def test_prune_follows_the_retention_setting(user):
    record(user, created_at=timezone.now() - timedelta(days=31))
    record(user, created_at=timezone.now() - timedelta(days=29))

    _prune()

    assert AuthEvent.objects.count() == 1
