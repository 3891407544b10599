"""Every account event, recorded once, through the pages that cause it.

``tests/test_auth_events.py`` covers the recorder and its receivers; here
each event comes from a real request, with the user and client address it
must carry.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import AuthEvent, LockoutCounter, Session

pytestmark = pytest.mark.django_db

Type = AuthEvent.Type
IP = "203.0.113.42"
NEW_PASSWORD = "violet-harbour-91-lantern"


BROWSER = {"REMOTE_ADDR": IP, "HTTP_USER_AGENT": "Mozilla/5.0 Firefox/121.0"}


def browser():
    return Client(**BROWSER)


def events(event_type):
    return list(AuthEvent.objects.filter(event_type=event_type))


def test_sign_up_and_email_verification_are_recorded(link_in_mail):
    client = browser()
    client.post(
        reverse("accounts:signup"),
        {
            "username": "carol",
            "email": "carol@example.com",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    carol = get_user_model().objects.get(username="carol")
    client.post(link_in_mail(mail.outbox[0], "/accounts/verify-email/"))

    (signup,) = events(Type.SIGNUP)
    (verified,) = events(Type.EMAIL_VERIFIED)
    assert signup.user == verified.user == carol
    assert signup.ip_address == verified.ip_address == IP
    assert verified.detail["email"] == "carol@example.com"


def test_password_change_is_recorded_and_ends_the_other_sessions(
    user, password, signed_in_client
):
    here = signed_in_client(password, **BROWSER)
    signed_in_client(password, **BROWSER)

    here.post(
        reverse("accounts:password_change"),
        {
            "old_password": password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    (changed,) = events(Type.PASSWORD_CHANGED)
    assert (changed.user, changed.ip_address) == (user, IP)
    (ended,) = events(Type.SESSION_ENDED_BY_SYSTEM)
    assert ended.user == user
    assert Session.objects.filter(user=user).count() == 1


def test_password_reset_is_recorded_and_clears_the_lock(user, password, link_in_mail):
    for _attempt in range(5):
        browser().post(
            reverse("accounts:login"), {"username": "alice", "password": "wrong"}
        )
    assert events(Type.LOCKOUT)
    assert LockoutCounter.objects.filter(scope="account").exists()

    client = browser()
    client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
    link = link_in_mail(mail.outbox[-1], "/accounts/reset/")
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    (requested,) = events(Type.PASSWORD_RESET_REQUESTED)
    (done,) = events(Type.PASSWORD_RESET_DONE)
    assert requested.user == done.user == user
    assert done.ip_address == IP
    assert not LockoutCounter.objects.filter(scope="account").exists()
    login = browser().post(
        reverse("accounts:login"), {"username": "alice", "password": NEW_PASSWORD}
    )
    assert login.status_code == 302


def test_email_change_is_recorded(user, password, link_in_mail, signed_in_client):
    client = signed_in_client(password, **BROWSER)
    mail.outbox.clear()
    client.post(
        reverse("accounts:profile"),
        {"first_name": "", "last_name": "", "email": "alice@new.example"},
    )
    client.post(link_in_mail(mail.outbox[0], "/accounts/email/confirm/"))

    (changed,) = events(Type.EMAIL_CHANGED)
    assert (changed.user, changed.ip_address) == (user, IP)
    assert changed.detail == {
        "old_email": "alice@example.com",
        "new_email": "alice@new.example",
    }


def test_sessions_ended_by_the_user_and_by_an_admin_are_recorded(
    user,
    password,
    make_user,
    signed_in_client,
):
    laptop = signed_in_client(password, **BROWSER)
    signed_in_client(password, **BROWSER)
    phone_session = Session.objects.filter(user=user).order_by("created_at").last()
    laptop.post(reverse("accounts:session_end", args=[phone_session.public_id]))
    admin = Client()
    admin.force_login(make_user("boss", is_staff=True, is_superuser=True))
    admin.post(
        "/admin/accounts/user/",
        {"action": "end_all_sessions", "_selected_action": [user.pk]},
    )

    (by_user,) = events(Type.SESSION_ENDED_BY_USER)
    (by_admin,) = events(Type.SESSION_ENDED_BY_ADMIN)
    assert by_user.user == by_admin.user == user
    assert by_user.ip_address == IP


def test_account_deletion_is_recorded_and_outlives_the_account(
    user, password, signed_in_client
):
    client = signed_in_client(password, **BROWSER)

    client.post(reverse("accounts:account_delete"), {"password": password})

    (deleted,) = events(Type.ACCOUNT_DELETED)
    assert deleted.user is None
    assert deleted.detail["user_id"] == user.pk
    assert deleted.ip_address == IP
