"""Sign-up, password-reset and resend requests are limited per IP and per email."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "violet-harbour-91-lantern"


def signup_data(n, email=None):
    return {
        "username": f"user{n}",
        "email": email or f"user{n}@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }


@override_settings(AUTHSITE_RATELIMIT_SIGNUP="3/h")
def test_sign_up_is_limited_per_ip(client):
    answers = [
        client.post(reverse("accounts:signup"), signup_data(n)) for n in range(4)
    ]

    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    assert User.objects.count() == 3
    limited = answers[-1]
    assert 0 < int(limited["Retry-After"]) <= 3600
    assert "Too many requests" in limited.content.decode()
    other_ip = client.post(
        reverse("accounts:signup"), signup_data(9), REMOTE_ADDR="198.51.100.4"
    )
    assert other_ip.status_code == 302


@override_settings(AUTHSITE_RATELIMIT_SIGNUP="2/h")
def test_sign_up_is_limited_per_email_across_ips(client):
    answers = [
        client.post(
            reverse("accounts:signup"),
            signup_data(n, email="Target@example.com"),
            REMOTE_ADDR=f"198.51.100.{n}",
        )
        for n in range(3)
    ]

    assert [a.status_code for a in answers] == [302, 302, 429]


@override_settings(AUTHSITE_RATELIMIT_PASSWORD_RESET="2/h")
def test_password_reset_is_limited_per_email_and_per_ip(client, user):
    url = reverse("accounts:password_reset")
    per_email = [
        client.post(url, {"email": "ALICE@example.com"}, REMOTE_ADDR=f"203.0.113.{n}")
        for n in range(3)
    ]
    per_ip = [
        client.post(url, {"email": f"x{n}@example.com"}, REMOTE_ADDR="192.0.2.1")
        for n in range(3)
    ]

    assert [a.status_code for a in per_email] == [302, 302, 429]
    assert [a.status_code for a in per_ip] == [302, 302, 429]
    # Only the requests let through send mail: alice's link twice, and a
    # "no account" notice to each of the two unknown addresses.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "alice@example.com",
        "alice@example.com",
        "x0@example.com",
        "x1@example.com",
    ]
    assert "Retry-After" in per_email[-1]


@override_settings(AUTHSITE_RATELIMIT_PASSWORD_RESET="2/h")
def test_reset_limit_counts_one_inbox_however_its_address_is_spelled(client, db):
    url = reverse("accounts:password_reset")
    spellings = ["bob@example.com", "Bob+1@example.com", '"bob+2"@example.com']

    answers = [
        client.post(url, {"email": email}, REMOTE_ADDR=f"203.0.113.{n}")
        for n, email in enumerate(spellings)
    ]

    assert [a.status_code for a in answers] == [302, 302, 429]
    assert len(mail.outbox) == 2


@override_settings(AUTHSITE_RATELIMIT_RESEND_VERIFICATION="1/h")
def test_resend_is_limited_and_the_limit_is_the_same_for_unknown_emails(
    client, make_user
):
    make_user("carol", email_verified=False)
    url = reverse("accounts:resend_verification")

    known = [
        client.post(url, {"email": "carol@example.com"}, REMOTE_ADDR=f"203.0.113.{n}")
        for n in range(2)
    ]
    unknown = [
        client.post(url, {"email": "nobody@example.com"}, REMOTE_ADDR=f"192.0.2.{n}")
        for n in range(2)
    ]

    assert [a.status_code for a in known] == [302, 429]
    assert [a.status_code for a in unknown] == [302, 429]
    # The requests let through: carol's link, and the unknown address's
    # "nothing to confirm" notice.
    assert [m.to for m in mail.outbox] == [
        ["carol@example.com"],
        ["nobody@example.com"],
    ]


@override_settings(AUTHSITE_RATELIMIT_RESEND_VERIFICATION="2/h")
def test_resend_is_limited_per_ip(client):
    url = reverse("accounts:resend_verification")

    answers = [client.post(url, {"email": f"x{n}@example.com"}) for n in range(3)]

    assert [a.status_code for a in answers] == [302, 302, 429]


@override_settings(AUTHSITE_RATELIMIT_SIGNUP="1/h", AUTHSITE_TRUSTED_PROXY_COUNT=1)
def test_limit_uses_the_client_ip_resolver(client):
    url = reverse("accounts:signup")
    first = client.post(url, signup_data(1), HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = client.post(url, signup_data(2), HTTP_X_FORWARDED_FOR="198.51.100.2")
    third = client.post(url, signup_data(3), HTTP_X_FORWARDED_FOR="198.51.100.2")

    assert [first.status_code, second.status_code, third.status_code] == [
        302,
        302,
        429,
    ]


@override_settings(AUTHSITE_RATELIMIT_SIGNUP="1/h")
def test_too_many_requests_page_is_translated(client):
    client.post(reverse("accounts:signup"), signup_data(1))

    response = client.post(
        reverse("accounts:signup"), signup_data(2), HTTP_ACCEPT_LANGUAGE="ko"
    )

    body = response.content.decode()
    assert response.status_code == 429
    assert '<html lang="ko">' in body
    assert "Too many requests" not in body


def test_get_requests_are_not_counted(client):
    for _ in range(20):
        assert client.get(reverse("accounts:signup")).status_code == 200


@override_settings(AUTHSITE_RATELIMIT_EMAIL_CHANGE="2/h")
def test_email_change_links_are_limited_per_account(logged_in_client, user):
    answers = [
        logged_in_client.post(
            reverse("accounts:profile"),
            {"first_name": "", "last_name": "", "email": f"new{n}@example.com"},
        )
        for n in range(3)
    ]

    assert [a.status_code for a in answers] == [302, 302, 429]
    assert len(mail.outbox) == 2
    names_only = logged_in_client.post(
        reverse("accounts:profile"),
        {"first_name": "Alice", "last_name": "", "email": user.email},
    )
    assert names_only.status_code == 302


@override_settings(AUTHSITE_RATELIMIT_EMAIL_CHANGE="1/h")
def test_email_change_links_are_limited_per_new_address(client, make_user):
    for name in ("bob", "carol"):
        client.force_login(make_user(name))
        last = client.post(
            reverse("accounts:profile"),
            {"first_name": "", "last_name": "", "email": "victim@example.com"},
        )

    assert last.status_code == 429
    assert [m.to for m in mail.outbox] == [["victim@example.com"]]


@override_settings(AUTHSITE_RATELIMIT_LOGIN="3/m")
def test_sign_in_attempts_are_limited_per_address(user, password):
    def sign_in(address):
        return Client().post(
            reverse("accounts:login"),
            {"username": "alice", "password": password},
            REMOTE_ADDR=address,
        )

    allowed = [sign_in("198.51.100.5").status_code for _attempt in range(3)]
    limited = sign_in("198.51.100.5")
    elsewhere = sign_in("198.51.100.6")

    assert allowed == [302, 302, 302]
    assert limited.status_code == 429
    assert limited["Retry-After"]
    assert elsewhere.status_code == 302


@override_settings(AUTHSITE_RATELIMIT_LOGIN="2/m")
def test_password_changes_share_the_password_check_limit(logged_in_client, password):
    def change(old):
        return logged_in_client.post(
            reverse("accounts:password_change"),
            {
                "old_password": old,
                "new_password1": "violet-harbour-91-lantern",
                "new_password2": "violet-harbour-91-lantern",
            },
        )

    assert change("wrong").status_code == 200
    assert change("wrong").status_code == 200
    assert change(password).status_code == 429
