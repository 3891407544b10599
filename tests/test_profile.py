import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts.conf import app_settings
from accounts.lifecycle.tokens import email_change_token

pytestmark = pytest.mark.django_db

User = get_user_model()
PROFILE_URL = reverse("accounts:profile")


def save_profile(client, email="alice@example.com", first="Alice", last="Liddell"):
    return client.post(
        PROFILE_URL, {"first_name": first, "last_name": last, "email": email}
    )


def test_names_change_at_once(logged_in_client, user):
    response = save_profile(logged_in_client)

    assert response.url == PROFILE_URL
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Alice", "Liddell")
    assert mail.outbox == []


def test_email_change_waits_for_the_link_sent_to_the_new_address(
    logged_in_client, user, link_in_mail, signals_sent
):
    response = save_profile(logged_in_client, email="alice@new.example")

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "alice@example.com"
    (confirm_mail,) = mail.outbox
    assert confirm_mail.to == ["alice@new.example"]
    link = link_in_mail(confirm_mail, "/accounts/email/confirm/")
    assert "alice@new.example" in logged_in_client.get(link).content.decode()
    user.refresh_from_db()
    assert user.email == "alice@example.com"

    confirmed = logged_in_client.post(link, follow=True)

    assert "Your email address is now alice@new.example." in (
        confirmed.content.decode()
    )
    user.refresh_from_db()
    assert user.email == "alice@new.example"
    assert user.email_verified
    notice = mail.outbox[-1]
    assert notice.to == ["alice@example.com"]
    assert "alice@new.example" in notice.body
    (changed,) = signals_sent["email_changed"]
    assert (changed["old_email"], changed["new_email"]) == (
        "alice@example.com",
        "alice@new.example",
    )
    assert [s["email"] for s in signals_sent["email_verified"]] == ["alice@new.example"]
    assert logged_in_client.post(link).status_code == 400  # used


def test_email_change_link_dies_once_the_address_changed_otherwise(
    logged_in_client, user
):
    first = email_change_token.make_token(user, "one@example.com")
    second = email_change_token.make_token(user, "two@example.com")
    logged_in_client.post(reverse("accounts:email_change_confirm", args=[second]))

    response = logged_in_client.post(
        reverse("accounts:email_change_confirm", args=[first])
    )

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email == "two@example.com"


def test_email_change_link_is_refused_for_another_signed_in_user(client, make_user):
    alice = make_user("alice")
    client.force_login(make_user("mallory"))
    token = email_change_token.make_token(alice, "alice@new.example")

    response = client.post(reverse("accounts:email_change_confirm", args=[token]))

    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_email_change_link_asks_an_anonymous_visitor_to_sign_in(client, user):
    path = reverse(
        "accounts:email_change_confirm",
        args=[email_change_token.make_token(user, "alice@new.example")],
    )

    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert "next=" in response.url


def test_tampered_email_change_link_is_rejected(logged_in_client, user):
    token = email_change_token.make_token(user, "alice@new.example")

    response = logged_in_client.post(
        reverse("accounts:email_change_confirm", args=[token[:-2] + "xx"])
    )

    assert response.status_code == 400


def test_taken_email_looks_the_same_and_only_tells_its_owner(
    logged_in_client, user, make_user
):
    make_user("bob", email="bob@example.com")

    taken = save_profile(logged_in_client, email="BOB@example.com")
    fresh = save_profile(logged_in_client, email="fresh@example.com")

    assert taken.status_code == fresh.status_code == 302
    # One email each, so a slow mail server times both alike: bob (at the
    # address on file) hears someone tried his address, with no link.
    notice, link = mail.outbox
    assert notice.to == ["bob@example.com"]
    assert notice.subject == "Someone tried to use your email address"
    assert "http" not in notice.body
    assert link.to == ["fresh@example.com"]
    user.refresh_from_db()
    assert user.email == "alice@example.com"


@override_settings(AUTHSITE_PREVENT_ENUMERATION=False)
def test_taken_email_is_reported_when_enumeration_prevention_is_off(
    logged_in_client, make_user
):
    make_user("bob", email="bob@example.com")

    response = save_profile(logged_in_client, email="bob@example.com")

    assert response.status_code == 200
    assert "A user with that email address already exists." in (
        response.content.decode()
    )


def test_address_taken_before_confirming_changes_nothing(
    logged_in_client, user, make_user
):
    token = email_change_token.make_token(user, "bob@example.com")
    make_user("bob", email="bob@example.com")

    response = logged_in_client.post(
        reverse("accounts:email_change_confirm", args=[token])
    )

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email == "alice@example.com"


def test_profile_requires_sign_in(client):
    response = client.get(PROFILE_URL)

    assert response.url.startswith(reverse("accounts:login"))


def test_dashboard_tabs_link_profile_and_password(logged_in_client):
    body = logged_in_client.get(reverse("accounts:dashboard")).content.decode()

    assert f'href="{PROFILE_URL}"' in body
    assert f'href="{reverse("accounts:password_change")}"' in body


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "email"),
        ({"email": ""}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a" * 10_000 + "@x.io"}, "email"),
        ({"first_name": "a" * 151}, "first_name"),
        ({"last_name": "b" * 10_000}, "last_name"),
    ],
)
def test_bad_profile_input_gets_a_form_error_not_a_500(
    logged_in_client, user, data, field
):
    full = {"first_name": "", "last_name": "", "email": user.email, **data}
    if data == {}:
        full = {}

    response = logged_in_client.post(PROFILE_URL, full)

    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.content.decode()
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.email) == (
        "",
        "",
        "alice@example.com",
    )
    assert mail.outbox == []


def test_pending_email_change_dies_when_the_password_changes(client, user):
    token = email_change_token.make_token(user, "alice@new.example")
    user.set_password("a-whole-new-passphrase-42")
    user.save()
    client.force_login(user)

    response = client.post(reverse("accounts:email_change_confirm", args=[token]))

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email == "alice@example.com"


def test_changing_only_the_letter_case_of_the_email_needs_no_link(
    logged_in_client, user
):
    mail.outbox.clear()

    response = save_profile(logged_in_client, email="Alice@example.com")

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "Alice@example.com"
    assert mail.outbox == []


def test_a_stale_session_keeps_the_name_edit_while_the_new_address_waits(
    logged_in_client, user, clock
):
    clock.advance(seconds=app_settings.REAUTHENTICATION_TIMEOUT + 1)

    response = save_profile(logged_in_client, email="alice@new.example", first="Al")

    assert response.url.startswith(reverse("accounts:reauthenticate"))
    user.refresh_from_db()
    assert user.first_name == "Al"
    assert user.email == "alice@example.com"
    assert mail.outbox == []
