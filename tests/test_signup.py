import re
from unittest import mock

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts.lifecycle.forms import SignupForm

pytestmark = pytest.mark.django_db

User = get_user_model()
SIGNUP_URL = reverse("accounts:signup")
LOGIN_URL = reverse("accounts:login")
DONE_URL = reverse("accounts:signup_done")
NEW_PASSWORD = "violet-harbour-91-lantern"


def sign_up(client, username="carol", email="carol@example.com", **extra):
    data = {
        "username": username,
        "email": email,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **extra,
    }
    return client.post(SIGNUP_URL, data)


def test_full_sign_up_verification_and_login_flow(client, link_in_mail, signals_sent):
    response = sign_up(client)

    assert response.status_code == 302
    assert response.url == DONE_URL
    carol = User.objects.get(username="carol")
    assert not carol.email_verified
    (signed_up,) = signals_sent["user_signed_up"]
    assert signed_up["sender"] is User
    assert signed_up["user"] == carol
    assert signed_up["request"] is not None
    refused = client.post(LOGIN_URL, {"username": "carol", "password": NEW_PASSWORD})
    assert "Please confirm your email address first" in refused.content.decode()
    assert SESSION_KEY not in client.session

    (message,) = mail.outbox
    assert message.to == ["carol@example.com"]
    assert message.alternatives[0][1] == "text/html"
    link = link_in_mail(message, "/accounts/verify-email/")
    confirm_page = client.get(link)
    assert confirm_page.status_code == 200
    assert "carol@example.com" in confirm_page.content.decode()
    assert not User.objects.get(username="carol").email_verified
    confirmed = client.post(link, follow=True)

    assert confirmed.redirect_chain[-1][0] == LOGIN_URL
    assert "your email address is confirmed" in confirmed.content.decode()
    carol.refresh_from_db()
    assert carol.email_verified
    assert [s["email"] for s in signals_sent["email_verified"]] == ["carol@example.com"]
    login = client.post(LOGIN_URL, {"username": "carol", "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert client.session[SESSION_KEY] == str(carol.pk)


def test_get_on_verification_link_does_not_verify(client, link_in_mail):
    sign_up(client)

    client.get(link_in_mail(mail.outbox[0], "/accounts/verify-email/"))

    assert not User.objects.get(username="carol").email_verified


def test_unverified_user_with_wrong_password_gets_the_generic_error(client):
    sign_up(client)

    response = client.post(LOGIN_URL, {"username": "carol", "password": "wrong"})

    body = response.content.decode()
    assert "Please enter a correct username or email address and password." in body
    assert "confirm your email" not in body
    assert 'name="email"' not in body  # no resend form leaks the address


def test_login_refusal_offers_to_resend_the_link(client):
    sign_up(client)
    mail.outbox.clear()

    refused = client.post(LOGIN_URL, {"username": "carol", "password": NEW_PASSWORD})
    assert reverse("accounts:resend_verification") in refused.content.decode()
    client.post(reverse("accounts:resend_verification"), {"email": "carol@example.com"})

    assert [m.to for m in mail.outbox] == [["carol@example.com"]]


def _normalised(response):
    body = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", body)


def test_sign_up_with_a_taken_email_looks_like_a_new_one(
    client, make_user, link_in_mail
):
    make_user("alice", email="alice@example.com")

    fresh = sign_up(client, "carol", "carol@example.com")
    taken = sign_up(client, "mallory", "ALICE@example.com")

    assert fresh.status_code == taken.status_code == 302
    assert fresh.url == taken.url == DONE_URL
    assert _normalised(client.get(fresh.url)) == _normalised(client.get(taken.url))
    assert not User.objects.filter(username="mallory").exists()
    to_alice = mail.outbox[-1]
    assert to_alice.to == ["alice@example.com"]  # the address on file, not as typed
    assert "Someone tried to sign up" in to_alice.subject
    link_in_mail(to_alice, "/accounts/password/reset/")
    assert "/accounts/verify-email/" not in to_alice.body


@override_settings(AUTHSITE_PREVENT_ENUMERATION=False)
def test_taken_email_is_reported_when_enumeration_prevention_is_off(client, make_user):
    make_user("alice", email="alice@example.com")

    response = sign_up(client, "mallory", "Alice@Example.com")

    assert response.status_code == 200
    assert "A user with that email address already exists." in (
        response.content.decode()
    )
    assert mail.outbox == []


@pytest.mark.parametrize("taken", ["alice", "ALICE", "Alice"])
def test_taken_username_is_always_reported_on_the_form(client, make_user, taken):
    make_user("alice")

    response = sign_up(client, taken, "new@example.com")

    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("A user with that username already exists.") == 1
    assert User.objects.count() == 1


@override_settings(AUTHSITE_EMAIL_VERIFICATION="optional")
def test_optional_verification_signs_in_at_once_and_still_sends_a_link(client):
    response = sign_up(client)

    assert response.url == reverse("accounts:dashboard")
    assert SESSION_KEY in client.session
    assert len(mail.outbox) == 1


@override_settings(AUTHSITE_EMAIL_VERIFICATION="optional")
def test_optional_verification_reports_a_taken_email(client, make_user):
    make_user("alice", email="alice@example.com")

    response = sign_up(client, "mallory", "alice@example.com")

    assert response.status_code == 200
    assert "A user with that email address already exists." in (
        response.content.decode()
    )


@override_settings(AUTHSITE_EMAIL_VERIFICATION="none")
def test_no_verification_sends_no_email_and_lets_the_user_in(client):
    sign_up(client)

    assert mail.outbox == []
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    client.post(reverse("accounts:logout"))
    login = client.post(LOGIN_URL, {"username": "carol", "password": NEW_PASSWORD})
    assert login.status_code == 302


def test_signed_in_user_is_sent_from_sign_up_to_the_dashboard(logged_in_client):
    response = logged_in_client.get(SIGNUP_URL)

    assert response.url == reverse("accounts:dashboard")


def test_sign_up_page_links_to_sign_in(client):
    body = client.get(SIGNUP_URL).content.decode()

    assert 'name="username"' in body
    assert 'name="email"' in body
    assert LOGIN_URL in body


def test_sign_up_without_csrf_token_is_rejected(db):
    from django.test import Client

    response = sign_up(Client(enforce_csrf_checks=True))

    assert response.status_code == 403
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "username"),
        ({"username": "", "email": "", "password1": "", "password2": ""}, "email"),
        ({"username": "a" * 10_000}, "username"),
        ({"username": "a" * 151}, "username"),
        ({"username": "bad name!"}, "username"),
        ({"username": "a@b"}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "x" * 250 + "@example.com"}, "email"),
        ({"password2": "something-else-entirely"}, "password2"),
        # A weak password is reported under the new password, not its copy.
        ({"password1": "123", "password2": "123"}, "password1"),
        ({"password1": "carol-example", "password2": "carol-example"}, "password1"),
        ({"username": "\x00"}, "username"),
    ],
)
def test_bad_sign_up_input_gets_a_form_error_not_a_500(client, data, field):
    full = {
        "username": "carol",
        "email": "carol@example.com",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **data,
    }
    if data == {}:
        full = {}

    response = client.post(SIGNUP_URL, full)

    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not User.objects.exists()
    assert mail.outbox == []


