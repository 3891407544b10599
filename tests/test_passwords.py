import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_new_users_password_is_stored_with_argon2id(user):
    assert user.password.startswith("argon2$argon2id$")


def test_pbkdf2_password_verifies_and_is_upgraded_to_argon2_at_login(
    client, make_user, password
):
    user = make_user()
    user.password = make_password(password, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    response = client.post(
        reverse("accounts:login"), {"username": "alice", "password": password}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(password)


def test_argon2_cost_comes_from_settings_and_old_hashes_are_rehashed(
    client, make_user, password
):
    user = make_user()
    assert "m=8,t=1,p=1" in user.password

    with override_settings(AUTHSITE_ARGON2_MEMORY_COST=16, AUTHSITE_ARGON2_TIME_COST=2):
        client.post(
            reverse("accounts:login"), {"username": "alice", "password": password}
        )

    user.refresh_from_db()
    assert "m=16,t=2,p=1" in user.password


def test_wrong_password_does_not_rehash(client, make_user):
    user = make_user()
    user.password = make_password("secret-one-two", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    client.post(reverse("accounts:login"), {"username": "alice", "password": "nope"})

    assert get_user_model().objects.get().password.startswith("pbkdf2_sha256$")
