"""A passkey challenge is single-use under parallel requests to a real server.

gunicorn in the production profile (two workers, threads), SQLite. The
passkey reports a signature counter of 0, as synced passkeys do, so the
counter check cannot catch a replay: only the challenge being spent once can.
"""

import json
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from .authenticator import SoftAuthenticator
from .live import Browser, GunicornServer, create_user, prepare, production_environment

pytestmark = pytest.mark.live

PASSWORD = "correct-horse-battery-staple"
PORT = 18530
ORIGIN = "https://localhost"
PARALLEL = 8


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("passkeys")
    env = production_environment(
        tmp_path,
        WEB_CONCURRENCY="2",
        SITE_URL=ORIGIN,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        RATELIMIT_LOGIN="1000/m",
    )
    prepare(env)
    create_user(env, "alice", PASSWORD)
    with GunicornServer(PORT, env, tmp_path / "gunicorn.log") as running:
        yield running


def csrf_token(browser, path):
    page = browser.get(path)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)[1]


def post_json(browser, path, data, token):
    response = browser.request(
        "POST",
        path,
        body=json.dumps(data),
        headers={
            "Content-Type": "application/json",
            "X-CSRFToken": token,
            "Origin": browser.origin,
            "Referer": f"{browser.origin}/accounts/login/",
        },
    )
    # A request that lost the race to a sign-in in the same session may meet
    # Django's own 400 page (its session row was replaced meanwhile).
    is_json = response.header("Content-Type") == "application/json"
    return response.status, json.loads(response.body) if is_json else {}


def test_one_passkey_answer_sent_many_times_at_once_signs_in_once(server):
    alice = Browser(server.port)
    assert alice.login("alice", PASSWORD).status == 302
    token = csrf_token(alice, "/accounts/passkeys/add/")
    status, options = post_json(alice, "/accounts/passkeys/add/options/", {}, token)
    assert status == 200
    authenticator = SoftAuthenticator(synced=True)
    credential = authenticator.register(options, origin=ORIGIN)
    status, answer = post_json(
        alice,
        "/accounts/passkeys/add/verify/",
        {"name": "Phone", "credential": credential},
        token,
    )
    assert status == 200, answer

    stranger = Browser(server.port)
    token = csrf_token(stranger, "/accounts/login/")
    status, options = post_json(
        stranger, "/accounts/passkeys/login/options/", {}, token
    )
    assert status == 200
    signed = authenticator.sign(options, origin=ORIGIN, counter=0)

    def send(_):
        # Each copy from the same browser: same session, same challenge.
        copy = Browser(server.port)
        copy.cookies = dict(stranger.cookies)
        return post_json(
            copy, "/accounts/passkeys/login/", {"credential": signed}, token
        )[0]

    with ThreadPoolExecutor(PARALLEL) as pool:
        statuses = list(pool.map(send, range(PARALLEL)))

    # At most one copy signs in. The others are refused: their challenge is
    # spent (400), or their failures, counted like wrong passwords, lock the
    # account meanwhile (429), which may refuse the one good copy too.
    assert statuses.count(200) <= 1, statuses
    assert set(statuses) <= {200, 400, 429}, statuses
    if 200 in statuses:
        log = server.wait_for_log("auth event login user=1")
        assert log.count("auth event passkey_used") == 1
