"""Look-alike sign-ups at the same moment: one account, never a 500.

Under gunicorn (production profile, two workers of four threads), eight
browsers send sign-ups of names that look alike at once. Each name passes
the check while none of the others exists yet; the unique index on the
username skeleton lets one in and the sign-up flow answers the others with
the form's "looks like an existing one".
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest

from .live import Browser, GunicornServer, prepare, production_environment, run_manage

pytestmark = pytest.mark.live

PORT = 18500
PASSWORD = "violet-harbour-91-lantern"
NAMES = ["bob", "b0b", "B0b", "bOb", "BOB", "b0B", "Bob", "BoB"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("look-alikes")
    env = production_environment(
        tmp_path, WEB_CONCURRENCY="2", GUNICORN_THREADS="4", RATELIMIT_SIGNUP="100/h"
    )
    prepare(env)
    with GunicornServer(PORT, env, tmp_path / "gunicorn.log") as running:
        running.env_for_manage = env
        yield running


def test_look_alike_sign_ups_at_once_make_one_account(server):
    start = threading.Barrier(len(NAMES))

    def sign_up(index):
        browser = Browser(server.port)
        token = CSRF.search(browser.get("/accounts/signup/").body)[1]
        body = urlencode(
            {
                "csrfmiddlewaretoken": token,
                "username": NAMES[index],
                "email": f"person{index}@example.com",
                "password1": PASSWORD,
                "password2": PASSWORD,
            }
        )
        start.wait(timeout=30)
        response = browser.request(
            "POST",
            "/accounts/signup/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"{browser.origin}/accounts/signup/",
                "Origin": browser.origin,
            },
        )
        return response.status, response.body

    with ThreadPoolExecutor(max_workers=len(NAMES)) as pool:
        results = list(pool.map(sign_up, range(len(NAMES))))

    statuses = [status for status, _ in results]
    assert statuses.count(302) == 1, statuses
    assert statuses.count(200) == len(NAMES) - 1, statuses
    for status, body in results:
        if status == 200:
            assert (
                "looks too much like an existing one" in body
                or "already exists" in body
            )
    count = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from accounts.models import User; print(User.objects.count())",
        env=server.env_for_manage,
    )
    assert count.stdout.strip() == "1", count.stderr
