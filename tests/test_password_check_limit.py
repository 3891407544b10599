"""PASSWORD_CHECK_CONCURRENCY: a flood of password checks is refused fast."""

import threading
from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import Session
from accounts.security.hashers import (
    PasswordCheckBusy,
    password_check_slot,
    reserved_slot,
)

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")
LOGOUT_URL = reverse("accounts:logout")
ONE_SLOT_NO_WAIT = {
    "AUTHSITE_PASSWORD_CHECK_CONCURRENCY": 1,
    "AUTHSITE_PASSWORD_CHECK_RESERVED": 1,
    "AUTHSITE_PASSWORD_CHECK_TIMEOUT": 0,
}


@contextmanager
def slots_held(*, shared=1, reserved=0):
    """Other requests (threads) are busy hashing in these slots."""
    holders, release = [], threading.Event()

    def hold(known_device, taken):
        with reserved_slot(known_device=known_device), password_check_slot():
            taken.set()
            release.wait(10)

    # A known device takes a reserved slot first, so those are filled first.
    for known_device in [True] * reserved + [False] * shared:
        taken = threading.Event()
        holder = threading.Thread(target=hold, args=(known_device, taken))
        holder.start()
        assert taken.wait(10)
        holders.append(holder)
    try:
        yield
    finally:
        release.set()
        for holder in holders:
            holder.join()


@pytest.fixture
def slot_taken_elsewhere():
    """Another request (thread) is busy hashing in the only shared slot."""
    with override_settings(**ONE_SLOT_NO_WAIT), slots_held():
        yield


def returning_browser(username, password):
    """A browser ``username`` signed in from before: it has the known-device cookie."""
    browser = Client()
    response = browser.post(LOGIN_URL, {"username": username, "password": password})
    assert response.status_code == 302
    browser.post(LOGOUT_URL)
    return browser


def test_login_while_every_slot_is_busy_gets_503_with_retry_after(
    client, user, password, slot_taken_elsewhere
):
    response = client.post(LOGIN_URL, {"username": "alice", "password": password})

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "The site is busy" in response.content.decode()
    assert Session.objects.count() == 0
    user.refresh_from_db()
    assert user.last_login is None


def test_unknown_user_is_refused_the_same_way_when_busy(client, slot_taken_elsewhere):
    response = client.post(LOGIN_URL, {"username": "nobody", "password": "x"})

    assert response.status_code == 503


def test_busy_page_is_translated(client, user, password, slot_taken_elsewhere):
    response = client.post(
        LOGIN_URL,
        {"username": "alice", "password": password},
        headers={"accept-language": "ko"},
    )

    assert "사이트가 혼잡합니다" in response.content.decode()


def test_login_works_again_once_the_slot_is_free(client, user, password):
    with override_settings(**ONE_SLOT_NO_WAIT):
        response = client.post(LOGIN_URL, {"username": "alice", "password": password})

    assert response.status_code == 302


def test_pbkdf2_hash_needs_only_one_slot_even_though_verify_calls_encode():
    encoded = make_password("secret-one-two", hasher="pbkdf2_sha256")

    with override_settings(**ONE_SLOT_NO_WAIT):
        assert check_password("secret-one-two", encoded)


def test_a_waiting_check_gets_the_slot_when_it_frees_up_in_time():
    encoded = make_password("secret-one-two")
    results = []
    with override_settings(
        AUTHSITE_PASSWORD_CHECK_CONCURRENCY=1, AUTHSITE_PASSWORD_CHECK_TIMEOUT=10
    ):
        with password_check_slot():
            waiter = threading.Thread(
                target=lambda: results.append(check_password("secret-one-two", encoded))
            )
            waiter.start()
        waiter.join()

    assert results == [True]


def test_a_known_device_waits_for_a_slot_up_to_its_own_timeout():
    encoded = make_password("secret-one-two")
    results = []

    def known_device_check():
        with reserved_slot(known_device=True):
            results.append(check_password("secret-one-two", encoded))

    waits = {
        **ONE_SLOT_NO_WAIT,
        "PASSWORD_CHECK_RESERVED": 0,
        "PASSWORD_CHECK_TIMEOUT": 10,
    }
    with override_settings(**waits):
        with password_check_slot():
            waiter = threading.Thread(target=known_device_check)
            waiter.start()
        waiter.join()

    assert results == [True]


