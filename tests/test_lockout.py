import io
import re
from functools import partial

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import LockoutCounter
from accounts.signals import password_reset_completed
from tests.test_login import _count_hashes

from .conftest import post_login

pytestmark = pytest.mark.django_db

LOGOUT_URL = reverse("accounts:logout")
WRONG = "not-the-password"


login = partial(post_login, ip="198.51.100.1")


def fail(client, username, times=5, ip="198.51.100.1", **extra):
    for _ in range(times):
        login(client, username, WRONG, ip=ip, **extra)


def counted_addresses():
    return LockoutCounter.objects.filter(scope="address").values_list("key", flat=True)


def signed_in(client):
    return SESSION_KEY in client.session


def _normalised(response):
    body = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", body)


def test_five_failures_lock_the_account_even_for_the_right_password(
    client, user, password
):
    fail(client, "alice")

    response = login(client, "alice", password)

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "Too many sign-in attempts" in response.content.decode()
    assert not signed_in(client)


def test_locked_page_is_identical_for_existing_and_unknown_usernames(
    client, user, password
):
    fail(client, "alice", ip="198.51.100.1")
    fail(client, "nobody", ip="198.51.100.2")

    existing = login(client, "alice", password, ip="198.51.100.3")
    unknown = login(client, "nobody", password, ip="198.51.100.4")

    assert existing.status_code == unknown.status_code == 429
    assert existing["Retry-After"] == unknown["Retry-After"]
    assert _normalised(existing) == _normalised(unknown)
    assert "alice" not in existing.content.decode()


def test_locked_page_offers_a_password_reset(client, user):
    fail(client, "alice")

    response = login(client, "alice", WRONG)

    assert f'href="{reverse("accounts:password_reset")}"' in response.content.decode()


def test_existing_and_unknown_names_cost_the_same_queries(client, user):
    with CaptureQueriesContext(connection) as existing:
        login(client, "alice", WRONG, ip="198.51.100.1")
    with CaptureQueriesContext(connection) as unknown:
        login(client, "nobody", WRONG, ip="198.51.100.2")

    assert len(existing) == len(unknown)


def test_four_failures_do_not_lock(client, user, password):
    fail(client, "alice", times=4)

    assert login(client, "alice", password).status_code == 302


def test_sign_in_works_again_after_the_cool_off(client, user, password, clock):
    fail(client, "alice")
    clock.advance(minutes=14)
    assert login(client, "alice", password).status_code == 429

    clock.advance(minutes=16)

    assert login(client, "alice", password).status_code == 302
    assert signed_in(client)


def test_locked_attempt_never_reaches_the_password_hasher(client, user, password):
    fail(client, "alice")
    fail(client, "nobody")

    hashes = _count_hashes(lambda: login(client, "alice", password))
    unknown_hashes = _count_hashes(lambda: login(client, "nobody", password))

    assert hashes == unknown_hashes == 0


