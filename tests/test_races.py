"""The same request from several clients at once, against real gunicorn servers.

Each server runs two workers of four threads, so eight requests are handled
at the same moment, on SQLite (one file, serialised writers) and on
PostgreSQL (row locks). Limits and single-use links must hold: a burst may
not get more checks, codes or password changes through than one client
sending the same requests one after the other.
"""

import os
import re
import sqlite3
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pyotp
import pytest
from psycopg import sql

from .live import (
    CSRF_INPUT,
    Browser,
    GunicornServer,
    create_user,
    prepare,
    production_environment,
    run_manage,
)

pytestmark = pytest.mark.live

PASSWORD = "correct-horse-battery-staple"
NEW_PASSWORD = "violet-harbour-91-lantern"
# A TOTP secret set up for "carol" and "dave" by command (base32).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PORTS = {"sqlite": 18520, "postgres": 18521}
CODE_URL = "/accounts/login/code/"
BURST = 8
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def postgres_server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres", "postgresql")) else DEFAULT_POSTGRES_URL


def _psycopg_dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


class Database:
    """The server's database, read by the test to count what was written."""

    def __init__(self, url: str):
        self.url = url

    def count(self, query: str, *params) -> int:
        if self.url.startswith("sqlite"):
            with sqlite3.connect(self.url.removeprefix("sqlite:///")) as connection:
                return connection.execute(query.replace("%s", "?"), params).fetchone()[
                    0
                ]
        with psycopg.connect(_psycopg_dsn(self.url)) as connection:
            return connection.execute(query, params).fetchone()[0]

    def events(self, event_type: str) -> int:
        return self.count(
            "SELECT COUNT(*) FROM accounts_authevent WHERE event_type = %s", event_type
        )


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def site(request, tmp_path_factory):
    """A production server on SQLite or PostgreSQL, with its database."""
    backend = request.param
    tmp_path = tmp_path_factory.mktemp(f"races-{backend}")
    database_url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    admin_url = name = None
    if backend == "postgres":
        server = postgres_server_url()
        admin_url = _psycopg_dsn(server.rsplit("/", 1)[0] + "/postgres")
        name = f"authsite_races_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            )
        database_url = server.rsplit("/", 1)[0] + "/" + name
    env = production_environment(
        tmp_path,
        DATABASE_URL=database_url,
        WEB_CONCURRENCY="2",
        GUNICORN_THREADS="4",
        # Every request hashes at once: the lockout alone has to hold.
        PASSWORD_CHECK_CONCURRENCY="0",
        # A hash long enough for a burst to overlap it.
        ARGON2_MEMORY_COST="32768",
        ARGON2_TIME_COST="2",
        EMAIL_URL="filemail://",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        # Email goes out in the request (no db_worker runs beside this server).
        TASKS_BACKEND="immediate",
        RATELIMIT_LOGIN="1000/m",
        RATELIMIT_PASSWORD_RESET="1000/h",
        # One wrong code ends a half-done sign-in.
        TWO_FACTOR_MAX_ATTEMPTS="1",
    )
    try:
        prepare(env)
        for name_ in ("alice", "carol", "dave", "erin", "frank"):
            create_user(env, name_, PASSWORD)
        setup = run_manage(
            "shell",
            "-c",
            "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
            "from accounts.models import User, RecoveryCodeDevice\n"
            "import base64\n"
            f"key = base64.b32decode('{TOTP_SECRET}').hex()\n"
            "for name in ('carol', 'dave', 'frank'):\n"
            "    user = User.objects.get(username=name)\n"
            "    TOTPDevice.objects.create(user=user, key=key, name='app')\n"
            "    codes = RecoveryCodeDevice.objects.create(user=user, name='codes')"
            ".regenerate()\n"
            "    print(name, *codes)\n",
            env=env,
        )
        assert setup.returncode == 0, setup.stderr
        codes = {
            line.split()[0]: line.split()[1:]
            for line in setup.stdout.splitlines()
            if line.strip()
        }
        with GunicornServer(PORTS[backend], env, tmp_path / "gunicorn.log") as running:
            yield running, Database(database_url), codes
    finally:
        if name is not None:
            with psycopg.connect(admin_url, autocommit=True) as connection:
                connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(name)
                    )
                )


def csrf_token(browser: Browser, path: str) -> str:
    return CSRF_INPUT.search(browser.get(path).body)[1]


def post(browser: Browser, path: str, token: str, data: dict, headers=None):
    return browser.request(
        "POST",
        path,
        body=urlencode({**data, "csrfmiddlewaretoken": token}),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"{browser.origin}{path}",
            "Origin": browser.origin,
            **(headers or {}),
        },
    )


def at_once(requests):
    """Send every ``request()`` at the same moment; return their answers."""
    start = threading.Barrier(len(requests))

    def send(request):
        start.wait()
        return request()

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(send, requests))


