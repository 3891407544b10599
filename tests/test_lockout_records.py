"""What the lockout keeps of a failed attempt: never a secret.

django-axes stores the GET and POST data of each failed attempt and shows
it in the admin; it masked only the field names it was given, so the
password-change form's passwords were stored as typed.
"""

import json

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Session
from accounts.twofactor import services as twofactor

pytestmark = pytest.mark.django_db

WRONG = "Wrong-Old-Passphrase-5519"
NEW = "Brand-New-Passphrase-7723"
CODE = "975310"
CSRF = "Csrf-Token-Value-0471"
NEW_FORM_SECRET = "Api-Token-Value-3386"
SECRETS = [WRONG, NEW, CODE, CSRF, NEW_FORM_SECRET]
TEXT_TYPES = {"CharField", "TextField", "JSONField", "SlugField", "URLField"}


def stored_text() -> str:
    """Every text column of every table, and every session's data decoded."""
    found = []
    for model in apps.get_models():
        columns = [
            field.attname
            for field in model._meta.concrete_fields
            if field.get_internal_type() in TEXT_TYPES
        ]
        if columns:
            found.extend(
                str(value)
                for row in model._default_manager.values_list(*columns)
                for value in row
            )
    found.extend(json.dumps(s.get_decoded()) for s in Session.objects.all())
    return "\n".join(found)


def assert_no_secret_stored():
    text = stored_text()
    assert AccessAttempt.objects.exists()  # something was recorded
    for secret in SECRETS:
        assert secret not in text


def assert_no_secret_in_the_admin(make_user):
    boss = Client()
    boss.force_login(make_user("boss", is_staff=True, is_superuser=True))
    for attempt in AccessAttempt.objects.all():
        page = boss.get(
            reverse("admin:axes_accessattempt_change", args=[attempt.pk])
        ).content.decode()
        assert "POST Data" in page
        for secret in SECRETS:
            assert secret not in page


@pytest.fixture
def two_factor_user(user):
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=False)
    twofactor.enable(user, device=device)
    return user


def test_a_failed_password_change_stores_no_password(logged_in_client, make_user):
    response = logged_in_client.post(
        reverse("accounts:password_change"),
        {
            "old_password": WRONG,
            "new_password1": NEW,
            "new_password2": NEW,
            "csrfmiddlewaretoken": CSRF,
        },
    )

    assert response.status_code == 200
    attempt = AccessAttempt.objects.get()
    assert "old_password=********************" in attempt.post_data
    assert "new_password1=********************" in attempt.post_data
    assert_no_secret_stored()
    assert_no_secret_in_the_admin(make_user)


def test_a_failed_reauthentication_stores_no_password_or_code(
    client, two_factor_user, make_user
):
    client.force_login(two_factor_user)

    client.post(
        reverse("accounts:reauthenticate"),
        {"password": WRONG, "code": CODE, "csrfmiddlewaretoken": CSRF},
    )

    assert_no_secret_stored()
    assert_no_secret_in_the_admin(make_user)


def test_a_wrong_two_factor_code_at_sign_in_is_not_stored(
    client, two_factor_user, password, make_user
):
    client.post(reverse("accounts:login"), {"username": "alice", "password": password})

    response = client.post(
        reverse("accounts:login_code"), {"code": CODE, "csrfmiddlewaretoken": CSRF}
    )

    assert response.status_code == 200
    assert_no_secret_stored()
    assert_no_secret_in_the_admin(make_user)


def test_a_secret_field_of_any_name_is_masked(client, user, make_user):
    # A field no list names: masked by what its name says it holds.
    client.post(
        reverse("accounts:login") + f"?reset_token={NEW_FORM_SECRET}",
        {"username": "alice", "password": WRONG, "api_token": NEW_FORM_SECRET},
    )

    attempt = AccessAttempt.objects.get()
    assert "api_token=********************" in attempt.post_data
    assert "reset_token=********************" in attempt.get_data
    assert_no_secret_stored()
    assert_no_secret_in_the_admin(make_user)


def test_masked_requests_still_lock_out(client, user, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "alice", "password": WRONG})

    response = client.post(
        reverse("accounts:login"), {"username": "alice", "password": password}
    )

    assert response.status_code == 429


@pytest.mark.django_db(transaction=True)
def test_the_migration_masks_what_was_stored_in_clear():
    call_command("migrate", "accounts", "0009", verbosity=0)
    stored = AccessAttempt.objects.create(
        username="alice",
        ip_address="203.0.113.9",
        user_agent="test",
        http_accept="*/*",
        path_info="/accounts/password/change/",
        failures_since_start=2,
        get_data="next=/dashboard/",
        post_data="\n---------\n".join(
            [
                f"old_password={WRONG}\nnew_password1={NEW}\n"
                f"new_password2={NEW}\ncsrfmiddlewaretoken={CSRF}",
                f"password={WRONG}\ncode={CODE}\nremember_me=on",
                # A value with a line break: the second line goes with it.
                f"new_password1={WRONG}\n{NEW}\nname=alice",
            ]
        ),
    )

    call_command("migrate", "accounts", verbosity=0)

    stored.refresh_from_db()
    for secret in SECRETS:
        assert secret not in stored.post_data
    assert stored.get_data == "next=/dashboard/"
    assert "remember_me=on" in stored.post_data
    assert "name=alice" in stored.post_data
    assert stored.post_data.count("\n---------\n") == 2
    assert "old_password=********************" in stored.post_data
