"""What one sign-in costs the database: each row read or written once."""

from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import LockoutCounter, Session

from .conftest import LOGIN_URL, post_login

pytestmark = pytest.mark.django_db

LOGOUT_URL = reverse("accounts:logout")
# The reads and writes of a sign-in without failures before it: the account,
# the lockout's count for the device (read under lock, then the attempt
# counted before hashing, then taken back), two-factor status, the check for
# the account's old counts, the audit-trail event, last_login and the
# session row.
KNOWN_DEVICE_SIGN_IN_STATEMENTS = 9
LOCKOUT_TABLE = "accounts_lockoutcounter"


def sign_in(client, password):
    with CaptureQueriesContext(connection) as queries:
        response = post_login(client, password=password)
    assert response.status_code == 302
    # Transaction control (BEGIN/COMMIT on SQLite) is not a statement here.
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].split()[0].upper() not in {"BEGIN", "COMMIT", "SAVEPOINT"}
        and not q["sql"].upper().startswith("RELEASE SAVEPOINT")
    ]


def on_table(statements, verb, table):
    return [
        sql
        for sql in statements
        if sql.upper().startswith(verb) and f'"{table}"' in sql.split("WHERE")[0]
    ]


def test_sign_in_reads_the_account_once(user, password):
    statements = sign_in(Client(), password)

    assert len(on_table(statements, "SELECT", "accounts_user")) == 1


def test_sign_in_writes_the_session_row_once(user, password):
    statements = sign_in(Client(), password)

    assert len(on_table(statements, "INSERT", "accounts_session")) == 1
    assert on_table(statements, "UPDATE", "accounts_session") == []
    assert on_table(statements, "SELECT", "accounts_session") == []


def test_sign_in_without_failures_counts_the_attempt_then_takes_it_back(user, password):
    """Counted before the hash (one insert), removed once it proved right."""
    statements = sign_in(Client(), password)

    assert len(on_table(statements, "INSERT", LOCKOUT_TABLE)) == 1
    assert on_table(statements, "UPDATE", LOCKOUT_TABLE) == []
    assert len(on_table(statements, "DELETE", LOCKOUT_TABLE)) == 1
    assert not LockoutCounter.objects.exists()


def test_sign_in_from_a_known_device_needs_few_statements(user, password):
    browser = Client()
    sign_in(browser, password)
    browser.post(LOGOUT_URL)

    statements = sign_in(browser, password)

    assert len(statements) <= KNOWN_DEVICE_SIGN_IN_STATEMENTS, statements


def test_sign_in_after_failures_still_clears_the_account_count(user, password):
    browser = Client()
    browser.post(LOGIN_URL, {"username": "alice", "password": "wrong"})

    statements = sign_in(browser, password)

    assert len(on_table(statements, "DELETE", LOCKOUT_TABLE)) == 1
    assert not LockoutCounter.objects.filter(scope="account").exists()


def test_the_new_session_row_is_the_one_the_cookie_names(user, password):
    browser = Client()
    sign_in(browser, password)

    row = Session.objects.get()
    assert browser.cookies["sessionid"].value == row.session_key
    assert row.user == user
    assert browser.get(reverse("accounts:dashboard")).status_code == 200


def test_a_new_key_that_is_already_taken_is_replaced(user, password):
    taken = Client()
    sign_in(taken, password)
    taken_key = taken.cookies["sessionid"].value

    with mock.patch(
        "accounts.usersessions.backends.db.get_random_string", return_value=taken_key
    ):
        browser = Client()
        sign_in(browser, password)

    assert browser.cookies["sessionid"].value != taken_key
    assert Session.objects.count() == 2
    assert browser.get(reverse("accounts:dashboard")).status_code == 200
    assert taken.get(reverse("accounts:dashboard")).status_code == 200


def all_statements(client, password):
    """Every statement of a sign-in POST, transaction control included."""
    with CaptureQueriesContext(connection) as queries:
        response = client.post(LOGIN_URL, {"username": "alice", "password": password})
    assert response.status_code == 302
    return [q["sql"] for q in queries.captured_queries]


def opens_transaction(sql):
    return sql.split()[0].upper() == "BEGIN"


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_new_session_row_is_one_bare_insert(user, password):
    statements = all_statements(Client(), password)

    [insert] = on_table(statements, "INSERT", "accounts_session")
    position = statements.index(insert)
    assert not opens_transaction(statements[position - 1]), statements
    assert statements[position + 1 :] == [], statements
    assert Session.objects.get().user == user


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_only_the_lockout_reservation_opens_one(user, password):
    """Counting the attempt before hashing needs its read and write under one
    lock; taking it back is one conditional DELETE, atomic by itself.
    (SQLite shows its BEGIN; PostgreSQL's driver opens transactions unseen.)"""
    statements = all_statements(Client(), password)

    [take_back] = on_table(statements, "DELETE", LOCKOUT_TABLE)
    assert not opens_transaction(statements[statements.index(take_back) - 1])
    assert sum(map(opens_transaction, statements)) <= 1, statements
    assert not LockoutCounter.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_taken_key_is_still_replaced(user, password):
    taken = Client()
    all_statements(taken, password)
    taken_key = taken.cookies["sessionid"].value

    with mock.patch(
        "accounts.usersessions.backends.db.get_random_string", return_value=taken_key
    ):
        browser = Client()
        all_statements(browser, password)

    assert browser.cookies["sessionid"].value != taken_key
    assert Session.objects.count() == 2
    assert browser.get(reverse("accounts:dashboard")).status_code == 200
    assert taken.get(reverse("accounts:dashboard")).status_code == 200
