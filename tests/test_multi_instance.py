"""Two app servers behind one PostgreSQL and one Redis, as in a scale-out.

Uses ``DATABASE_URL`` when it names PostgreSQL, else the PostgreSQL this
machine always runs; the servers get a database of their own, dropped at
the end.
"""

import os
import uuid

import psycopg
import pytest
from psycopg import sql

from .live import Browser, GunicornServer, create_user, prepare, production_environment

pytestmark = pytest.mark.live

PASSWORD = "correct-horse-battery-staple"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "rediscache://127.0.0.1:6379/1"
PORTS = (18441, 18442)


def postgres_server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres", "postgresql")) else DEFAULT_POSTGRES_URL


def redis_url() -> str:
    url = os.environ.get("CACHE_URL", "")
    return url if url.startswith(("redis", "rediss")) else DEFAULT_REDIS_URL


@pytest.fixture(scope="module")
def postgres_database():
    """A fresh database on the PostgreSQL server, dropped afterwards."""
    server = postgres_server_url()
    admin_url = server.rsplit("/", 1)[0] + "/postgres"
    name = f"authsite_multi_{uuid.uuid4().hex[:12]}"
    dsn = admin_url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="module")
def servers(tmp_path_factory, postgres_database):
    tmp_path = tmp_path_factory.mktemp("multi")
    env = production_environment(
        tmp_path,
        DATABASE_URL=postgres_database,
        # A key prefix of its own, so the shared Redis of other runs is untouched.
        CACHE_URL=f"{redis_url()}?key_prefix=multi-{uuid.uuid4().hex[:8]}",
        WEB_CONCURRENCY="1",
    )
    prepare(env)
    create_user(env, "alice", PASSWORD)
    create_user(env, "bob", PASSWORD)
    with (
        GunicornServer(PORTS[0], env, tmp_path / "a.log") as a,
        GunicornServer(PORTS[1], env, tmp_path / "b.log") as b,
    ):
        yield a, b


def test_both_servers_report_healthy_database_and_cache(servers):
    for server in servers:
        response = Browser(server.port).get("/healthz")

        assert response.status == 200
        assert '"database": "ok"' in response.body
        assert '"cache": "ok"' in response.body


def test_session_made_on_one_server_works_on_the_other(servers):
    a, b = servers
    browser = Browser(a.port)
    assert browser.login("alice", PASSWORD).status == 302

    browser.port = b.port
    dashboard = browser.get("/dashboard/")

    assert dashboard.status == 200
    assert "alice@example.com" in dashboard.body


def test_sign_out_on_one_server_ends_the_session_on_the_other(servers):
    a, b = servers
    browser = Browser(a.port)
    browser.login("alice", PASSWORD)
    stolen_cookies = dict(browser.cookies)

    browser.port = b.port
    assert browser.logout().status == 302

    replay = Browser(a.port)
    replay.cookies = stolen_cookies
    dashboard = replay.get("/dashboard/")
    assert dashboard.status == 302
    assert dashboard.header("Location").startswith("/accounts/login/")


def test_failures_through_both_servers_add_up_to_one_lockout(servers):
    a, b = servers
    statuses = [
        Browser(server.port).login("bob", "wrong").status for server in (a, b, a, b, a)
    ]

    # The fifth failure, wherever it lands, reaches the limit of five.
    assert statuses == [200, 200, 200, 200, 429]
    for server in servers:
        locked = Browser(server.port).login("bob", PASSWORD)
        assert locked.status == 429
        assert locked.header("Retry-After")
