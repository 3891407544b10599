import uuid
from datetime import timedelta
from unittest import mock

import pytest
from asgiref.sync import async_to_sync
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.conf import app_settings
from accounts.models import Session
from accounts.signals import session_ended
from tests.conftest import LOGIN_URL, post_login
from tests.test_settings import manage

pytestmark = pytest.mark.django_db

DASHBOARD_URL = reverse("accounts:dashboard")
# A signed-in page that reads nothing but the session and the user (the
# dashboard also runs the security checkup).
PROFILE_URL = reverse("accounts:profile")
SESSIONS_URL = reverse("accounts:sessions")
END_OTHERS_URL = reverse("accounts:session_end_others")

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
)
CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)


def browser(user_agent=FIREFOX_LINUX, ip="203.0.113.5"):
    return Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)


def sign_in(client, username="alice", **fields):
    response = post_login(client, username, fields=fields)
    assert response.status_code == 302, response.content
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def end_url(session):
    return reverse("accounts:session_end", args=[session.public_id])


def is_signed_in(client):
    return client.get(DASHBOARD_URL).status_code == 200


@pytest.fixture
def ended_signals():
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    session_ended.connect(receiver, dispatch_uid="test-sessions")
    yield received
    session_ended.disconnect(dispatch_uid="test-sessions")


def test_sign_in_records_user_ip_device_and_times(user, clock):
    session = sign_in(browser(FIREFOX_LINUX, "203.0.113.5"))

    assert session.user == user
    assert session.ip_address == "203.0.113.5"
    assert session.user_agent == FIREFOX_LINUX
    assert session.device == "Firefox 121 on Linux"
    assert session.created_at == clock.now
    assert session.last_activity == clock.now


def test_sign_in_behind_a_trusted_proxy_records_the_forwarded_client(user, settings):
    settings.AUTHSITE_TRUSTED_PROXY_COUNT = 1
    client = Client(
        HTTP_USER_AGENT=FIREFOX_LINUX,
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )

    assert sign_in(client).ip_address == "198.51.100.7"


def test_anonymous_session_rows_have_no_user(client):
    session = client.session
    session["seen"] = True
    session.save()

    assert Session.objects.get(session_key=session.session_key).user is None


def test_sessions_list_shows_exactly_the_users_live_sessions(user, make_user, clock):
    laptop = browser(FIREFOX_LINUX, "203.0.113.5")
    phone = browser(SAFARI_IPHONE, "198.51.100.23")
    sign_in(laptop)
    clock.advance(minutes=1)
    sign_in(phone)
    old = sign_in(browser(CHROME_MAC, "192.0.2.99"))
    Session.objects.filter(pk=old.pk).update(expire_date=clock.now)
    make_user("mallory")
    sign_in(browser(CHROME_MAC, "192.0.2.66"), "mallory")

    response = laptop.get(SESSIONS_URL)

    body = response.content.decode()
    assert response.status_code == 200
    assert [s.device for s in response.context["sessions"]] == [
        "Firefox 121 on Linux",  # this device first
        "Mobile Safari 17 on iOS",
    ]
    assert "Firefox 121 on Linux" in body
    assert "203.0.113.5" in body
    assert "Mobile Safari 17 on iOS" in body
    assert "198.51.100.23" in body
    assert "Chrome" not in body  # the expired one and mallory's
    assert "192.0.2." not in body
    assert body.count("This device") == 1


def test_sessions_page_marks_this_device(user):
    laptop = browser(FIREFOX_LINUX)
    sign_in(laptop)
    sign_in(browser(SAFARI_IPHONE))

    body = laptop.get(SESSIONS_URL).content.decode()

    row = body[body.index("This device") - 300 : body.index("This device")]
    assert "Firefox 121 on Linux" in row


def test_sessions_page_never_shows_session_keys(user):
    laptop = browser()
    sign_in(laptop)
    sign_in(browser(SAFARI_IPHONE))

    body = laptop.get(SESSIONS_URL).content.decode()

    for key in Session.objects.values_list("session_key", flat=True):
        assert key not in body


def test_sessions_page_runs_at_most_two_queries(user, django_assert_max_num_queries):
    laptop = browser()
    sign_in(laptop)
    sign_in(browser(SAFARI_IPHONE))

    with django_assert_max_num_queries(2):
        response = laptop.get(SESSIONS_URL)

    assert response.status_code == 200


def test_sessions_page_needs_sign_in(client):
    response = client.get(SESSIONS_URL)

    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