def test_zero_disables_the_limit():
    with override_settings(
        AUTHSITE_PASSWORD_CHECK_CONCURRENCY=0, AUTHSITE_PASSWORD_CHECK_TIMEOUT=0
    ):
        assert get_user_model()(password=make_password("pw")).check_password("pw")


def test_busy_is_raised_for_hashing_too(slot_taken_elsewhere):
    with pytest.raises(PasswordCheckBusy):
        make_password("a new password")


def test_known_device_signs_in_while_strangers_fill_every_shared_slot(user, password):
    owner = returning_browser("alice", password)

    with override_settings(**ONE_SLOT_NO_WAIT), slots_held():
        stranger = Client().post(LOGIN_URL, {"username": "alice", "password": password})
        response = owner.post(LOGIN_URL, {"username": "alice", "password": password})

    assert stranger.status_code == 503
    assert response.status_code == 302
    assert owner.get(reverse("accounts:dashboard")).status_code == 200


def test_known_device_of_another_account_gets_no_reserved_slot(make_user, password):
    make_user("alice")
    make_user("bob")
    bobs_browser = returning_browser("bob", password)

    with override_settings(**ONE_SLOT_NO_WAIT), slots_held():
        response = bobs_browser.post(
            LOGIN_URL, {"username": "alice", "password": password}
        )

    assert response.status_code == 503


def test_tampered_known_device_cookie_gets_no_reserved_slot(user, password):
    owner = returning_browser("alice", password)
    owner.cookies["known_device"] = owner.cookies["known_device"].value + "x"

    with override_settings(**ONE_SLOT_NO_WAIT), slots_held():
        response = owner.post(LOGIN_URL, {"username": "alice", "password": password})

    assert response.status_code == 503


def test_no_slot_is_reserved_when_the_setting_is_zero(user, password):
    owner = returning_browser("alice", password)

    no_reserve = {**ONE_SLOT_NO_WAIT, "AUTHSITE_PASSWORD_CHECK_RESERVED": 0}
    with override_settings(**no_reserve), slots_held():
        response = owner.post(LOGIN_URL, {"username": "alice", "password": password})

    assert response.status_code == 503


def test_known_device_uses_a_free_shared_slot_when_the_reserved_ones_are_busy(
    user, password
):
    owner = returning_browser("alice", password)

    with override_settings(**ONE_SLOT_NO_WAIT), slots_held(shared=0, reserved=1):
        response = owner.post(LOGIN_URL, {"username": "alice", "password": password})

    assert response.status_code == 302


def test_known_device_gets_503_when_every_slot_is_busy(user, password):
    owner = returning_browser("alice", password)

    with override_settings(**ONE_SLOT_NO_WAIT), slots_held(shared=1, reserved=1):
        response = owner.post(LOGIN_URL, {"username": "alice", "password": password})

    assert response.status_code == 503
    assert response["Retry-After"] == "5"


def test_strangers_never_take_a_reserved_slot(user, password):
    with override_settings(**ONE_SLOT_NO_WAIT), slots_held(shared=1, reserved=0):
        response = Client().post(LOGIN_URL, {"username": "alice", "password": password})

    assert response.status_code == 503


def test_once_a_stranger_was_refused_the_next_ones_do_not_wait(user, password):
    """In a flood, waiting guesses would hold every server thread."""
    release = threading.Event()
    taken = threading.Event()

    def hold():
        with password_check_slot():
            taken.set()
            release.wait(10)

    with override_settings(**{**ONE_SLOT_NO_WAIT, "PASSWORD_CHECK_TIMEOUT": 0.5}):
        holder = threading.Thread(target=hold)
        holder.start()
        taken.wait(10)
        first = Client().post(LOGIN_URL, {"username": "alice", "password": password})
        # The slot frees up soon, well within the timeout: a stranger that
        # waited would get it.
        threading.Timer(0.1, release.set).start()
        second = Client().post(LOGIN_URL, {"username": "alice", "password": password})
        holder.join()

    assert first.status_code == 503
    assert second.status_code == 503
