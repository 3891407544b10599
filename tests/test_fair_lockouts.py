"""Lockouts and rate limits that stop guessing without locking out bystanders."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuthEvent, LockoutCounter

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")
LOGOUT_URL = reverse("accounts:logout")
ACTIVITY_URL = reverse("accounts:activity")
WRONG = "not-the-password"
Type = AuthEvent.Type


def login(username, password, ip="198.51.100.1", client=None):
    return (client or Client()).post(
        LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def fail(username, times=5, ip="198.51.100.1"):
    for _ in range(times):
        login(username, WRONG, ip=ip)


# Escalating cool-offs


def test_each_further_lock_of_an_account_lasts_twice_as_long(user, password, clock):
    waits = []
    for _lock in range(3):
        fail("alice")
        locked = login("alice", password, ip="203.0.113.9")
        waits.append(int(locked["Retry-After"]))
        clock.advance(seconds=waits[-1] + 1)

    assert waits == [900, 1800, 3600]
    assert login("alice", password, ip="203.0.113.9").status_code == 302


@override_settings(AUTHSITE_LOCKOUT_COOLOFF_MAX_MINUTES=40)
def test_escalation_stops_at_the_longest_cool_off(user, password, clock):
    waits = []
    for _lock in range(3):
        fail("alice")
        waits.append(int(login("alice", password)["Retry-After"]))
        clock.advance(seconds=waits[-1] + 1)

    assert waits == [900, 1800, 2400]


def test_a_day_without_failures_forgets_earlier_locks(user, password, clock):
    fail("alice")
    clock.advance(minutes=16)
    clock.advance(hours=24)

    fail("alice")

    assert login("alice", password)["Retry-After"] == "900"


def test_a_successful_sign_in_forgets_earlier_locks(user, password, clock):
    fail("alice")
    clock.advance(minutes=16)
    assert login("alice", password).status_code == 302

    fail("alice")

    assert login("alice", password)["Retry-After"] == "900"


def test_an_attempt_during_a_lock_keeps_it_for_another_cool_off(user, password, clock):
    fail("alice")
    clock.advance(minutes=10)
    assert login("alice", WRONG, ip="203.0.113.5").status_code == 429

    clock.advance(minutes=10)

    assert login("alice", password, ip="203.0.113.5").status_code == 429
    clock.advance(minutes=16)
    assert login("alice", password, ip="203.0.113.5").status_code == 302


# The client address: its own limit, IPv6 by /64


@override_settings(AUTHSITE_LOCKOUT_IP_FAILURE_LIMIT=5)
def test_ipv6_failures_count_for_their_whole_slash_64(make_user, password):
    make_user("bob")
    for n in range(5):
        login(f"guess{n}", WRONG, ip=f"2001:db8:1:2::{n + 1:x}")

    same_network = login("bob", password, ip="2001:db8:1:2:ffff:ffff:ffff:1")
    next_network = login("bob", password, ip="2001:db8:1:3::1")

    assert same_network.status_code == 429
    assert next_network.status_code == 302
    assert list(
        LockoutCounter.objects.filter(scope="address").values_list("key", flat=True)
    ) == ["2001:db8:1:2::/64"]


@override_settings(AUTHSITE_RATELIMIT_LOGIN="3/m")
def test_ipv6_addresses_share_their_slash_64s_rate_limit(user, password):
    answers = [
        login("alice", password, ip=f"2001:db8:aa:bb::{n + 1:x}").status_code
        for n in range(4)
    ]

    assert answers == [302, 302, 302, 429]
    assert login("alice", password, ip="2001:db8:aa:bc::1").status_code == 302


@override_settings(AUTHSITE_LOCKOUT_IP_FAILURE_LIMIT=5)
def test_an_ipv4_mapped_address_counts_as_the_ipv4_address(make_user, password):
    make_user("bob")
    for n in range(5):
        login(f"guess{n}", WRONG, ip="::ffff:192.0.2.7")

    assert login("bob", password, ip="192.0.2.7").status_code == 429


def test_the_address_limit_is_a_setting(make_user, password, settings):
    settings.AUTHSITE_LOCKOUT_IP_FAILURE_LIMIT = 8
    make_user("bob")
    for n in range(7):
        login(f"guess{n}", WRONG, ip="198.51.100.40")
    assert login("bob", password, ip="198.51.100.40").status_code == 302

    login("guess7", WRONG, ip="198.51.100.40")

    assert login("bob", password, ip="198.51.100.40").status_code == 429


# A lock is one event with a count


def test_attempts_refused_during_a_lock_are_one_event_with_a_count(user, password):
    fail("alice")
    for n in range(20):
        login("alice", WRONG, ip=f"203.0.113.{n + 1}")

    (lock,) = AuthEvent.objects.filter(event_type=Type.LOCKOUT)
    assert lock.detail["refused"] == 20
    assert lock.detail["scope"] == "account"
    assert AuthEvent.objects.filter(event_type=Type.LOGIN_FAILED).count() == 5


@override_settings(AUTHSITE_RATELIMIT_LOGIN="1000/m")
def test_a_locked_address_is_nobodys_account_event(make_user, password):
    bob = make_user("bob")
    for n in range(29):
        login(f"guess{n}", WRONG, ip="198.51.100.77")
    login("bob", WRONG, ip="198.51.100.77")  # the thirtieth failure

    (lock,) = AuthEvent.objects.filter(event_type=Type.LOCKOUT)
    assert lock.user is None
    assert lock.detail["scope"] == "address"
    assert lock.ip_address == "198.51.100.77"
    assert not bob.auth_events.filter(event_type=Type.LOCKOUT).exists()


def test_the_activity_page_groups_repeated_failures(user, password, clock):
    client = Client()
    login("alice", password, client=client)
    for _n in range(25):
        login("alice", WRONG, ip="203.0.113.66")
        clock.advance(minutes=16)  # no lock: each failure is forgotten
    AuthEvent.objects.record(Type.PASSWORD_CHANGED, user=user)
    client.force_login(user)  # the first session has expired meanwhile

    response = client.get(ACTIVITY_URL)

    rows = list(response.context["events"])
    body = response.content.decode()
    assert [row.event_type for row in rows] == [
        "password_changed",
        "login_failed",
        "login",
    ]
    assert rows[1].repeats == 25
    assert "(25 times in a row)" in body


def test_a_lock_on_the_activity_page_says_how_many_attempts_it_refused(user, password):
    fail("alice")
    for _n in range(3):
        login("alice", WRONG, ip="203.0.113.8")
    client = Client()
    client.force_login(user)

    body = client.get(ACTIVITY_URL).content.decode()

    assert "Sign-in paused after too many failures" in body
    assert "(3 more attempts refused)" in body
    assert "(4 times in a row)" in body  # the failures before the lock


# Retention


def _prune(*args):
    out = StringIO()
    call_command("prune_auth_events", *args, stdout=out)
    return out.getvalue()


def _event(event_type, user=None, days=0):
    event = AuthEvent.objects.record(event_type, user=user)
    AuthEvent.objects.filter(pk=event.pk).update(
        created_at=timezone.now() - timedelta(days=days)
    )
    return event.pk


def test_failed_and_anonymous_events_are_kept_for_a_shorter_time(user):
    kept = {
        _event(Type.LOGIN, user, days=31),
        _event(Type.PASSWORD_RESET_REQUESTED, user, days=31),
        _event(Type.LOGIN_FAILED, user, days=29),
    }
    _event(Type.LOGIN_FAILED, user, days=31)
    _event(Type.LOGIN_FAILED, None, days=31)
    _event(Type.TWO_FACTOR_FAILED, user, days=31)
    _event(Type.LOCKOUT, None, days=31)
    _event(Type.PASSWORD_RESET_REQUESTED, None, days=31)

    output = _prune()

    assert set(AuthEvent.objects.values_list("pk", flat=True)) == kept
    assert "Deleted 5 failure and anonymous events older than 30 days" in output


@override_settings(AUTHSITE_AUTH_EVENT_FAILURE_RETENTION_DAYS=7)
def test_the_shorter_retention_is_a_setting(user):
    _event(Type.LOGIN_FAILED, user, days=8)
    kept = _event(Type.LOGIN_FAILED, user, days=6)

    _prune()

    assert list(AuthEvent.objects.values_list("pk", flat=True)) == [kept]


def test_prune_removes_lockout_counts_no_lock_needs(user, password, clock):
    fail("alice", times=2)
    fail("bob", times=5, ip="203.0.113.3")
    clock.advance(hours=25)
    fail("carol", times=1)

    _prune()

    assert set(LockoutCounter.objects.values_list("key", flat=True)) == {
        "carol",
        "198.51.100.1",
    }


# Password-reset links


def _reset_link(uid="MQ", token="abc-0123456789abcdef"):  # noqa: S107
    return reverse("accounts:password_reset_confirm", args=[uid, token])


def test_guessing_reset_link_tokens_is_rate_limited_per_address(user):
    answers = [
        Client().get(_reset_link(token=f"cz{n}-{n:032x}"), REMOTE_ADDR="203.0.113.4")
        for n in range(15)
    ]

    statuses = [answer.status_code for answer in answers]
    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429] * 5
    assert answers[-1]["Retry-After"]
    other = Client().get(_reset_link(), REMOTE_ADDR="203.0.113.5")
    assert other.status_code == 400


@override_settings(AUTHSITE_RATELIMIT_PASSWORD_RESET_LINK="2/h")
def test_valid_reset_links_do_not_count_towards_the_limit(
    client, user, link_in_mail, mailoutbox
):
    client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
    link = link_in_mail(mailoutbox[-1], "/accounts/reset/")

    opened = [client.get(link).status_code for _n in range(3)]

    assert opened == [302, 302, 302]


# Sign-up


@override_settings(AUTHSITE_RATELIMIT_SIGNUP="2/h")
def test_sign_up_forms_sent_back_with_errors_do_not_count(client):
    def sign_up(n, password2="violet-harbour-91-lantern"):
        return client.post(
            reverse("accounts:signup"),
            {
                "username": f"user{n}",
                "email": f"user{n}@example.com",
                "password1": "violet-harbour-91-lantern",
                "password2": password2,
            },
        )

    typos = [sign_up(n, password2="typo").status_code for n in range(5)]
    valid = [sign_up(n).status_code for n in range(3)]

    assert typos == [200] * 5
    assert valid == [302, 302, 429]
