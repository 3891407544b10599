"""A minute of mixed load, with the mail server down for half of it.

Sign-ins, page views, sign-ups and password resets (``tests/load.py``'s
``Load``: four users, each in a browser of their own) for
``LOAD_SECONDS`` (60 unless ``LOAD_TEST_SECONDS`` says otherwise) against
the production profile under gunicorn, with the real ``db_worker``
delivering to a local aiosmtpd. The mail server is stopped a quarter of
the way in and started again half the load later (30 s of 60). Then:
zero 5xx (and no request left unanswered), no lost sign-up, every email
delivered exactly once, none given up.

Two variants, one per CI leg: on SQLite with 2 workers x 4 threads when
the run is on SQLite, on PostgreSQL (a database of the test's own) and a
``redis-server`` of the test's own with 3 workers x 4 threads when
``DATABASE_URL`` names PostgreSQL. As in ``tests/test_faults.py``, the
password-check cap is off and the rate limits are high, so neither can hide
a failure as a 503 or a 429. Figures go to
``test-artifacts/reliability/mixed_load_<database>.json``.
"""

import os
import time

import pytest

from .live import (
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
    sqlite_query,
)

pytestmark = pytest.mark.live

LOAD_SECONDS = float(os.environ.get("LOAD_TEST_SECONDS", "60"))
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
SQLITE_PORT, SQLITE_MAIL_PORT = 18630, 18631
POSTGRES_PORT, POSTGRES_MAIL_PORT, REDIS_PORT = 18640, 18641, 18642


def load_settings(mail_port, **overrides) -> dict[str, str]:
    return {
        "EMAIL_URL": f"smtp://127.0.0.1:{mail_port}",
        "GUNICORN_THREADS": "4",
        "PASSWORD_CHECK_CONCURRENCY": "0",
        "RATELIMIT_LOGIN": "100000/m",
        "RATELIMIT_SIGNUP": "100000/h",
        "RATELIMIT_PASSWORD_RESET": "100000/h",
        # Attempts every 1-2 s instead of 30 s doubling to an hour: enough of
        # them to outlast the outage, as the production back-off does (12
        # attempts, about 5 hours), so that none is given up.
        "EMAIL_RETRY_DELAY": "1",
        "EMAIL_RETRY_MAX_DELAY": "2",
        "EMAIL_MAX_ATTEMPTS": "1000",
        **overrides,
    }


def wait_for_the_backlog(port, back_at, load, timeout=120) -> float | None:
    """Seconds from the mail server's return until every email queued before
    it was sent (the oldest one waiting is younger than the return), or
    None after ``timeout``; stops ``load`` on time meanwhile."""
    stop_load_at = back_at + LOAD_SECONDS / 4
    while (now := time.monotonic()) < back_at + timeout:
        if now >= stop_load_at and not load.stopping.is_set():
            load.stop()
        email = healthz(port)[1]["email"]
        if email["unsent"] == 0 or email["oldest_unsent_seconds"] < now - back_at:
            recovery = round(time.monotonic() - back_at, 1)
            break
        time.sleep(0.5)
    else:
        return None
    while time.monotonic() < stop_load_at:
        time.sleep(0.1)
    return recovery


def run_mixed_load(server, worker, mail, query, name) -> dict:
    """The load, the mail server down in its middle half; the figures."""
    mail_before = len(mail.messages)
    load = Load(name, server.port).start()
    try:
        time.sleep(LOAD_SECONDS / 4)
        mail.stop()
        down_at = time.monotonic()
        time.sleep(LOAD_SECONDS / 2)
        unsent_at_return = healthz(server.port)[1]["email"]
        mail.start()
        back_at = time.monotonic()
        recovery = wait_for_the_backlog(server.port, back_at, load)
    finally:
        load.stop()

    statuses = load.statuses()
    emails = check_every_email_once(server.port, mail, load, mail_before, query)
    seconds = load.stopped - load.started
    figures = {
        "seconds": round(seconds),
        "mail_server_down_seconds": round(back_at - down_at),
        "requests": sum(statuses.values()),
        "requests_per_s": round(sum(statuses.values()) / seconds, 1),
        "requests_while_mail_down": sum(load.statuses(down_at, back_at).values()),
        "statuses": statuses,
        "sign_ups": len(load.sign_ups),
        "resets": load.resets,
        "unsent_when_mail_returned": unsent_at_return["unsent"],
        "failed_attempts_while_down": worker.log.read_text().count("Could not send"),
        "seconds_to_catch_up_after_return": recovery,
        **emails,
    }
    save_figures(name, figures)

    assert not [s for s in statuses if s >= 500 or s == 0], statuses
    assert figures["requests_while_mail_down"] > 0
    assert load.sign_ups, "no sign-up succeeded"
    assert load.resets, "no reset request succeeded"
    # The mail server was really down: emails waited, and attempts failed.
    assert unsent_at_return["unsent"] > 0
    assert figures["failed_attempts_while_down"] > 0
    assert recovery is not None, "the emails that waited were not all sent"
    assert "Traceback" not in server.log.read_text()
    assert "Traceback" not in worker.log.read_text()
    return figures


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite variant runs on the SQLite leg")
def test_a_minute_of_mixed_load_on_sqlite_loses_nothing_with_the_mail_down_half_of_it(
    tmp_path,
):
    env = production_environment(
        tmp_path, **load_settings(SQLITE_MAIL_PORT, WEB_CONCURRENCY="2")
    )
    prepare(env)
    create_users(env, LOAD_USERS, PASSWORD)
    with (
        SmtpServer(SQLITE_MAIL_PORT) as mail,
        GunicornServer(SQLITE_PORT, env, tmp_path / "gunicorn.log") as server,
        DbWorker(env, tmp_path / "worker.log") as worker,
    ):
        run_mixed_load(
            server,
            worker,
            mail,
            sqlite_query(tmp_path / "db.sqlite3"),
            "mixed_load_sqlite",
        )


@pytest.mark.skipif(
    not ON_POSTGRES, reason="the PostgreSQL variant runs on the PostgreSQL leg"
)
def test_a_minute_of_mixed_load_on_postgres_and_redis_loses_nothing_with_the_mail_down(
    tmp_path,
):
    with (
        fresh_postgres_database("authsite_load") as (url, _admin, _name),
        RedisServer(REDIS_PORT, tmp_path / "redis.log") as redis,
    ):
        env = production_environment(
            tmp_path,
            **load_settings(
                POSTGRES_MAIL_PORT,
                WEB_CONCURRENCY="3",
                DATABASE_URL=url,
                CACHE_URL=redis.url,
            ),
        )
        prepare(env)
        create_users(env, LOAD_USERS, PASSWORD)
        with (
            SmtpServer(POSTGRES_MAIL_PORT) as mail,
            GunicornServer(POSTGRES_PORT, env, tmp_path / "gunicorn.log") as server,
            DbWorker(env, tmp_path / "worker.log") as worker,
        ):
            run_mixed_load(
                server, worker, mail, postgres_query(url), "mixed_load_postgres"
            )
