"""Faults under load: PostgreSQL + Redis, three gunicorn workers, db_worker.

Everything is the test's own and on loopback: a database of its own on the
PostgreSQL server (``DATABASE_URL``'s when it names PostgreSQL, else the one
this machine runs), dropped at the end; a ``redis-server`` of its own on
port 18580 (the shared Redis is never touched); aiosmtpd on 18592; gunicorn
(3 workers x 4 threads) on 18571 with ``db_worker`` beside it.

PostgreSQL itself is never restarted (other test runs share the server): a
restart is simulated by terminating every connection to the test's database
with ``pg_terminate_backend``, which is what app servers see of a restart
(their connections die; new ones succeed).

The password-check cap is off (``PASSWORD_CHECK_CONCURRENCY=0``) and the
rate limits are high, so neither can hide a failure as a 503 or a 429. Each
test writes its figures to ``test-artifacts/reliability/<test>.json``;
docs/reliability.md quotes them.
"""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import psycopg
import pytest

from .live import (
    CSRF_INPUT,
    Browser,
    DbWorker,
    GunicornServer,
    RedisServer,
    SmtpServer,
    create_users,
    prepare,
    production_environment,
    save_figures,
)
from .load import (
    LOAD_USERS,
    PASSWORD,
    Load,
    check_every_email_once,
    fresh_postgres_database,
    healthz,
    postgres_query,
)

pytestmark = pytest.mark.live

PORT = 18571
REDIS_PORT = 18580
MAIL_PORT = 18592
LOCKOUT_LIMIT = 5


@pytest.fixture(scope="module")
def database():
    """A fresh database on the PostgreSQL server: (its URL, an admin DSN, its name)."""
    with fresh_postgres_database("authsite_faults") as database:
        yield database


@pytest.fixture(scope="module")
def site(tmp_path_factory, database):
    tmp_path = tmp_path_factory.mktemp("faults")
    url, _admin, _name = database
    with RedisServer(REDIS_PORT, tmp_path / "redis.log") as redis:
        env = production_environment(
            tmp_path,
            DATABASE_URL=url,
            CACHE_URL=redis.url,
            EMAIL_URL=f"smtp://127.0.0.1:{MAIL_PORT}",
            WEB_CONCURRENCY="3",
            GUNICORN_THREADS="4",
            PASSWORD_CHECK_CONCURRENCY="0",
            RATELIMIT_LOGIN="100000/m",
            RATELIMIT_SIGNUP="100000/h",
            RATELIMIT_PASSWORD_RESET="100000/h",
            AXES_FAILURE_LIMIT=str(LOCKOUT_LIMIT),
            EMAIL_RETRY_DELAY="1",
            EMAIL_RETRY_MAX_DELAY="2",
        )
        prepare(env)
        create_users(env, ("victim", *LOAD_USERS), PASSWORD)
        with (
            SmtpServer(MAIL_PORT) as mail,
            GunicornServer(PORT, env, tmp_path / "gunicorn.log") as server,
            DbWorker(env, tmp_path / "worker.log") as worker,
        ):
            server.redis, server.mail, server.worker = redis, mail, worker
            server.database = database
            yield server


