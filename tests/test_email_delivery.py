"""Email goes through the outbox: queued with the change, delivered after it.

With the database task backend (production) a request only stores the
message; ``manage.py db_worker`` delivers it, trying again with back-off
while the mail server is down, and keeps what it gives up on for the admin.
Here the worker runs in batches (``db_worker --batch``) and the clock is
moved, so nothing waits. The immediate backend (development, tests) delivers
once the change commits.
"""

import logging
import re
import signal
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from accounts.emails import send_templated_email
from accounts.models import OutgoingEmail, User
from tests.test_settings import manage

# The worker runs as in production, outside any transaction of the test's:
# it closes connections in a transaction between tasks, as Django does.
pytestmark = pytest.mark.django_db(transaction=True)

RESET_URL = reverse("accounts:password_reset")
SIGNUP_URL = reverse("accounts:signup")
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def background(settings):
    """The production task backend: requests queue, a worker delivers."""
    settings.TASKS = DATABASE_TASKS


@pytest.fixture
def mail_server(settings):
    """Switch the mail server off (``mail_server.down()``) and on again."""

    class MailServer:
        def down(self):
            settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
            settings.EMAIL_HOST = "127.0.0.1"
            settings.EMAIL_PORT = 9  # discard: nothing listens, connection refused
            settings.EMAIL_TIMEOUT = 2

        def up(self):
            settings.EMAIL_BACKEND = LOCMEM

    return MailServer()


def run_worker():
    """``manage.py db_worker --batch``: run every task that is due, then stop.

    The command installs its own signal handlers and log levels; they are
    put back so the test run keeps its own.
    """
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    handlers = {number: signal.getsignal(number) for number in signals}
    loggers = [logging.getLogger(name) for name in ("django_tasks", "django_tasks_db")]
    levels = [each.level for each in loggers]
    try:
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=1
        )
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
        for each, level in zip(loggers, levels, strict=True):
            each.setLevel(level)


def request_reset(client, email="alice@example.com"):
    response = client.post(RESET_URL, {"email": email})
    assert response.status_code == 302
    return response


def test_a_request_only_queues_the_email_and_the_worker_sends_it(
    client, user, background, link_in_mail
):
    request_reset(client)

    assert mail.outbox == []
    (queued,) = OutgoingEmail.objects.all()
    assert (queued.name, queued.to, queued.status) == (
        "password_reset",
        "alice@example.com",
        "waiting",
    )
    (task,) = DBTaskResult.objects.all()
    # The task store holds the outbox id only, never the message or its link.
    assert task.args_kwargs == {"args": [queued.pk], "kwargs": {}}

    run_worker()

    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.alternatives[0][1] == "text/html"
    assert link_in_mail(message, "/accounts/reset/")
    # Delivered mail leaves the outbox, and its working link with it.
    assert not OutgoingEmail.objects.exists()


def test_the_worker_sends_the_email_in_the_language_of_the_page(
    client, user, background
):
    client.post(RESET_URL, {"email": "alice@example.com"}, HTTP_ACCEPT_LANGUAGE="ko")

    run_worker()  # with English active, and no request

    (message,) = mail.outbox
    assert re.search("[가-힣]", message.subject), message.subject
    assert re.search("[가-힣]", message.body)


def test_while_the_mail_server_is_down_the_email_waits_then_goes_out_once(
    client, user, background, mail_server, clock, caplog
):
    mail_server.down()
    request_reset(client)
    run_worker()

    queued = OutgoingEmail.objects.get()
    assert (queued.status, queued.attempts) == ("waiting", 1)
    assert "ConnectionRefusedError" in queued.last_error
    assert queued.next_attempt_at == clock.now + timedelta(seconds=30)
    assert "Could not send the password_reset email (attempt 1)" in caplog.text

    mail_server.up()
    run_worker()  # the next attempt is not due yet
    assert mail.outbox == []

    clock.advance(seconds=30)
    run_worker()
    run_worker()

    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    # The Message-ID was made at queue time: every attempt carries the same.
    assert message.message()["Message-ID"] == queued.message_id
    assert not OutgoingEmail.objects.exists()


def test_each_failure_doubles_the_wait_until_the_email_is_given_up(
    client, user, background, mail_server, clock, settings, caplog
):
    settings.AUTHSITE_EMAIL_MAX_ATTEMPTS = 4
    mail_server.down()
    request_reset(client)

    waits = []
    for _ in range(4):
        run_worker()
        queued = OutgoingEmail.objects.get()
        if queued.next_attempt_at is None:
            break
        waits.append(queued.next_attempt_at - queued.last_attempt_at)
        clock.advance(seconds=waits[-1].total_seconds())

    assert [wait.total_seconds() for wait in waits] == [30, 60, 120]
    assert (queued.status, queued.attempts) == ("failed", 4)
    assert "Gave up on the password_reset email after 4 attempts" in caplog.text
    # Given up is final: no task is left to try again.
    clock.advance(hours=2)
    run_worker()
    assert OutgoingEmail.objects.get().attempts == 4


def test_waits_stop_growing_at_the_longest_wait(
    client, user, background, mail_server, clock, settings
):
    settings.AUTHSITE_EMAIL_RETRY_DELAY = 10
    settings.AUTHSITE_EMAIL_RETRY_MAX_DELAY = 25
    mail_server.down()
    request_reset(client)

    waits = []
    for _ in range(3):
        run_worker()
        queued = OutgoingEmail.objects.get()
        waits.append((queued.next_attempt_at - queued.last_attempt_at).total_seconds())
        clock.advance(seconds=waits[-1])

    assert waits == [10, 20, 25]


