"""What the lockout keeps of a failed attempt: never a secret.

django-axes stored the GET and POST data of each failed attempt and showed
it in the admin, masking only the field names it was given, so the
password-change form's passwords were stored as typed. The lockout counter
that replaced it (``accounts.security.models.LockoutCounter``) keeps keys
and counts only; these tests search every stored text for what was typed.
"""

import json

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.conf import app_settings
from accounts.models import LockoutCounter, Session
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
    assert LockoutCounter.objects.exists()  # something was counted
    for secret in SECRETS:
        assert secret not in text


def assert_no_secret_in_the_admin(make_user):
    boss = Client()
    boss.force_login(make_user("boss", is_staff=True, is_superuser=True))
    page = boss.get(reverse("admin:accounts_lockoutcounter_changelist"))
    assert page.status_code == 200
    for counter in LockoutCounter.objects.all():
        detail = boss.get(
            reverse("admin:accounts_lockoutcounter_change", args=[counter.pk])
        ).content.decode()
        for secret in SECRETS:
            assert secret not in page.content.decode()
            assert secret not in detail


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


def test_a_secret_field_of_any_name_is_not_stored(client, user, make_user):
    client.post(
        reverse("accounts:login") + f"?reset_token={NEW_FORM_SECRET}",
        {"username": "alice", "password": WRONG, "api_token": NEW_FORM_SECRET},
    )

    assert_no_secret_stored()
    assert_no_secret_in_the_admin(make_user)


def test_failures_still_lock_out(client, user, password, settings):
    for _ in range(app_settings.LOCKOUT_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "alice", "password": WRONG})

    response = client.post(
        reverse("accounts:login"), {"username": "alice", "password": password}
    )

    assert response.status_code == 429
