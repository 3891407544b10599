"""The mixed load of the live fault and load tests, and what it must leave.

``Load`` runs threads doing what users do (page views, signing out and in,
sign-ups, password-reset requests) against a gunicorn server of
``tests/live.py`` and records every answer; ``check_every_email_once``
waits for the outbox to empty and checks that nothing was lost or sent
twice. ``tests/test_faults.py`` and ``tests/test_load.py`` use both.
"""

import contextlib
import json
import os
import re
import sqlite3
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable

import psycopg
from psycopg import sql

from .live import Browser

PASSWORD = "correct-horse-battery-staple"
LOAD_USERS = ("ann", "ben", "cat", "dan")
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"

Query = Callable[..., list[tuple]]


def postgres_dsn(url: str) -> str:
    """A ``postgres://`` URL of django-environ's as a libpq DSN."""
    return re.sub(r"^postgres(ql)?://", "postgresql://", url)


def postgres_server_url() -> str:
    """``DATABASE_URL`` when it names PostgreSQL, else this machine's server."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres", "postgresql")) else DEFAULT_POSTGRES_URL


@contextlib.contextmanager
def fresh_postgres_database(prefix: str):
    """A new database ``<prefix>_<random>`` on the PostgreSQL server, dropped
    afterwards: yields (its URL, an admin DSN, its name)."""
    server = postgres_server_url().rsplit("/", 1)[0]
    admin = postgres_dsn(server + "/postgres")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield server + "/" + name, admin, name
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name))
            )


def postgres_query(url: str) -> Query:
    """``query(statement, *params)`` on the PostgreSQL database at ``url``."""

    def query(statement, *params):
        with psycopg.connect(postgres_dsn(url)) as connection:
            return connection.execute(statement, params).fetchall()

    return query


def sqlite_query(path) -> Query:
    """The same on a SQLite file (``%s`` placeholders, as for PostgreSQL)."""

    def query(statement, *params):
        with sqlite3.connect(path, timeout=30) as connection:
            return connection.execute(statement.replace("%s", "?"), params).fetchall()

    return query


def healthz(port) -> tuple[int, dict]:
    response = Browser(port).get("/healthz")
    return response.status, json.loads(response.body)


class RecordingBrowser(Browser):
    """A browser that records every answer: (time, method, path, status).

    A request the server never answered (connection refused or reset)
    is recorded with status 0.
    """

    def __init__(self, port, record, address="198.51.100.1"):
        super().__init__(port)
        self.record = record
        self.address = address

    def request(self, method, path, body=None, headers=None):
        headers = {**(headers or {}), "X-Forwarded-For": self.address}
        try:
            response = super().request(method, path, body=body, headers=headers)
        except OSError:
            self.record.append((time.monotonic(), method, path, 0))
            raise
        self.record.append((time.monotonic(), method, path, response.status))
        return response


class Load:
    """Threads doing what users do on the server at ``port``, until ``stop()``.

    Each thread is one of ``users`` (existing accounts with ``PASSWORD``) in
    a browser of their own, turning through: a signed-in page view, signing
    out and in again (a browser the account knows, so no email), a sign-up
    of a new account named ``<name><user><n>`` (one email) and a
    password-reset request for the user's address (one email).
    """

    def __init__(self, name: str, port: int, users=LOAD_USERS):
        self.name = name
        self.port = port
        self.users = users
        self.record: list[tuple[float, str, str, int]] = []
        self.sign_ups: list[str] = []
        self.resets = 0
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._run, args=(user,), daemon=True)
            for user in users
        ]

    def start(self):
        self.started = time.monotonic()
        for thread in self.threads:
            thread.start()
        return self

    def stop(self):
        if self.stopping.is_set():
            return
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)
        self.stopped = time.monotonic()

    def _run(self, user):
        address = f"198.51.100.{self.users.index(user) + 1}"
        browser = RecordingBrowser(self.port, self.record, address)
        signed_in = False
        n = 0
        while not self.stopping.is_set():
            try:
                if not signed_in:
                    signed_in = self._sign_in(browser, user)
                elif n % 4 == 1:
                    signed_in = browser.get("/dashboard/").status == 200
                elif n % 4 == 2:
                    browser.logout()
                    signed_in = self._sign_in(browser, user)
                elif n % 4 == 3:
                    self._sign_up(f"{self.name}{user}{n}")
                else:
                    self._reset(user)
            except OSError:
                time.sleep(0.2)  # recorded as status 0; do not spin
            n += 1

    @staticmethod
    def _sign_in(browser, user) -> bool:
        if browser.login(user, PASSWORD).status == 302:
            return True
        # A sign-out answered 503 left the session signed in.
        return browser.get("/dashboard/").status == 200

    def _sign_up(self, username):
        response = RecordingBrowser(self.port, self.record).post_form(
            "/accounts/signup/",
            {
                "username": username,
                "email": f"{username}@example.com",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
        if response.status == 302:
            self.sign_ups.append(username)

    def _reset(self, user):
        response = RecordingBrowser(self.port, self.record).post_form(
            "/accounts/password/reset/", {"email": f"{user}@example.com"}
        )
        if response.status == 302:
            self.resets += 1

    def statuses(self, start: float = 0, end: float = float("inf")) -> Counter:
        """The statuses answered (0: none) between ``start`` and ``end``."""
        return Counter(status for at, *_, status in self.record if start <= at <= end)


def wait_for_outbox_to_empty(port, timeout=60) -> dict:
    """``/healthz``'s email figures once nothing is left to send."""
    deadline = time.monotonic() + timeout
    body = {}
    while time.monotonic() < deadline:
        try:
            status, body = healthz(port)
        except OSError:
            status, body = 0, {}
        if status == 200 and body["email"]["unsent"] == 0:
            return body["email"]
        time.sleep(0.5)
    raise TimeoutError(f"the outbox did not empty in {timeout} s: {body}")


