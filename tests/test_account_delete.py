from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

User = get_user_model()
DELETE_URL = reverse("accounts:account_delete")
DASHBOARD_URL = reverse("accounts:dashboard")


def test_deleting_the_account_removes_it_and_ends_its_sessions(
    user,
    password,
    signals_sent,
    make_user,
    signed_in_client,
):
    make_user("bob")
    here = signed_in_client(password)
    elsewhere = signed_in_client(password)
    mail.outbox.clear()  # sign-in notices, not what this test is about
    keys = [c.cookies[settings.SESSION_COOKIE_NAME].value for c in (here, elsewhere)]

    response = here.post(DELETE_URL, {"password": password}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    assert "Your account has been deleted." in response.content.decode()
    assert not User.objects.filter(username="alice").exists()
    assert User.objects.filter(username="bob").exists()
    for client in (here, elsewhere):
        assert client.get(DASHBOARD_URL).status_code == 302
    assert [s["user"].username for s in signals_sent["account_deleted"]] == ["alice"]
    (goodbye,) = mail.outbox
    assert goodbye.to == ["alice@example.com"]
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    assert not any(store.exists(key) for key in keys)


def test_wrong_password_deletes_nothing(logged_in_client, user, signals_sent):
    response = logged_in_client.post(DELETE_URL, {"password": "not-it"})

    assert response.status_code == 200
    assert "Your password or code was not correct." in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()
    assert signals_sent["account_deleted"] == []


def test_get_shows_the_confirmation_and_deletes_nothing(logged_in_client, user):
    response = logged_in_client.get(DELETE_URL)

    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


def test_deletion_without_csrf_token_is_rejected(user, password):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(DELETE_URL, {"password": password})

    assert response.status_code == 403
    assert User.objects.filter(pk=user.pk).exists()


def test_anonymous_visitor_cannot_delete(client, user, password):
    response = client.post(DELETE_URL, {"password": password})

    assert response.status_code == 302
    assert User.objects.filter(pk=user.pk).exists()


@pytest.mark.parametrize("data", [{}, {"password": ""}, {"password": "x" * 10_000}])
def test_bad_deletion_input_gets_a_form_error_not_a_500(logged_in_client, user, data):
    response = logged_in_client.post(DELETE_URL, data)

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()
