import io
import logging
from functools import partial

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from accounts import signals
from accounts.models import AuthEvent

from .conftest import LOGIN_URL, post_login

pytestmark = pytest.mark.django_db

Type = AuthEvent.Type
User = get_user_model()
LOGOUT_URL = reverse("accounts:logout")
IP = "198.51.100.23"
UA = "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0"


login = partial(post_login, ip=IP, HTTP_USER_AGENT=UA)


def events(event_type):
    return list(AuthEvent.objects.filter(event_type=event_type))


def test_sign_in_is_recorded_once_with_user_address_and_device(client, user, password):
    login(client, "alice", password)

    (event,) = events(Type.LOGIN)
    assert event.user == user
    assert event.ip_address == IP
    assert event.user_agent == UA
    assert AuthEvent.objects.count() == 1


@override_settings(AUTHSITE_TRUSTED_PROXY_COUNT=1)
def test_events_record_the_client_address_behind_a_trusted_proxy(
    client, user, password
):
    login(client, "alice", password, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")

    assert events(Type.LOGIN)[0].ip_address == "203.0.113.5"


def test_failed_sign_in_keeps_the_typed_name_and_the_account(client, user):
    login(client, "ALICE@example.com", "wrong-password")

    (event,) = events(Type.LOGIN_FAILED)
    assert event.user == user
    assert event.ip_address == IP
    assert event.detail == {"identifier": "ALICE@example.com"}


def test_failed_sign_in_for_an_unknown_name_has_no_user(client, db):
    login(client, "nobody", "wrong-password")

    (event,) = events(Type.LOGIN_FAILED)
    assert event.user is None
    assert event.detail == {"identifier": "nobody"}


def test_sign_out_is_recorded_once(client, user, password):
    login(client, "alice", password)

    client.post(LOGOUT_URL, REMOTE_ADDR=IP)

    (event,) = events(Type.LOGOUT)
    assert event.user == user
    assert event.ip_address == IP


def test_lockout_is_recorded_once_when_the_limit_is_reached(client, user, password):
    for _ in range(5):
        login(client, "alice", "wrong-password")
    login(client, "alice", password)  # refused while locked
    login(client, "alice", "wrong-password")  # refused too

    (event,) = events(Type.LOCKOUT)
    assert event.user == user
    assert event.ip_address == IP
    assert event.detail["failures"] == 5
    assert event.detail["cool_off_minutes"] == 15
    # Refused attempts are counted on the lock, not recorded one by one.
    assert event.detail["refused"] == 2
    assert len(events(Type.LOGIN_FAILED)) == 5
    assert events(Type.LOGIN) == []


def _request():
    return RequestFactory().post("/", REMOTE_ADDR=IP, HTTP_USER_AGENT=UA)


# The signals below are sent by issue 3 (account lifecycle) and issue 4
# (sessions); once merged, their HTTP tests should assert these events too.
@pytest.mark.parametrize(
    ("signal", "kwargs", "event_type", "detail"),
    [
        (signals.user_signed_up, {}, Type.SIGNUP, {}),
        (
            signals.email_verified,
            {"email": "alice@example.com"},
            Type.EMAIL_VERIFIED,
            {"email": "alice@example.com"},
        ),
        (
            signals.email_changed,
            {"old_email": "alice@example.com", "new_email": "a@example.org"},
            Type.EMAIL_CHANGED,
            {"old_email": "alice@example.com", "new_email": "a@example.org"},
        ),
        (signals.password_changed, {}, Type.PASSWORD_CHANGED, {}),
        (
            signals.password_reset_requested,
            {"email": "alice@example.com"},
            Type.PASSWORD_RESET_REQUESTED,
            {"email": "alice@example.com"},
        ),
        (signals.password_reset_completed, {}, Type.PASSWORD_RESET_DONE, {}),
        (
            signals.session_ended,
            {"session_key": "k" * 32, "by": "user"},
            Type.SESSION_ENDED_BY_USER,
            {},
        ),
        (
            signals.session_ended,
            {"session_key": "k" * 32, "by": "admin"},
            Type.SESSION_ENDED_BY_ADMIN,
            {},
        ),
        (
            signals.session_ended,
            {"session_key": "k" * 32, "by": "system"},
            Type.SESSION_ENDED_BY_SYSTEM,
            {},
        ),
    ],
)
def test_account_signals_are_recorded_once_with_user_and_address(
    user, signal, kwargs, event_type, detail
):
    signal.send(sender=User, user=user, request=_request(), **kwargs)

    (event,) = AuthEvent.objects.all()
    assert event.event_type == event_type
    assert event.user == user
    assert event.ip_address == IP
    assert event.user_agent == UA
    assert event.detail == detail


def test_reset_requested_for_an_unknown_address_is_recorded_without_user(db):
    signals.password_reset_requested.send(
        sender=User, email="nobody@example.com", user=None, request=_request()
    )

    (event,) = events(Type.PASSWORD_RESET_REQUESTED)
    assert event.user is None
    assert event.detail == {"email": "nobody@example.com"}


def test_signals_sent_outside_a_request_are_recorded_without_address(user):
    signals.password_changed.send(sender=User, user=user, request=None)

    (event,) = events(Type.PASSWORD_CHANGED)
    assert event.user == user
    assert event.ip_address is None


def test_events_outlive_a_deleted_account(user, password):
    client = Client()
    login(client, "alice", password)
    user_id = user.pk

    signals.account_deleted.send(sender=User, user=user, request=_request())
    user.delete()

    assert AuthEvent.objects.count() == 2
    assert set(AuthEvent.objects.values_list("user", flat=True)) == {None}
    assert events(Type.ACCOUNT_DELETED)[0].detail == {"user_id": user_id}


def test_each_event_writes_one_log_line_without_secrets(client, user, password, caplog):
    with caplog.at_level(logging.INFO, logger="accounts.events"):
        login(client, "alice", password)
        session_key = client.session.session_key
        signals.session_ended.send(
            sender=User,
            user=user,
            session_key=session_key,
            by="admin",
            request=_request(),
        )

    lines = [r for r in caplog.records if r.name == "accounts.events"]
    assert [r.event_type for r in lines] == [Type.LOGIN, Type.SESSION_ENDED_BY_ADMIN]
    assert {r.user_id for r in lines} == {user.pk}
    assert {r.ip for r in lines} == {IP}
    assert all(session_key not in r.getMessage() for r in lines)


def test_no_password_or_session_key_reaches_the_database_or_the_logs(make_user, caplog):
    secret = "Distinctive-Passphrase-4817"
    wrong = "Wrong-Guess-Passphrase-9932"
    make_user("alice", password=secret)
    make_user("boss", password=secret, is_staff=True, is_superuser=True)

    with caplog.at_level(logging.DEBUG):
        client = Client()
        login(client, "alice", wrong)
        login(client, "nobody", wrong)
        login(client, "alice", secret)
        session_key = client.session.session_key
        client.post(LOGOUT_URL)
        for _ in range(6):
            login(Client(), "boss", wrong, url=LOGIN_URL + "?next=/admin/")
        login(Client(), "boss", secret, url=LOGIN_URL + "?next=/admin/")
        signals.session_ended.send(
            sender=User,
            user=User.objects.get(username="alice"),
            session_key=session_key,
            by="user",
            request=_request(),
        )
    dump = _dumpdata("accounts.authevent", "accounts.lockoutcounter")
    full_dump = _dumpdata()

    assert AuthEvent.objects.filter(event_type=Type.LOCKOUT).count() == 1
    for text in (dump, full_dump, caplog.text):
        assert secret not in text
        assert wrong not in text
    assert session_key not in dump
    assert session_key not in caplog.text


def _dumpdata(*labels):
    out = io.StringIO()
    call_command("dumpdata", *labels, stdout=out)
    return out.getvalue()