def test_a_password_like_the_username_is_refused_in_good_korean(client):
    response = client.post(
        SIGNUP_URL,
        {
            "username": "dragonfly",
            "email": "dragon@example.com",
            "password1": "dragonfly1",
            "password2": "dragonfly1",
        },
        HTTP_ACCEPT_LANGUAGE="ko",
    )

    body = response.content.decode()
    assert "비밀번호가 사용자 이름 항목과 너무 비슷합니다." in body
    assert "이름와" not in body


@pytest.fixture
def concurrent_sign_up(make_user):
    """Another sign-up saves alice@example.com after this one's address was
    checked: the first check does not see it, the saving then hits the
    unique index, and any later check does see it."""
    check = SignupForm.clean_email
    checked = []

    def clean_email(form):
        if not checked:
            checked.append(True)
            return form.cleaned_data["email"]
        return check(form)

    make_user("alice", email="alice@example.com")
    with mock.patch.object(SignupForm, "clean_email", clean_email):
        yield


@pytest.mark.usefixtures("concurrent_sign_up")
def test_sign_up_that_loses_the_address_to_a_concurrent_one_looks_like_a_new_one(
    client,
):
    response = sign_up(client, "mallory", "Alice@example.com")

    assert response.status_code == 302
    assert response.url == DONE_URL
    assert not User.objects.filter(username="mallory").exists()
    assert mail.outbox[-1].to == ["alice@example.com"]
    assert "Someone tried to sign up" in mail.outbox[-1].subject
