"""The JSON API's sessions list, ending sessions, and the activity list."""

import uuid

import pytest

from accounts.models import AuthEvent, Session

from .api import AppClient, BrowserClient

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"


@pytest.fixture
def api(api, user):
    """Each test once per client, signed in as alice."""
    assert api.login().status == 200
    return api


@pytest.fixture
def elsewhere(user):
    """alice also signed in from Firefox, on another app."""
    other = AppClient(HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="192.0.2.7")
    assert other.login().status == 200
    return other


def test_the_list_shows_every_session_this_one_first(api, elsewhere, make_user):
    make_user("bob")
    AppClient().login("bob")

    answer = api.get("/auth/sessions")

    assert answer.status == 200
    assert [s["is_current"] for s in answer.data] == [True, False]
    other = answer.data[1]
    assert other["device"] == "Firefox 121 on Linux"
    assert other["ip"] == "192.0.2.7"
    assert other["user_agent"] == FIREFOX
    assert set(other) == {
        "id",
        "user_agent",
        "device",
        "ip",
        "created_at",
        "last_seen_at",
        "is_current",
    }


def test_the_list_never_shows_a_session_key(api, elsewhere):
    body = api.get("/auth/sessions").response.content.decode()

    for key in Session.objects.values_list("session_key", flat=True):
        assert key not in body


def test_ending_another_session(api, elsewhere):
    other_id = api.get("/auth/sessions").data[1]["id"]

    answer = api.delete("/auth/sessions", {"sessions": [other_id]})

    assert answer.status == 200
    assert [s["is_current"] for s in answer.data] == [True]
    assert elsewhere.get("/auth/session").status == 410
    assert AuthEvent.objects.filter(event_type="session_ended_by_user").count() == 1


def test_ending_all_others(api, elsewhere, user):
    third = AppClient()
    third.login()

    answer = api.delete("/auth/sessions", {"others": True})

    assert len(answer.data) == 1
    assert Session.objects.filter(user=user).count() == 1
    assert api.get("/auth/session").status == 200


def test_ending_this_session_signs_out(api, user):
    this_id = api.get("/auth/sessions").data[0]["id"]

    answer = api.delete("/auth/sessions", {"sessions": [this_id]})

    assert answer.status == 401
    assert not Session.objects.filter(user=user).exists()


def test_another_accounts_session_is_refused_and_left_alone(api, make_user):
    make_user("bob")
    bob = AppClient()
    bob.login("bob")
    bobs = str(Session.objects.get(session_key=bob.token).public_id)

    answer = api.delete("/auth/sessions", {"sessions": [bobs]})
    unknown = api.delete("/auth/sessions", {"sessions": [str(uuid.uuid4())]})

    assert answer.status == unknown.status == 400
    assert answer.body == unknown.body
    assert bob.get("/auth/session").status == 200


def test_one_unknown_id_ends_nothing(api, elsewhere):
    other_id = api.get("/auth/sessions").data[1]["id"]

    answer = api.delete("/auth/sessions", {"sessions": [other_id, str(uuid.uuid4())]})

    assert answer.status == 400
    assert elsewhere.get("/auth/session").status == 200


@pytest.mark.parametrize(
    "body", [{}, {"sessions": []}, {"sessions": ["nope"]}, {"sessions": "all"}]
)
def test_naming_nothing_or_not_an_id_is_a_400(api, body):
    answer = api.delete("/auth/sessions", body)

    assert answer.status == 400
    assert answer.params == ["sessions"]


def test_sessions_need_a_sign_in(db):
    for client in (AppClient(), BrowserClient().start()):
        assert client.get("/auth/sessions").status == 401
        assert client.delete("/auth/sessions", {"others": True}).status == 401


def test_the_browser_client_needs_the_csrf_token_to_end_sessions(user):
    browser = BrowserClient().start()
    browser.login()
    browser.csrf_token = None

    assert browser.delete("/auth/sessions", {"others": True}).status == 403


def test_the_activity_list_shows_the_accounts_events_newest_first(api, make_user):
    AppClient().login(password="wrong")
    make_user("bob")
    AppClient().login("bob")

    answer = api.get("/account/activity")

    assert answer.status == 200
    assert [e["type"] for e in answer.data] == ["login_failed", "login"]
    assert answer.data[0]["description"] == "Failed sign-in"
    assert answer.data[0]["ip"] == "127.0.0.1"


def test_the_activity_list_is_in_the_language_asked_for(api):
    answer = api.get("/account/activity", headers={"Accept-Language": "ko"})

    assert answer.data[0]["description"] != "Signed in"


def test_the_activity_list_shows_at_most_twenty(api, user):
    for _attempt in range(25):
        AuthEvent.objects.record("login", user=user)

    assert len(api.get("/account/activity").data) == 20


def test_the_activity_list_needs_a_sign_in(db):
    assert AppClient().get("/account/activity").status == 401