def test_healthz_reports_the_age_of_the_oldest_unsent_email(
    client, user, background, mail_server, clock
):
    mail_server.down()
    request_reset(client)
    run_worker()
    clock.advance(seconds=90)

    response = client.get("/healthz")

    # A mail server that is down does not take the site out of service.
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["email"] == {
        "unsent": 1,
        "oldest_unsent_seconds": 90,
        "given_up": 0,
    }


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def given_up_email(client, user, background, mail_server, settings):
    settings.AUTHSITE_EMAIL_MAX_ATTEMPTS = 1
    mail_server.down()
    request_reset(client)
    run_worker()
    client.logout()
    email = OutgoingEmail.objects.get()
    assert email.status == "failed"
    return email


def test_a_given_up_email_is_listed_in_the_admin_without_its_link(
    given_up_email, admin_client
):
    listing = admin_client.get("/admin/accounts/outgoingemail/?status=failed")
    detail = admin_client.get(
        f"/admin/accounts/outgoingemail/{given_up_email.pk}/change/"
    )

    assert listing.status_code == 200
    assert "alice@example.com" in listing.content.decode()
    assert "given up" in listing.content.decode()
    assert detail.status_code == 200
    assert "ConnectionRefusedError" in detail.content.decode()
    assert "/accounts/reset/" not in detail.content.decode()


def test_an_admin_sends_a_given_up_email_again(
    given_up_email, admin_client, mail_server
):
    mail_server.up()

    response = admin_client.post(
        "/admin/accounts/outgoingemail/",
        {"action": "send_again", "_selected_action": [given_up_email.pk]},
        follow=True,
    )
    run_worker()

    assert "1 email will be sent again." in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert not OutgoingEmail.objects.exists()


def test_the_admin_lists_no_task_store_of_its_own(admin_client):
    # Tasks name an outbox id only; the outbox is where email is seen.
    assert admin_client.get("/admin/").status_code == 200
    response = admin_client.get("/admin/django_tasks_database/dbtaskresult/")
    assert response.status_code == 404


def test_requeue_emails_delivers_an_email_whose_task_was_lost(
    client, user, background, clock
):
    request_reset(client)
    DBTaskResult.objects.all().delete()  # the process died before the enqueue

    call_command("requeue_emails")  # too early: it may still be on its way
    assert not DBTaskResult.objects.exists()
    clock.advance(minutes=6)
    call_command("requeue_emails")
    run_worker()

    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]


def test_requeue_emails_sends_again_what_a_dead_worker_was_sending(
    client, user, background, clock, settings
):
    request_reset(client)
    DBTaskResult.objects.all().delete()
    # A worker claimed it, then died before the mail server answered.
    OutgoingEmail.objects.update(status="sending", last_attempt_at=clock.now)

    clock.advance(minutes=5)  # within the mail server's timeout: leave it
    call_command("requeue_emails")
    run_worker()
    assert mail.outbox == []

    clock.advance(seconds=settings.EMAIL_TIMEOUT + 1)
    call_command("requeue_emails")
    run_worker()

    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]


def test_development_sends_at_once_and_a_mail_server_that_is_down_is_only_logged(
    client, user, mail_server, clock, caplog
):
    mail_server.down()

    request_reset(client)  # immediate backend: delivery runs in the request

    assert "Could not send the password_reset email (attempt 1)" in caplog.text
    assert OutgoingEmail.objects.get().status == "waiting"
    mail_server.up()
    clock.advance(minutes=6)
    call_command("requeue_emails")
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]


def test_an_email_goes_out_only_once_the_change_that_causes_it_commits():
    with transaction.atomic():
        send_templated_email("account_deleted", to="a@example.com")
        assert mail.outbox == []

    (message,) = mail.outbox
    assert message.to == ["a@example.com"]


def test_an_email_of_a_change_that_is_rolled_back_is_never_sent():
    def change_that_fails():
        with transaction.atomic():
            send_templated_email("account_deleted", to="a@example.com")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()

    assert mail.outbox == []
    assert not OutgoingEmail.objects.exists()


def test_an_email_that_cannot_be_enqueued_after_the_commit_waits_in_the_outbox(
    monkeypatch, caplog
):
    def database_gone(*args, **kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr("accounts.outbox.delivery.schedule", database_gone)

    with transaction.atomic():  # the change commits; the enqueue after it fails
        send_templated_email("account_deleted", to="a@example.com")

    assert "in on_commit()" in caplog.text
    assert OutgoingEmail.objects.get().status == "waiting"  # for requeue_emails


def test_a_sign_up_whose_email_cannot_be_stored_leaves_no_account(client, monkeypatch):
    def database_gone(*args, **kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(OutgoingEmail.objects, "create", database_gone)
    client.raise_request_exception = False

    client.post(
        SIGNUP_URL,
        {
            "username": "carol",
            "email": "carol@example.com",
            "password1": "violet-harbour-91-lantern",
            "password2": "violet-harbour-91-lantern",
        },
    )

    assert not User.objects.filter(username="carol").exists()
    assert mail.outbox == []


def test_an_unknown_task_backend_fails_the_checks_naming_the_variable():
    result = manage("check", TASKS_BACKEND="celery")

    assert result.returncode == 1
    assert "accounts.E015" in result.stderr
    assert "TASKS_BACKEND" in result.stderr
