import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """A request in Korean leaves Korean active; start each test in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def make_user(db):
    """Create users with a known password: ``make_user("alice", is_staff=True)``."""

    def make(username="alice", *, email=None, password=PASSWORD, **fields):
        return get_user_model().objects.create_user(
            username=username,
            email=email or f"{username}@example.com",
            password=password,
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


@pytest.fixture(autouse=True)
def _empty_cache():
    """Start every test with an empty cache; with CACHE_URL on a shared Redis,
    counters and cached sessions would otherwise leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
