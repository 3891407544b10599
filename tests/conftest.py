import logging
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.conf import app_settings
from accounts.login.reauthentication import AUTHENTICATED_AT_SESSION_KEY

PASSWORD = "correct-horse-battery-staple"
LOGIN_URL = reverse("accounts:login")


def post_login(
    client,
    username="alice",
    password=PASSWORD,
    *,
    url=LOGIN_URL,
    ip=None,
    fields=None,
    **extra,
):
    """POST the sign-in form from address ``ip`` and return the response.

    ``fields`` are more form fields (``{"remember_me": "on"}``); ``extra``
    goes to ``client.post`` (``HTTP_USER_AGENT``, ``secure``, ...). A module
    whose browsers share an address or agent binds them with
    ``functools.partial``.
    """
    if ip is not None:
        extra["REMOTE_ADDR"] = ip
    data = {"username": username, "password": password, **(fields or {})}
    return client.post(url, data, **extra)


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """A request in Korean leaves Korean active; start each test in English."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _force_login_is_a_fresh_sign_in():
    """``client.force_login()`` stands for a sign-in that has just completed.

    The sign-in flow marks the moment of authentication (reauthentication
    needs none for ``REAUTHENTICATION_TIMEOUT``); Django's test shortcut
    calls ``login()`` without the flow, so it gets the same mark here.
    """
    force_login = Client.force_login

    def sign_in(self, user, backend=None):
        force_login(self, user, backend)
        session = self.session
        session[AUTHENTICATED_AT_SESSION_KEY] = timezone.now().timestamp()
        session.save()

    with mock.patch.object(Client, "force_login", sign_in):
        yield


def _run_callback(func, robust):
    if not robust:
        func()
        return
    try:
        func()
    except Exception:
        logging.getLogger("django.db.backends.base").exception(
            "Error calling %s in on_commit()", func
        )


def _only_test_transactions(connection) -> bool:
    return all(block._from_testcase for block in connection.atomic_blocks)


@pytest.fixture(autouse=True)
def _on_commit_runs_at_commit():
    """Run ``transaction.on_commit()`` callbacks when the code under test commits.

    A test with the ``db`` fixture runs inside a transaction that is rolled
    back at its end, so Django would run no callback at all, and email (sent
    once the change that causes it commits) would never go out. Here a
    callback runs when it would in production: at once when only the test's
    own transaction is open (the code under test is in autocommit), or when
    the code's own outermost ``atomic()`` block commits; a block that rolls
    back drops its callbacks, as Django does. Tests on a real transaction
    (``transactional_db``, ``live_server``) are left to Django.
    """
    original_on_commit = BaseDatabaseWrapper.on_commit
    original_exit = transaction.Atomic.__exit__

    def on_commit(connection, func, robust=False):
        if connection.atomic_blocks and _only_test_transactions(connection):
            _run_callback(func, robust)
        else:
            original_on_commit(connection, func, robust)

    def atomic_exit(block, exc_type, exc_value, traceback):
        connection = transaction.get_connection(block.using)
        result = original_exit(block, exc_type, exc_value, traceback)
        if (
            not block._from_testcase
            and connection.atomic_blocks
            and _only_test_transactions(connection)
            and exc_type is None
            and not connection.needs_rollback
        ):
            callbacks, connection.run_on_commit = connection.run_on_commit, []
            for _, func, robust in callbacks:
                _run_callback(func, robust)
        return result

    with (
        mock.patch.object(BaseDatabaseWrapper, "on_commit", on_commit),
        mock.patch.object(transaction.Atomic, "__exit__", atomic_exit),
    ):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Start every test with empty caches: rate-limit counters and cached
    sessions would otherwise leak between tests (CACHE_URL may be a shared
    Redis)."""
    for each in caches.all():
        each.clear()
    yield
    for each in caches.all():
        each.clear()


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
def signed_in_client(db):
    """Sign a new browser in through the login page: ``signed_in_client(password)``.

    Unlike ``client.force_login()`` this is the real sign-in (lockout check,
    session record, known-device cookie, audit trail); it fails the test if
    the sign-in does not succeed.
    """

    def sign_in(password=PASSWORD, username="alice", **client_kwargs):
        browser = Client(**client_kwargs)
        response = post_login(browser, username, password)
        assert response.status_code == 302, f"sign-in as {username} failed"
        return browser

    return sign_in


@pytest.fixture
def make_app(db):
    """Register an app that signs its users in here: ``make_app("Wiki")``.

    A public app (PKCE, no secret) redirecting to ``tests.oidc.REDIRECT_URI``
    unless told otherwise; ``make_app(..., client_type="confidential")``
    returns the app with its secret in ``app.secret``.
    """
    from accounts.models import Application

    from .oidc import REDIRECT_URI

    def make(name="Wiki", **fields):
        secret = fields.pop("client_secret", "s3cret-" + name.lower() * 8)
        app = Application(
            name=name,
            client_type=fields.pop("client_type", Application.CLIENT_PUBLIC),
            authorization_grant_type=fields.pop(
                "authorization_grant_type", Application.GRANT_AUTHORIZATION_CODE
            ),
            redirect_uris=fields.pop("redirect_uris", REDIRECT_URI),
            client_secret=secret,
            **fields,
        )
        app.full_clean()
        app.save()
        app.secret = secret
        return app

    return make


@pytest.fixture
def logged_in_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def link_in_mail():
    """Return the path of the first ``SITE_URL`` link in an email's text part.

    ``link_in_mail(message, "/accounts/verify-email/")``; fails if the message
    holds no such link.
    """

    def find(message, prefix):
        site = app_settings.SITE_URL.rstrip("/")
        match = re.search(re.escape(site + prefix) + r"\S*", message.body)
        assert match, f"no {site}{prefix}... link in: {message.body}"
        return match.group(0)[len(site) :]

    return find


@pytest.fixture
def signals_sent():
    """Record the account signals sent during a test: ``{name: [kwargs, ...]}``."""
    from accounts import signals

    names = [
        "user_signed_up",
        "email_verified",
        "email_changed",
        "password_changed",
        "password_reset_requested",
        "password_reset_completed",
        "account_deleted",
    ]
    sent = {name: [] for name in names}
    receivers = {}
    for name in names:

        def receiver(sender, _name=name, **kwargs):
            sent[_name].append({"sender": sender, **kwargs})

        receivers[name] = receiver
        getattr(signals, name).connect(receiver, weak=False)
    yield sent
    for name, receiver in receivers.items():
        getattr(signals, name).disconnect(receiver)


class Clock:
    """A controllable clock: ``clock.advance(minutes=31)``."""

    def __init__(self, start):
        self.now = start

    def advance(self, **delta):
        self.now += timedelta(**delta)

    def __call__(self):
        return self.now

    def time(self) -> float:
        return self.now.timestamp()


@pytest.fixture
def clock():
    """Freeze ``timezone.now`` and ``time.time`` at the real time, then move both.

    Both, because libraries differ in which they read (django-otp's TOTP
    reads ``time.time``, its throttling ``timezone.now``).
    """
    fake = Clock(timezone.now())
    with (
        mock.patch("django.utils.timezone.now", fake),
        mock.patch("time.time", fake.time),
    ):
        yield fake


@pytest.fixture(params=["app", "browser"])
def api(request, db):
    """The JSON API, once as an app and once as a browser app (``tests/api.py``).

    A test taking ``api`` runs for both clients; the browser one has fetched
    its CSRF token, as a single-page app does when it starts.
    """
    from .api import AppClient, BrowserClient

    if request.param == "app":
        return AppClient()
    return BrowserClient().start()
