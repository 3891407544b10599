"""Mail to an address nobody has confirmed carries no text the requester chose.

Anyone can sign up with a stranger's address and a username written as a
message; the site's genuine mail must not deliver that message. Each test
goes through the pages that send the mail and reads both parts of it.
"""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

PHISHING = "Account.suspended.-.restore.at.www.evil-support.example"
PASSWORD = "violet-harbour-91-lantern"
VICTIM = "victim@example.com"


def parts(message) -> list[str]:
    return [message.subject, message.body, message.alternatives[0][0]]


def assert_names_nothing_chosen(message, *chosen):
    for part in parts(message):
        for text in (PHISHING, *chosen):
            assert text not in part
    assert "Hello," in message.body


def sign_up(client, username=PHISHING, email=VICTIM):
    return client.post(
        reverse("accounts:signup"),
        {
            "username": username,
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def test_the_confirmation_link_does_not_greet_by_the_typed_username(client):
    assert sign_up(client).status_code == 302

    (message,) = mail.outbox
    assert message.to == [VICTIM]
    assert_names_nothing_chosen(message)


def test_a_reset_link_to_an_unconfirmed_address_does_not_name_the_account(client):
    sign_up(client)
    mail.outbox.clear()

    client.post(reverse("accounts:password_reset"), {"email": VICTIM})

    (message,) = mail.outbox
    assert "/accounts/reset/" in message.body
    assert_names_nothing_chosen(message)


def test_a_reset_link_to_a_confirmed_address_greets_its_owner(client, make_user):
    make_user("alice", email="alice@example.com")

    client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})

    (message,) = mail.outbox
    assert "Hello alice," in message.body
    assert "Hello alice," in message.alternatives[0][0]


def test_the_link_to_a_new_address_does_not_name_the_account(client, make_user):
    client.force_login(make_user(PHISHING, email="phisher@example.com"))

    client.post(
        reverse("accounts:profile"),
        {"first_name": "", "last_name": "", "email": VICTIM},
    )

    (message,) = mail.outbox
    assert message.to == [VICTIM]
    assert "/accounts/email/confirm/" in message.body
    assert_names_nothing_chosen(message)


def test_notes_to_addresses_that_have_an_account_name_nothing_chosen(client, make_user):
    make_user("alice", email=VICTIM)
    client.force_login(make_user(PHISHING, email="phisher@example.com"))

    sign_up(Client(), username="Restore.at.evil-support.example")
    client.post(
        reverse("accounts:profile"),
        {"first_name": "Call", "last_name": "evil-support", "email": VICTIM},
    )

    taken_signup, taken_change = mail.outbox
    assert taken_signup.to == taken_change.to == [VICTIM]
    for message in (taken_signup, taken_change):
        assert_names_nothing_chosen(
            message, "Restore.at.evil-support.example", "evil-support"
        )


def test_notes_to_addresses_without_an_account_name_nothing_chosen(client):
    client.post(reverse("accounts:password_reset"), {"email": VICTIM})
    client.post(reverse("accounts:resend_verification"), {"email": VICTIM})

    reset_note, resend_note = mail.outbox
    for message in (reset_note, resend_note):
        assert message.to == [VICTIM]
        assert_names_nothing_chosen(message)


class TestOptionalVerification:
    """An unconfirmed account signs in at once: its own notices stay quiet too."""

    @pytest.fixture
    def phisher(self, client, settings):
        settings.AUTHSITE_EMAIL_VERIFICATION = "optional"
        assert sign_up(client).status_code == 302
        mail.outbox.clear()
        return User.objects.get(username=PHISHING)

    def test_password_change_notice_does_not_greet_by_the_username(
        self, client, phisher
    ):
        client.post(
            reverse("accounts:password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "amber-quartz-42-meadow",
                "new_password2": "amber-quartz-42-meadow",
            },
        )

        (message,) = mail.outbox
        assert message.to == [VICTIM]
        assert_names_nothing_chosen(message)

    def test_no_new_browser_alert_goes_to_an_unconfirmed_address(self, phisher):
        other = Client(HTTP_USER_AGENT="Restore-at-evil-support.example/1.0")

        response = other.post(
            reverse("accounts:login"), {"username": PHISHING, "password": PASSWORD}
        )

        assert response.status_code == 302
        assert mail.outbox == []

    def test_leaving_an_unconfirmed_address_does_not_tell_it_the_new_one(
        self, client, phisher, link_in_mail
    ):
        client.post(
            reverse("accounts:profile"),
            {"first_name": "", "last_name": "", "email": "restore@evil.example"},
        )
        client.post(link_in_mail(mail.outbox[-1], "/accounts/email/confirm/"))

        notice = mail.outbox[-1]
        assert notice.to == [VICTIM]
        assert "changed" in notice.body
        assert_names_nothing_chosen(notice, "restore@evil.example")

    def test_the_goodbye_to_an_unconfirmed_address_names_nobody(self, client, phisher):
        client.post(reverse("accounts:account_delete"), {"password": PASSWORD})

        (message,) = mail.outbox
        assert message.to == [VICTIM]
        assert_names_nothing_chosen(message)
