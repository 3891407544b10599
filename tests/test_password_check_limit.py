"""PASSWORD_CHECK_CONCURRENCY: a flood of password checks is refused fast."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse

from accounts.hashers import PasswordCheckBusy, password_check_slot

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")
ONE_SLOT_NO_WAIT = {"PASSWORD_CHECK_CONCURRENCY": 1, "PASSWORD_CHECK_TIMEOUT": 0}


@pytest.fixture
def slot_taken_elsewhere():
    """Another request (thread) is busy hashing in the only slot."""
    taken, release = threading.Event(), threading.Event()

    def hold():
        with password_check_slot():
            taken.set()
            release.wait(10)

    with override_settings(**ONE_SLOT_NO_WAIT):
        holder = threading.Thread(target=hold)
        holder.start()
        taken.wait(10)
        yield
        release.set()
        holder.join()


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
    with override_settings(PASSWORD_CHECK_CONCURRENCY=1, PASSWORD_CHECK_TIMEOUT=10):
        with password_check_slot():
            waiter = threading.Thread(
                target=lambda: results.append(check_password("secret-one-two", encoded))
            )
            waiter.start()
        waiter.join()

    assert results == [True]


def test_zero_disables_the_limit():
    with override_settings(PASSWORD_CHECK_CONCURRENCY=0, PASSWORD_CHECK_TIMEOUT=0):
        assert get_user_model()(password=make_password("pw")).check_password("pw")


def test_busy_is_raised_for_hashing_too(slot_taken_elsewhere):
    with pytest.raises(PasswordCheckBusy):
        make_password("a new password")
