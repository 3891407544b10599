import datetime
import re
from io import StringIO
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from accounts.lifecycle.tokens import email_verification_token

pytestmark = pytest.mark.django_db

User = get_user_model()
RESEND_URL = reverse("accounts:resend_verification")
DASHBOARD_URL = reverse("accounts:dashboard")
INVALID = "This link cannot be used"


@pytest.fixture
def carol(make_user):
    return make_user("carol", email_verified=False)


def verify_path(user):
    return reverse(
        "accounts:verify_email", args=[email_verification_token.make_token(user)]
    )


def test_link_from_the_email_verifies_once(client, carol):
    client.post(RESEND_URL, {"email": "carol@example.com"})
    link = re.search(r"/accounts/verify-email/\S+/", mail.outbox[0].body).group(0)

    first = client.post(link)
    reused = client.post(link)

    assert first.status_code == 302
    carol.refresh_from_db()
    assert carol.email_verified
    # Opened again, the link says there is nothing left to do.
    assert reused.status_code == 200
    assert "Your email address is already confirmed" in reused.content.decode()
    assert INVALID not in client.get(link).content.decode()


def test_expired_link_is_rejected_with_a_clear_page(client, carol):
    path = verify_path(carol)
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(
        days=3, seconds=1
    )

    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        response = client.post(path)

    assert response.status_code == 400
    assert INVALID in response.content.decode()
    carol.refresh_from_db()
    assert not carol.email_verified


@override_settings(AUTHSITE_EMAIL_VERIFICATION_TIMEOUT=60)
def test_link_lifetime_comes_from_the_setting(client, carol):
    path = verify_path(carol)
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=61)

    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        assert client.get(path).status_code == 400
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "x" + token,
        lambda token: token.split(":")[0],
        lambda token: "garbage",
    ],
)
def test_tampered_link_is_rejected(client, carol, tamper):
    token = email_verification_token.make_token(carol)

    response = client.post(reverse("accounts:verify_email", args=[tamper(token)]))

    assert response.status_code == 400
    assert INVALID in response.content.decode()
    carol.refresh_from_db()
    assert not carol.email_verified


def test_link_dies_when_the_address_changes(client, carol):
    path = verify_path(carol)
    carol.email = "carol@elsewhere.example"
    carol.save()

    assert client.post(path).status_code == 400


def test_reset_token_from_another_purpose_is_not_accepted(client, carol):
    from accounts.lifecycle.tokens import email_change_token

    token = email_change_token.make_token(carol, "carol@example.com")

    assert (
        client.post(reverse("accounts:verify_email", args=[token])).status_code == 400
    )


def test_resend_answers_the_same_for_known_unknown_and_verified_addresses(
    client, carol, make_user
):
    make_user("dave")  # verified

    answers = [
        client.post(RESEND_URL, {"email": email}, follow=True)
        for email in ("carol@example.com", "nobody@example.com", "dave@example.com")
    ]

    bodies = {re.sub(r'value="[^"]+"', "", a.content.decode()) for a in answers}
    assert len(bodies) == 1
    assert {a.redirect_chain[-1] for a in answers} == {(RESEND_URL, 302)}
    # One email each, so a slow mail server times all three alike; only
    # carol's holds a link.
    assert [m.to for m in mail.outbox] == [
        ["carol@example.com"],
        ["nobody@example.com"],
        ["dave@example.com"],
    ]
    link, nothing, also_nothing = mail.outbox
    assert "/accounts/verify-email/" in link.body
    for message in (nothing, also_nothing):
        assert message.subject == "No confirmation needed for this address"
        assert "/accounts/verify-email/" not in message.body
        assert "/accounts/login/" in message.body


@override_settings(AUTHSITE_EMAIL_VERIFICATION="optional")
def test_dashboard_shows_an_unverified_banner_in_optional_mode(client, carol):
    client.force_login(carol)

    body = client.get(DASHBOARD_URL).content.decode()

    assert "Please confirm your email address carol@example.com" in body
    assert f'action="{RESEND_URL}"' in body


@override_settings(AUTHSITE_EMAIL_VERIFICATION="optional")
def test_unverified_dashboard_stays_within_two_queries(
    client, carol, django_assert_max_num_queries
):
    client.force_login(carol)

    with django_assert_max_num_queries(2):
        response = client.get(DASHBOARD_URL)

    assert response.status_code == 200


@override_settings(AUTHSITE_EMAIL_VERIFICATION="optional")
def test_resend_from_the_dashboard_sends_a_link_and_returns(client, carol):
    client.force_login(carol)

    response = client.post(RESEND_URL, {"email": carol.email})

    assert response.url == DASHBOARD_URL
    assert [m.to for m in mail.outbox] == [["carol@example.com"]]


@override_settings(AUTHSITE_EMAIL_VERIFICATION="optional")
def test_verified_user_sees_no_banner(logged_in_client):
    body = logged_in_client.get(DASHBOARD_URL).content.decode()

    assert "Please confirm your email address" not in body


@override_settings(AUTHSITE_EMAIL_VERIFICATION="none")
def test_no_banner_when_verification_is_off(client, carol):
    client.force_login(carol)

    assert "Please confirm" not in client.get(DASHBOARD_URL).content.decode()


@override_settings(AUTHSITE_EMAIL_VERIFICATION="optional")
def test_unverified_user_may_sign_in_in_optional_mode(client, carol, password):
    response = client.post(
        reverse("accounts:login"), {"username": "carol", "password": password}
    )

    assert response.status_code == 302


def test_signed_in_user_verifying_returns_to_the_dashboard(client, carol):
    client.force_login(carol)

    response = client.post(verify_path(carol))

    assert response.url == DASHBOARD_URL


def test_createsuperuser_makes_a_verified_account(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "violet-harbour-91-lantern")

    call_command(
        "createsuperuser",
        "--noinput",
        "--username=root",
        "--email=root@example.com",
        stdout=StringIO(),
    )

    assert User.objects.get(username="root").email_verified


def test_admin_shows_and_edits_the_verified_flag(client, make_user, carol):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    url = f"/admin/accounts/user/{carol.pk}/change/"
    page = client.get(url)
    assert 'name="email_verified"' in page.content.decode()
    form = page.context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if value is not None and key not in {"password", "groups", "user_permissions"}
    }
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update(
            {f"{management.prefix}-{k}": v for k, v in management.initial.items()}
        )
    data["email_verified"] = "on"

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    carol.refresh_from_db()
    assert carol.email_verified


@pytest.mark.parametrize(
    "data",
    [{}, {"email": ""}, {"email": "not-an-email"}, {"email": "a" * 10_000 + "@x.io"}],
)
def test_bad_resend_input_gets_a_form_error_not_a_500(client, data):
    response = client.post(RESEND_URL, data)

    assert response.status_code == 200
    assert 'id="id_email_error"' in response.content.decode()
    assert mail.outbox == []
