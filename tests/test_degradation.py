"""What a request gets when the cache or the database fails under it.

The cache (Redis) down: rate limits fail open, logged once per process and
interval, while the lockout (counted in the database) still holds. A service
that fails mid-request: a 503 page with ``Retry-After``, never a 500.
docs/reliability.md gives the decisions; tests/test_faults.py shows them
under load on real servers.
"""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import reverse

from accounts.users.managers import UserQuerySet

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "violet-harbour-91-lantern"
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens: refused at once
    },
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
CACHED_DB = "accounts.usersessions.backends.cached_db"


def signup(client, n):
    return client.post(
        reverse("accounts:signup"),
        {
            "username": f"user{n}",
            "email": f"user{n}@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


@override_settings(AUTHSITE_RATELIMIT_SIGNUP="1/h")
def test_with_the_cache_down_sign_ups_go_through_uncounted_and_it_is_logged_once(
    client, caplog
):
    with (
        override_settings(CACHES=UNREACHABLE_REDIS),
        caplog.at_level(logging.WARNING, logger="accounts.security.ratelimit"),
    ):
        answers = [signup(client, n).status_code for n in range(3)]

    assert answers == [302, 302, 302]
    assert User.objects.count() == 3
    warnings = [r for r in caplog.records if r.name == "accounts.security.ratelimit"]
    assert len(warnings) == 1
    assert "Rate limits are not counted" in warnings[0].getMessage()
    assert "Traceback" not in caplog.text


@override_settings(AUTHSITE_RATELIMIT_SIGNUP="1/h")
def test_once_the_cache_is_back_the_limits_count_again(client):
    with override_settings(CACHES=UNREACHABLE_REDIS):
        assert signup(client, 0).status_code == 302

    assert [signup(client, n).status_code for n in (1, 2)] == [302, 429]


def test_with_the_cache_down_the_lockout_still_holds(client, user, password):
    with override_settings(CACHES=UNREACHABLE_REDIS):
        answers = [
            client.post(
                reverse("accounts:login"), {"username": "alice", "password": "nope"}
            ).status_code
            for _ in range(5)
        ]
        right = Client().post(
            reverse("accounts:login"), {"username": "alice", "password": password}
        )

    # The fifth failure reaches the limit, counted in the database.
    assert answers == [200, 200, 200, 200, 429]
    assert right.status_code == 429


def test_cached_db_sessions_need_the_cache_and_fail_closed_without_it(settings, user):
    settings.SESSION_ENGINE = CACHED_DB
    browser = Client(raise_request_exception=False)
    browser.force_login(user)

    with override_settings(CACHES=UNREACHABLE_REDIS):
        page = browser.get(reverse("accounts:dashboard"))

    # A 503, not a stale copy of the session (docs/reliability.md); the
    # session itself is untouched and works once the cache is back.
    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    assert "Temporarily unavailable" in page.content.decode()
    assert browser.get(reverse("accounts:dashboard")).status_code == 200


def test_a_database_that_drops_mid_request_gets_the_503_page(client, user, monkeypatch):
    def dropped(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(UserQuerySet, "with_email", dropped)
    client.raise_request_exception = False

    response = client.post(
        reverse("accounts:password_reset"), {"email": "alice@example.com"}
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Temporarily unavailable" in response.content.decode()
    assert "server closed" not in response.content.decode()


def test_other_errors_still_get_the_500_page(client, user, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(UserQuerySet, "with_email", broken)
    client.raise_request_exception = False

    response = client.post(
        reverse("accounts:password_reset"), {"email": "alice@example.com"}
    )

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