def test_a_burst_of_wrong_passwords_gets_no_more_checks_than_the_limit(site):
    server, database, _codes = site
    clients = []
    for n in range(BURST + 4):
        browser = Browser(server.port)
        address = {"X-Forwarded-For": f"203.0.113.{n + 1}"}
        token = csrf_token(browser, "/accounts/login/")
        clients.append((browser, token, address))

    answers = at_once(
        [
            lambda b=b, t=t, a=a: post(
                b, "/accounts/login/", t, {"username": "alice", "password": "x"}, a
            )
            for b, t, a in clients
        ]
    )

    statuses = [answer.status for answer in answers]
    # Four wrong passwords are told so; the fifth locks (429), and every
    # other attempt is refused before its password is hashed.
    assert statuses.count(200) <= 4, statuses
    assert set(statuses) <= {200, 429}, statuses
    assert database.events("login_failed") <= 5
    assert database.events("lockout") == 1
    locked = Browser(server.port).login("alice", PASSWORD)
    assert locked.status == 429


def test_one_code_signs_in_one_browser(site):
    server, _database, _codes = site
    browsers = []
    for _n in range(4):
        browser = Browser(server.port)
        assert browser.login("carol", PASSWORD).header("Location") == CODE_URL
        browsers.append((browser, csrf_token(browser, CODE_URL)))
    code = pyotp.TOTP(TOTP_SECRET).now()

    answers = at_once(
        [lambda b=b, t=t: post(b, CODE_URL, t, {"code": code}) for b, t in browsers]
    )

    signed_in = [a for a in answers if a.header("Location") == "/dashboard/"]
    assert len(signed_in) == 1, [a.status for a in answers]


def test_a_burst_of_wrong_codes_is_checked_once_then_told_to_wait(site):
    """Confirming it's you: no sign-in cap here, only the code throttle."""
    server, database, codes = site
    browser = Browser(server.port)
    assert browser.login("dave", PASSWORD).header("Location") == CODE_URL
    token = csrf_token(browser, CODE_URL)
    assert post(browser, CODE_URL, token, {"code": codes["dave"][0]}).status == 302
    token = csrf_token(browser, "/accounts/reauthenticate/")
    before = database.events("two_factor_failed")

    answers = at_once(
        [
            lambda n=n: post(
                browser,
                "/accounts/reauthenticate/",
                token,
                {"password": PASSWORD, "code": f"{n:06d}"},
            )
            for n in range(BURST)
        ]
    )

    checked = [a for a in answers if "Your password or code was not correct" in a.body]
    told_to_wait = [a for a in answers if "then try again." in a.body]
    # Password checks at once beyond the limit wait too (429, never hashed).
    refused = [a for a in answers if a.status == 429]
    assert len(checked) <= 1
    assert len(checked) + len(told_to_wait) + len(refused) == BURST, [
        a.status for a in answers
    ]
    # A checked wrong code that starts a lock answers with the lock page.
    assert len(checked) <= database.events("two_factor_failed") - before <= 1


def test_wrong_codes_of_both_kinds_at_once_stay_within_the_sign_in_cap(site):
    """The app and the recovery codes wait apart; the cap (1 here) counts both."""
    server, database, _codes = site
    browser = Browser(server.port)
    assert browser.login("frank", PASSWORD).header("Location") == CODE_URL
    token = csrf_token(browser, CODE_URL)
    before = database.events("two_factor_failed")
    codes = [f"{n:06d}" for n in range(BURST)] + [
        f"wrong-{n:04d}" for n in range(BURST)
    ]

    at_once([lambda c=c: post(browser, CODE_URL, token, {"code": c}) for c in codes])

    assert database.events("two_factor_failed") - before <= 1
    assert browser.get(CODE_URL).header("Location") == "/accounts/login/"


def test_one_reset_link_sets_one_password(site):
    server, database, _codes = site
    mail = Path(server.env["EMAIL_FILE_PATH"])
    browser = Browser(server.port)
    before = set(mail.iterdir()) if mail.exists() else set()
    browser.post_form("/accounts/password/reset/", {"email": "erin@example.com"})
    (message,) = set(mail.iterdir()) - before
    link = re.search(
        r"https://127\.0\.0\.1(/accounts/reset/\S+/)", message.read_text()
    )[1]
    clients = []
    for n in range(4):
        client = Browser(server.port)
        form = client.get(link)
        assert form.status == 302
        set_password = form.header("Location")
        clients.append((client, set_password, csrf_token(client, set_password), n))

    answers = at_once(
        [
            lambda c=c, url=url, t=t, n=n: post(
                c,
                url,
                t,
                {
                    "new_password1": f"{NEW_PASSWORD}-{n}",
                    "new_password2": f"{NEW_PASSWORD}-{n}",
                },
            )
            for c, url, t, n in clients
        ]
    )

    done = [a for a in answers if a.header("Location") == "/accounts/reset/done/"]
    assert len(done) == 1, [a.status for a in answers]
    assert database.events("password_reset_done") == 1
    assert {a.status for a in answers if a not in done} == {400}
