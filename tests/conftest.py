import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import translation

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """A request in Korean leaves Korean active; start each test in English."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def make_user(db):
    """Create users with a known password: ``make_user("alice", is_staff=True)``.

    Users have a confirmed email address unless ``email_verified=False``.
    """

    def make(
        username="alice",
        *,
        email=None,
        password=PASSWORD,
        email_verified=True,
        **fields,
    ):
        return get_user_model().objects.create_user(
            username=username,
            email=email or f"{username}@example.com",
            password=password,
            email_verified=email_verified,
            **fields,
        )

    return make


@pytest.fixture
def user(make_user):
    return make_user()


@pytest.fixture
def logged_in_client(client, user):
    client.force_login(user)
    return client