def terminate_connections(database) -> int:
    """What a PostgreSQL restart does to the app: every connection dies."""
    _url, admin, name = database
    with psycopg.connect(admin, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall()
    return len(rows)


# The lockout
# ------------------------------------------------------------------------------


def test_fifty_parallel_wrong_passwords_check_no_more_than_the_limit(site):
    """50 wrong passwords for one account at once, over three workers.

    A 200 is a password that was checked and found wrong; a 429 is a lock
    (the check that reached the limit, or none at all). No more than the
    limit may be checked, however the requests interleave.
    """
    attempts = []
    for n in range(50):
        browser = Browser(PORT)
        token = CSRF_INPUT.search(browser.get("/accounts/login/").body)[1]
        # Each from an address of its own (through the one trusted proxy):
        # only the account's own count can stop them.
        attempts.append((browser, token, f"203.0.113.{n + 1}"))
    start = threading.Barrier(len(attempts))

    def attempt(prepared):
        browser, token, address = prepared
        body = urlencode(
            {"username": "victim", "password": "wrong", "csrfmiddlewaretoken": token}
        )
        start.wait()
        return browser.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": "https://127.0.0.1/accounts/login/",
                "Origin": "https://127.0.0.1",
                "X-Forwarded-For": address,
            },
        ).status

    with ThreadPoolExecutor(len(attempts)) as pool:
        statuses = Counter(pool.map(attempt, attempts))
    owner = Browser(PORT).login("victim", PASSWORD)

    save_figures(
        "lockout_race",
        {"attempts": 50, "workers": 3, "limit": LOCKOUT_LIMIT, "statuses": statuses},
    )
    assert set(statuses) <= {200, 429}, statuses
    assert owner.status == 429  # a stranger's browser: the account is locked
    assert statuses[200] <= LOCKOUT_LIMIT, (
        f"{statuses[200]} wrong passwords were checked, the limit is "
        f"{LOCKOUT_LIMIT}: {statuses}"
    )


# The load
# ------------------------------------------------------------------------------


def test_redis_stopped_for_20_seconds_under_load_fails_open_without_an_error(site):
    mail_before = len(site.mail.messages)
    load = Load("redis", PORT).start()
    probes = []
    try:
        time.sleep(5)
        site.redis.stop()
        stopped = time.monotonic()
        for _ in range(4):
            time.sleep(5)
            probes.append(healthz(PORT))
        site.redis.start()
        time.sleep(5)
    finally:
        load.stop()
    restarted = time.monotonic()

    statuses = load.statuses()
    during = load.statuses(stopped, restarted - 5)
    emails = check_every_email_once(
        PORT, site.mail, load, mail_before, postgres_query(site.database[0])
    )
    log = site.log.read_text()
    worker_log = site.worker.log.read_text()
    save_figures(
        "redis_outage",
        {
            "seconds_down": 20,
            "requests": sum(statuses.values()),
            "requests_while_down": sum(during.values()),
            "statuses": statuses,
            "sign_ups": len(load.sign_ups),
            "resets": load.resets,
            **emails,
            "healthz_while_down": [body["status"] for _, body in probes],
        },
    )
    assert sum(during.values()) > 0, "no request ran while Redis was down"
    assert not [s for s in statuses if s >= 500 or s == 0], statuses
    assert "Traceback" not in log
    assert "Traceback" not in worker_log
    assert "Rate limits are not counted" in log  # failed open, and said so
    assert all(
        status == 200 and body["status"] == "degraded" and body["cache"] == "error"
        for status, body in probes
    ), probes
    assert healthz(PORT)[1]["cache"] == "ok"


def test_postgres_connections_dropped_under_load_recover_within_seconds(site):
    mail_before = len(site.mail.messages)
    load = Load("pg", PORT).start()
    drops = []
    try:
        for _ in range(3):
            time.sleep(4)
            drops.append((time.monotonic(), terminate_connections(site.database)))
        time.sleep(4)
    finally:
        load.stop()

    statuses = load.statuses()
    recovery = []
    for at, _count in drops:
        answered = [t for t, *_, status in load.record if t > at and 0 < status < 500]
        recovery.append(round(min(answered) - at, 2) if answered else None)
    emails = check_every_email_once(
        PORT, site.mail, load, mail_before, postgres_query(site.database[0])
    )
    save_figures(
        "postgres_connections_dropped",
        {
            "drops": len(drops),
            "connections_terminated": [count for _, count in drops],
            "requests": sum(statuses.values()),
            "statuses": statuses,
            "recovery_seconds": recovery,
            "sign_ups": len(load.sign_ups),
            "resets": load.resets,
            **emails,
        },
    )
    assert all(count > 0 for _, count in drops), "no connection was dropped"
    # Requests caught mid-query get the 503 page; none gets a 500 or nothing.
    assert not [s for s in statuses if s in (0, 500) or s > 503], statuses
    assert all(seconds is not None and seconds < 5 for seconds in recovery), recovery
    assert site.worker.process.poll() is None, "db_worker died"