@override_settings(AUTHSITE_TRUSTED_PROXY_COUNT=1)
def test_failures_from_five_addresses_through_a_proxy_lock_the_account(
    client, make_user, password
):
    make_user("alice")
    make_user("bob")
    addresses = [f"203.0.113.{n}" for n in range(1, 6)]
    for address in addresses:
        login(client, "alice", WRONG, ip="10.0.0.2", HTTP_X_FORWARDED_FOR=address)

    locked = login(
        client, "alice", password, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    other = login(
        client, "bob", password, ip="10.0.0.2", HTTP_X_FORWARDED_FOR=addresses[0]
    )

    assert locked.status_code == 429
    assert other.status_code == 302
    # Counted under the client addresses, not the proxy's (the refused
    # attempt is counted on the lock, not under its address).
    assert set(counted_addresses()) == set(addresses)


def test_failures_across_username_and_email_spellings_count_together(
    client, user, password
):
    spellings = [
        "alice",
        "ALICE",
        "alice@example.com",
        "Alice@Example.COM",
        "\uff41\uff4c\uff49\uff43\uff45",  # fullwidth "alice", NFKC-equal
    ]
    for n, spelling in enumerate(spellings):
        login(client, spelling, WRONG, ip=f"203.0.113.{n + 1}")

    assert login(client, "Alice", password, ip="203.0.113.9").status_code == 429
    assert list(
        LockoutCounter.objects.filter(scope="account").values_list("key", flat=True)
    ) == ["alice"]


@override_settings(AUTHSITE_RATELIMIT_LOGIN="1000/m")
def test_one_address_failing_across_many_accounts_is_locked_at_its_own_limit(
    client, make_user, password
):
    make_user("bob")
    for n in range(29):
        login(client, f"guess{n}", WRONG, ip="198.51.100.7")
    assert login(Client(), "bob", password, ip="198.51.100.7").status_code == 302
    client.post(LOGOUT_URL)

    login(client, "guess29", WRONG, ip="198.51.100.7")  # the thirtieth

    assert login(Client(), "bob", password, ip="198.51.100.7").status_code == 429
    assert login(Client(), "bob", password, ip="198.51.100.8").status_code == 302


def test_five_failures_from_one_address_do_not_lock_the_others_behind_it(
    make_user, password
):
    """An office behind one address: one person's typos lock only their account."""
    make_user("bob")
    fail(Client(), "alice", ip="198.51.100.7")

    assert login(Client(), "alice", password, ip="198.51.100.7").status_code == 429
    assert login(Client(), "bob", password, ip="198.51.100.7").status_code == 302


@override_settings(AUTHSITE_TRUSTED_PROXY_COUNT=0, AUTHSITE_LOCKOUT_IP_FAILURE_LIMIT=5)
def test_spoofed_forwarded_for_without_trusted_proxies_does_not_change_the_address(
    client, make_user, password
):
    make_user("bob")
    for n in range(5):
        login(
            client,
            f"guess{n}",
            WRONG,
            ip="198.51.100.7",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )

    response = login(
        client, "bob", password, ip="198.51.100.7", HTTP_X_FORWARDED_FOR="192.0.2.1"
    )

    assert response.status_code == 429
    assert set(counted_addresses()) == {"198.51.100.7"}


def test_successful_sign_in_resets_the_account_count(client, user, password):
    fail(client, "alice", times=4, ip="198.51.100.1")
    assert login(client, "alice", password, ip="198.51.100.2").status_code == 302
    client.post(LOGOUT_URL)

    fail(client, "alice", times=4, ip="198.51.100.3")

    assert login(client, "alice", password, ip="198.51.100.4").status_code == 302


def test_a_known_device_signs_in_while_strangers_are_locked_out(user, password):
    owner, stranger = Client(), Client()
    assert login(owner, "alice", password, ip="192.0.2.10").status_code == 302
    owner.post(LOGOUT_URL)
    fail(stranger, "alice", ip="198.51.100.1")

    assert login(stranger, "alice", password, ip="198.51.100.1").status_code == 429
    assert login(Client(), "alice", password, ip="192.0.2.10").status_code == 429
    assert login(owner, "alice", password, ip="198.51.100.1").status_code == 302
    assert signed_in(owner)


def test_a_known_devices_own_failures_lock_it(user, password):
    owner = Client()
    login(owner, "alice", password)
    owner.post(LOGOUT_URL)

    fail(owner, "alice")

    assert login(owner, "alice", password).status_code == 429


def test_known_device_cookie_is_signed_and_http_only(client, user, password):
    login(client, "alice", password)

    cookie = client.cookies["known_device"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie.value.count(":") == 2  # payload:timestamp:signature


@override_settings(
    AUTHSITE_KNOWN_DEVICE_COOKIE_SECURE=True,
    AUTHSITE_KNOWN_DEVICE_COOKIE_NAME="__Host-known_device",
)
def test_known_device_cookie_is_secure_as_in_production(client, user, password):
    login(client, "alice", password, secure=True)

    cookie = client.cookies["__Host-known_device"]
    assert cookie["secure"]
    assert cookie["path"] == "/"


def test_a_tampered_known_device_cookie_counts_as_a_stranger(user, password):
    owner = Client()
    login(owner, "alice", password)
    owner.post(LOGOUT_URL)
    owner.cookies["known_device"] = owner.cookies["known_device"].value + "x"
    fail(Client(), "alice")

    assert login(owner, "alice", password).status_code == 429


def test_admin_login_goes_through_the_protected_site_login(client, make_user, password):
    make_user("boss", is_staff=True, is_superuser=True)
    fail(client, "boss")

    admin_login = client.get("/admin/login/?next=/admin/")
    assert admin_login.status_code == 302
    assert admin_login.url == "/accounts/login/?next=/admin/"
    # A password posted to the admin's login URL is never checked there.
    assert login(client, "boss", password, url="/admin/login/").status_code == 302
    assert "_auth_user_id" not in client.session
    assert login(client, "boss", password, ip="192.0.2.1").status_code == 429


def test_admin_sees_attempts_and_can_unlock(client, make_user, user, password):
    fail(client, "alice")
    admin = Client()
    admin.force_login(make_user("boss", is_staff=True, is_superuser=True))

    listing = admin.get("/admin/accounts/lockoutcounter/")
    counter = LockoutCounter.objects.get(scope="account")
    admin.post(
        f"/admin/accounts/lockoutcounter/{counter.pk}/delete/",
        {"post": "yes"},
        follow=True,
    )

    assert listing.status_code == 200
    assert "alice" in listing.content.decode()
    assert login(client, "alice", password).status_code == 302


def test_axes_reset_username_command_unlocks(client, user, password):
    fail(client, "alice")

    call_command("axes_reset_username", "alice")

    assert login(client, "alice", password).status_code == 302


def test_locked_page_is_translated(client, user, password):
    fail(client, "alice")

    response = login(client, "alice", password, HTTP_ACCEPT_LANGUAGE="ko")

    body = response.content.decode()
    assert response.status_code == 429
    assert "로그인 시도가 너무 많습니다" in body
    assert "Too many sign-in attempts" not in body


def test_a_password_reset_makes_known_devices_strangers_again(user, password):
    laptop = Client()
    assert login(laptop, "alice", password).status_code == 302
    laptop.post(LOGOUT_URL)
    user.set_password("violet-harbour-91-lantern")
    user.save()
    password_reset_completed.send(sender=type(user), user=user, request=None)
    fail(Client(), "alice", ip="203.0.113.7")

    response = login(laptop, "alice", "violet-harbour-91-lantern")

    assert response.status_code == 429


def _command(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_lockout_list_shows_counts_and_locks(client, user):
    fail(client, "alice", times=2, ip="198.51.100.1")
    fail(client, "nobody", ip="198.51.100.2")

    listing = _command("lockout_list")

    assert "account\talice\t2 failures\tnot locked" in listing
    assert "account\tnobody\t5 failures\tlocked until" in listing
    assert "address\t198.51.100.2\t5 failures" in listing
    assert _command("axes_list_attempts") == listing


def test_lockout_reset_username_takes_an_email_address_too(client, user, password):
    fail(client, "alice")
    owner = Client()

    output = _command("lockout_reset_username", "ALICE@example.com")

    assert output == "1 counts removed.\n"
    assert login(owner, "alice", password, ip="203.0.113.1").status_code == 302


@override_settings(AUTHSITE_LOCKOUT_IP_FAILURE_LIMIT=5)
def test_lockout_reset_ip_unlocks_an_address_and_its_slash_64(
    client, make_user, password
):
    make_user("bob")
    for n in range(5):
        login(client, f"guess{n}", WRONG, ip="2001:db8:5:6::1")
    assert login(client, "bob", password, ip="2001:db8:5:6::2").status_code == 429

    call_command("axes_reset_ip", "2001:db8:5:6::99")

    assert login(client, "bob", password, ip="2001:db8:5:6::2").status_code == 302


def test_lockout_reset_unlocks_everything(client, user, password):
    fail(client, "alice")

    assert _command("lockout_reset") == "2 counts removed.\n"
    assert _command("axes_reset") == "No counts found.\n"
    assert login(client, "alice", password).status_code == 302


def test_the_admin_unlock_action_forgets_the_selected_counts(
    client, make_user, user, password
):
    fail(client, "alice")
    admin = Client()
    admin.force_login(make_user("boss", is_staff=True, is_superuser=True))
    counter = LockoutCounter.objects.get(scope="account")

    response = admin.post(
        "/admin/accounts/lockoutcounter/",
        {"action": "unlock", "_selected_action": [counter.pk]},
        follow=True,
    )

    assert "1 count was removed." in response.content.decode()
    assert login(client, "alice", password).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_the_migration_drops_what_django_axes_stored():
    """axes kept failed attempts' form data, passwords among it: it goes."""
    from importlib import import_module

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    migration = import_module("accounts.migrations.0012_drop_django_axes_tables")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE axes_accessattempt (id integer PRIMARY KEY, post_data text)"
        )
        cursor.execute(
            "INSERT INTO axes_accessattempt VALUES (1, 'old_password=hunter2')"
        )
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('axes', '0001_initial', CURRENT_TIMESTAMP)"
        )
    ContentType.objects.create(app_label="axes", model="accessattempt")

    with connection.schema_editor() as schema_editor:
        migration.drop_axes(apps, schema_editor)

    assert "axes_accessattempt" not in connection.introspection.table_names()
    assert not ContentType.objects.filter(app_label="axes").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_migrations WHERE app = 'axes'")
        assert cursor.fetchone()[0] == 0