def check_every_email_once(
    port, mail, load: Load, mail_before: int, query: Query, *, timeout: float = 60
) -> dict:
    """Every queued email arrived once; every sign-up exists with its email.

    ``mail`` is the ``SmtpServer`` the worker delivers to, ``mail_before``
    how many messages it held before the load, ``query`` reads the site's
    database.
    """
    try:
        backlog = wait_for_outbox_to_empty(port, timeout)
    except TimeoutError as exc:
        stuck = query(
            "SELECT id, name, status, attempts, last_error FROM accounts_outgoingemail"
        )
        raise AssertionError(f"{exc}; stuck in the outbox: {stuck}") from None
    time.sleep(3)  # longer than the longest retry wait: a second copy is due
    messages = mail.messages[mail_before:]
    # Each attempt of an email carries the Message-ID it was queued with.
    ids = Counter(m["Message-ID"] for m in messages)
    duplicates = sum(count - 1 for count in ids.values())
    confirmations = Counter(
        m["To"] for m in messages if "/accounts/verify-email/" in str(m)
    )
    resets = sum(1 for m in messages if "/accounts/reset/" in str(m))
    created = {
        username
        for (username,) in query(
            "SELECT username FROM accounts_user WHERE username LIKE %s",
            f"{load.name}%",
        )
    }
    assert duplicates == 0, "an email was delivered twice"
    assert backlog["given_up"] == 0
    # No lost sign-up: each one answered 302 exists ...
    assert set(load.sign_ups) <= created, set(load.sign_ups) - created
    # ... and no half-written one: every account made has its one email.
    assert {f"{name}@example.com" for name in created} == set(confirmations)
    assert set(confirmations.values()) <= {1}
    # Every reset answered 302 was for an existing address: one email each.
    assert resets >= load.resets, (resets, load.resets)
    return {"emails_delivered": len(messages), "duplicates": duplicates}
