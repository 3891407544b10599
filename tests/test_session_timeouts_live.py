"""Idle and absolute session timeouts on a live server whose clock moves.

gunicorn serves ``tests.clock_wsgi``: the site, with ``timezone.now`` and
``time.time`` ahead of the real clock by the seconds the test writes to a
file. Hours and days pass in a write; nothing sleeps. The production
profile's defaults apply (``SESSION_IDLE_TIMEOUT`` 30 minutes, activity
recorded at most every ``SESSION_ACTIVITY_RESOLUTION``, 5 minutes;
``SESSION_REMEMBER_AGE`` 14 days) except ``SESSION_ABSOLUTE_TIMEOUT``: one
day instead of 30, so that a session in use every 29 minutes reaches it
in 50 requests.
"""

import pytest

from .live import Browser, GunicornServer, create_users, prepare, production_environment
from .load import PASSWORD

pytestmark = pytest.mark.live

PORT = 18620
MINUTE = 60


class Clock:
    """Moves the live server's clock: ``clock.advance(minutes=31)``."""

    def __init__(self, path):
        self.path = path
        self.seconds = 0.0
        path.write_text("0")

    def advance(self, *, minutes=0, hours=0):
        self.seconds += (minutes + 60 * hours) * MINUTE
        self.path.write_text(str(self.seconds))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("session-clock")
    env = production_environment(
        tmp_path,
        WEB_CONCURRENCY="2",
        SESSION_ABSOLUTE_TIMEOUT=str(24 * 60 * MINUTE),
        TEST_CLOCK_FILE=str(tmp_path / "clock"),
    )
    prepare(env)
    create_users(env, ("idle", "active", "remembered"), PASSWORD)
    with GunicornServer(
        PORT, env, tmp_path / "gunicorn.log", app="tests.clock_wsgi"
    ) as server:
        server.clock_file = tmp_path / "clock"
        yield server


@pytest.fixture
def clock(site):
    clock = Clock(site.clock_file)
    yield clock
    clock.path.write_text("0")


def signed_in(username, *, remember=False) -> Browser:
    browser = Browser(PORT)
    fields = {"username": username, "password": PASSWORD}
    if remember:
        fields["remember_me"] = "on"
    response = browser.post_form("/accounts/login/", fields)
    assert response.status == 302, response.body
    assert dashboard(browser) == 200
    return browser


def dashboard(browser) -> int | str:
    """200 if the dashboard is shown, ``"signed out"`` if sent to sign in."""
    response = browser.get("/dashboard/")
    if response.status == 302 and response.header("Location").startswith(
        "/accounts/login/"
    ):
        return "signed out"
    return response.status


def test_a_session_left_idle_past_the_idle_timeout_ends_and_one_in_use_does_not(
    site, clock
):
    idle = signed_in("idle")
    active = signed_in("active")

    clock.advance(minutes=29)
    assert dashboard(active) == 200
    clock.advance(minutes=7)  # idle: 36 minutes without a request

    assert dashboard(idle) == "signed out"
    assert dashboard(active) == 200
    for _ in range(3):  # active: a request every 29 minutes for 2 hours
        clock.advance(minutes=29)
        assert dashboard(active) == 200
    clock.advance(minutes=36)
    assert dashboard(active) == "signed out"


def test_no_session_outlives_the_absolute_timeout_however_it_is_used(site, clock):
    browser_session = signed_in("active")
    remembered = signed_in("remembered", remember=True)

    for n in range(1, 50):  # one in use every 29 minutes: 23 h 41 min
        clock.advance(minutes=29)
        assert dashboard(browser_session) == 200
        if n == 24:  # no idle timeout for a remembered session: 11 h 36 min
            assert dashboard(remembered) == 200
    clock.advance(minutes=20)  # 24 h 1 min after sign-in, 20 min after use

    assert dashboard(browser_session) == "signed out"
    assert dashboard(remembered) == "signed out"
    assert signed_in("remembered", remember=True)  # signing in again works