def test_ending_a_session_from_another_browser_signs_that_browser_out(
    user, ended_signals
):
    laptop = browser(FIREFOX_LINUX)
    phone = browser(SAFARI_IPHONE)
    sign_in(laptop)
    phone_session = sign_in(phone)

    response = laptop.post(end_url(phone_session))

    assert response.status_code == 302
    assert response.url == SESSIONS_URL
    assert not Session.objects.filter(pk=phone_session.pk).exists()
    on_phone = phone.get(DASHBOARD_URL)
    assert on_phone.status_code == 302
    assert on_phone.url.startswith(LOGIN_URL)
    assert is_signed_in(laptop)
    assert ended_signals == [
        {
            "signal": session_ended,
            "user": user,
            "session_key": phone_session.session_key,
            "by": "user",
            "request": ended_signals[0]["request"],
        }
    ]
    assert ended_signals[0]["request"] is not None


def test_ending_this_devices_session_signs_out_here(user):
    laptop = browser()
    session = sign_in(laptop)

    response = laptop.post(end_url(session))

    assert response.url == LOGIN_URL
    assert not Session.objects.filter(pk=session.pk).exists()
    assert not is_signed_in(laptop)


def test_end_all_others_leaves_exactly_the_current_session(user, make_user):
    laptop = browser()
    current = sign_in(laptop)
    others = [browser(SAFARI_IPHONE), browser(CHROME_MAC)]
    for other in others:
        sign_in(other)
    make_user("bob")
    bobs = sign_in(browser(), "bob")

    response = laptop.post(END_OTHERS_URL, follow=True)

    assert list(Session.objects.filter(user=user)) == [current]
    assert Session.objects.filter(pk=bobs.pk).exists()
    assert "All your other sessions have been ended." in response.content.decode()
    assert is_signed_in(laptop)
    assert not any(is_signed_in(other) for other in others)


def test_another_users_session_id_gives_404_and_is_left_alone(user, make_user):
    make_user("mallory")
    mallory = browser()
    sign_in(mallory, "mallory")
    alice_session = sign_in(browser(SAFARI_IPHONE))

    response = mallory.post(end_url(alice_session))

    assert response.status_code == 404
    assert Session.objects.filter(pk=alice_session.pk).exists()


def test_unknown_session_id_gives_404(logged_in_client):
    url = reverse("accounts:session_end", args=[uuid.uuid4()])

    assert logged_in_client.post(url).status_code == 404


def test_malformed_session_id_gives_404(logged_in_client):
    assert logged_in_client.post(SESSIONS_URL + "not-a-uuid/end/").status_code == 404


def test_ending_sessions_needs_post_and_csrf(user):
    laptop = browser()
    sign_in(laptop)
    phone_session = sign_in(browser(SAFARI_IPHONE))
    strict = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=FIREFOX_LINUX)
    strict.cookies = laptop.cookies

    assert laptop.get(end_url(phone_session)).status_code == 405
    assert laptop.get(END_OTHERS_URL).status_code == 405
    assert strict.post(end_url(phone_session)).status_code == 403
    assert strict.post(END_OTHERS_URL).status_code == 403
    assert Session.objects.filter(pk=phone_session.pk).exists()


def test_authenticated_page_view_writes_nothing_within_the_resolution(
    user, clock, django_assert_max_num_queries
):
    laptop = browser()
    session = sign_in(laptop)
    clock.advance(seconds=app_settings.SESSION_ACTIVITY_RESOLUTION - 1)

    with django_assert_max_num_queries(1), CaptureQueriesContext(connection) as ctx:
        response = laptop.get(PROFILE_URL)

    assert response.status_code == 200
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith(("UPDATE", "INSERT", "DELETE"))
    ]
    assert writes == []
    assert "sessionid" not in response.cookies
    session.refresh_from_db()
    assert session.last_activity == clock.now - timedelta(
        seconds=app_settings.SESSION_ACTIVITY_RESOLUTION - 1
    )


def test_session_user_read_with_the_session_is_still_checked_for_being_active(user):
    laptop = browser()
    session = sign_in(laptop)
    # A bulk update sends no signal, so the session row stays: the session
    # must fail Django's own check on the user it loaded with the row.
    type(user).objects.filter(pk=user.pk).update(is_active=False)

    response = laptop.get(DASHBOARD_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert Session.objects.filter(pk=session.pk).exists()


def test_session_user_read_with_the_session_is_still_checked_against_the_password(
    user,
):
    laptop = browser()
    session = sign_in(laptop)
    other = type(user)(password="")
    other.set_password("a different password 123")
    type(user).objects.filter(pk=user.pk).update(password=other.password)

    response = laptop.get(DASHBOARD_URL)

    assert response.status_code == 302
    assert not Session.objects.filter(pk=session.pk).exists()


def test_activity_is_recorded_with_one_update_once_the_resolution_passed(user, clock):
    laptop = browser()
    session = sign_in(laptop)
    data_before = session.session_data
    clock.advance(seconds=app_settings.SESSION_ACTIVITY_RESOLUTION)

    with CaptureQueriesContext(connection) as ctx:
        laptop.get(DASHBOARD_URL)

    writes = [
        q["sql"] for q in ctx.captured_queries if not q["sql"].startswith("SELECT")
    ]
    assert len(writes) == 1
    assert writes[0].startswith("UPDATE")
    assert "session_data" not in writes[0]
    session.refresh_from_db()
    assert session.last_activity == clock.now
    assert session.session_data == data_before

    with CaptureQueriesContext(connection) as ctx:
        laptop.get(DASHBOARD_URL)
    assert all(q["sql"].startswith("SELECT") for q in ctx.captured_queries)


def test_clearsessions_removes_expired_rows_of_the_session_model(user, clock):
    live = sign_in(browser())
    expired = sign_in(browser(SAFARI_IPHONE))
    Session.objects.filter(pk=expired.pk).update(
        expire_date=clock.now - timedelta(seconds=1)
    )

    call_command("clearsessions")

    assert list(Session.objects.all()) == [live]


def test_clearsessions_removes_sessions_left_idle(user, clock):
    sign_in(browser())
    clock.advance(
        seconds=app_settings.SESSION_IDLE_TIMEOUT
        + app_settings.SESSION_ACTIVITY_RESOLUTION
        + 1
    )

    call_command("clearsessions")

    assert not Session.objects.exists()


def test_deleting_a_user_deletes_their_sessions(user):
    sign_in(browser())

    user.delete()

    assert not Session.objects.exists()


def test_deactivating_a_user_ends_their_sessions(user, ended_signals):
    laptop = browser()
    session = sign_in(laptop)

    user.is_active = False
    user.save()

    assert not Session.objects.exists()
    assert not is_signed_in(laptop)
    assert ended_signals[0]["session_key"] == session.session_key
    assert ended_signals[0]["by"] == "system"


@pytest.fixture
def cached_db(settings):
    settings.SESSION_ENGINE = "accounts.usersessions.backends.cached_db"
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_cached_db_sessions_are_listed_and_ended_at_once(user, cached_db):
    laptop = browser()
    phone = browser(SAFARI_IPHONE)
    sign_in(laptop)
    phone_session = sign_in(phone)
    assert is_signed_in(phone)  # now cached

    laptop.post(end_url(phone_session))

    assert not is_signed_in(phone)
    assert is_signed_in(laptop)
    assert [s.device for s in laptop.get(SESSIONS_URL).context["sessions"]] == [
        "Firefox 121 on Linux"
    ]


def test_cached_db_page_view_reads_the_cache_and_writes_nothing(
    user, cached_db, clock, django_assert_max_num_queries
):
    laptop = browser()
    sign_in(laptop)
    laptop.get(PROFILE_URL)

    with django_assert_max_num_queries(1):  # the user; the session is cached
        laptop.get(PROFILE_URL)

    clock.advance(seconds=app_settings.SESSION_ACTIVITY_RESOLUTION + 1)
    with CaptureQueriesContext(connection) as ctx:
        laptop.get(PROFILE_URL)
    assert [q["sql"].split()[0] for q in ctx.captured_queries].count("UPDATE") == 1


@pytest.fixture
def admin_browser(make_user):
    admin = browser(CHROME_MAC, "192.0.2.1")
    admin.force_login(make_user("boss", is_staff=True, is_superuser=True))
    return admin


def test_admin_user_page_shows_the_users_sessions(user, admin_browser):
    sign_in(browser(FIREFOX_LINUX, "203.0.113.5"))
    sign_in(browser(SAFARI_IPHONE, "198.51.100.23"))

    response = admin_browser.get(f"/admin/accounts/user/{user.pk}/change/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Live sessions" in body
    assert "Firefox 121 on Linux" in body
    assert "203.0.113.5" in body
    assert "Mobile Safari 17 on iOS" in body
    assert "198.51.100.23" in body
    for key in Session.objects.filter(user=user).values_list("session_key", flat=True):
        assert key not in body


def test_admin_action_ends_all_sessions_of_the_selected_users(
    user, make_user, admin_browser, ended_signals
):
    laptop = browser()
    sign_in(laptop)
    sign_in(browser(SAFARI_IPHONE))
    make_user("bob")
    bob = browser()
    sign_in(bob, "bob")

    response = admin_browser.post(
        "/admin/accounts/user/",
        {"action": "end_all_sessions", "_selected_action": [user.pk]},
        follow=True,
    )

    assert "2 sessions were ended." in response.content.decode()
    assert not Session.objects.filter(user=user).exists()
    assert not is_signed_in(laptop)
    assert is_signed_in(bob)
    assert is_signed_in(admin_browser)
    assert {signal["by"] for signal in ended_signals} == {"admin"}
    assert len(ended_signals) == 2


def test_deactivating_a_user_in_the_admin_ends_their_sessions(user, admin_browser):
    laptop = browser()
    sign_in(laptop)
    sign_in(browser(SAFARI_IPHONE))
    url = f"/admin/accounts/user/{user.pk}/change/"

    response = admin_browser.post(
        url,
        {
            "username": user.username,
            "email": user.email,
            "first_name": "",
            "last_name": "",
            # is_active left out: the checkbox is unticked
            "sessions-TOTAL_FORMS": "2",
            "sessions-INITIAL_FORMS": "2",
            "sessions-MIN_NUM_FORMS": "0",
            "sessions-MAX_NUM_FORMS": "0",
            "passkeys-TOTAL_FORMS": "0",
            "passkeys-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()
    user.refresh_from_db()
    assert not user.is_active
    assert not Session.objects.filter(user=user).exists()
    on_laptop = laptop.get(DASHBOARD_URL)
    assert on_laptop.status_code == 302
    assert on_laptop.url.startswith(LOGIN_URL)


def test_async_session_api_keeps_the_extra_fields(user):
    store_class = Session.get_session_store_class()
    store = store_class(ip_address="203.0.113.9", user_agent=FIREFOX_LINUX)

    async def sign_in_and_reload():
        await store.aset("_auth_user_id", str(user.pk))
        await store.asave()
        return await store_class(store.session_key).aget("_auth_user_id")

    assert async_to_sync(sign_in_and_reload)() == str(user.pk)
    row = Session.objects.get(session_key=store.session_key)
    assert row.user_id == user.pk
    assert row.ip_address == "203.0.113.9"
    assert row.device == "Firefox 121 on Linux"


@pytest.mark.parametrize(
    ("store", "engine"),
    [
        ("db", "accounts.usersessions.backends.db"),
        ("cached_db", "accounts.usersessions.backends.cached_db"),
    ],
)
def test_session_store_setting_selects_the_engine(store, engine):
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SESSION_ENGINE)",
        SESSION_STORE=store,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == engine


def test_unknown_session_store_is_refused_clearly():
    result = manage("check", SESSION_STORE="redis")

    assert result.returncode == 1
    assert "SESSION_STORE must be one of db, cached_db" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def cache_clock(clock, settings):
    """Let the cache expire entries on ``clock`` time too.

    Only a process-local cache can be given a fake clock (Redis expires keys
    on its own time), so these tests use the local-memory cache whatever
    ``CACHE_URL`` says.
    """
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    fake_time = mock.Mock(time=lambda: clock.now.timestamp())
    with (
        mock.patch("django.core.cache.backends.locmem.time", fake_time),
        mock.patch("django.core.cache.backends.base.time", fake_time),
    ):
        yield clock


def test_cached_db_sessions_end_after_the_idle_timeout(user, cached_db, cache_clock):
    laptop = browser()
    sign_in(laptop)
    assert is_signed_in(laptop)

    cache_clock.advance(
        seconds=app_settings.SESSION_IDLE_TIMEOUT
        + app_settings.SESSION_ACTIVITY_RESOLUTION
        + 1
    )

    assert not is_signed_in(laptop)


def test_cached_db_sessions_stay_alive_while_active(user, cached_db, cache_clock):
    laptop = browser()
    sign_in(laptop)

    for _ in range(4):
        cache_clock.advance(seconds=app_settings.SESSION_IDLE_TIMEOUT - 60)
        assert is_signed_in(laptop)


def test_cached_db_sessions_respect_the_absolute_timeout(
    user, cached_db, cache_clock, settings
):
    settings.AUTHSITE_SESSION_ABSOLUTE_TIMEOUT = 60 * 60
    laptop = browser()
    sign_in(laptop, remember_me="on")

    cache_clock.advance(minutes=61)

    assert not is_signed_in(laptop)
