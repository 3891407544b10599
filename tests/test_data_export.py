"""Download my data: everything held about the account, and no secret."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from accounts.models import AuthEvent, OutgoingEmail, Passkey, RecoveryCode, Session
from accounts.twofactor import services as twofactor

pytestmark = pytest.mark.django_db

EXPORT_URL = reverse("accounts:data_export")
REAUTH_URL = reverse("accounts:reauthenticate")
LAPTOP = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def seeded(user, password, signed_in_client, make_app):
    """Alice, signed in on a laptop and a phone, with every kind of data."""
    laptop = signed_in_client(
        password, HTTP_USER_AGENT=LAPTOP, REMOTE_ADDR="198.51.100.7"
    )
    signed_in_client(password, HTTP_USER_AGENT=PHONE, REMOTE_ADDR="203.0.113.40")
    Client().post(
        reverse("accounts:login"), {"username": "alice", "password": "wrong-guess"}
    )
    device = TOTPDevice.objects.create(user=user, name="phone app", confirmed=False)
    codes = twofactor.enable(user, device=device)
    passkey = Passkey.objects.create(
        user=user,
        name="Work laptop",
        credential_id="Y3JlZGVudGlhbC1pZC1zZWNyZXQ",
        public_key=b"public-key-bytes",
        user_handle="dXNlci1oYW5kbGUtdmFsdWU",
        backed_up=True,
    )
    app = make_app("Wiki")
    access = get_access_token_model().objects.create(
        user=user,
        application=app,
        token="access-token-value-1234567890",
        expires=timezone.now() + timedelta(hours=1),
        scope="openid profile",
    )
    refresh = get_refresh_token_model().objects.create(
        user=user,
        application=app,
        token="refresh-token-value-0987654321",
        access_token=access,
    )
    user.refresh_from_db()
    return {
        "browser": laptop,
        "device": device,
        "codes": codes,
        "passkey": passkey,
        "app": app,
        "tokens": [access.token, refresh.token, access.token_checksum],
    }


def download(browser):
    response = browser.post(EXPORT_URL)
    assert response.status_code == 200
    return response, json.loads(response.content)


def test_the_page_says_what_the_file_holds_and_downloads_by_post(seeded):
    body = seeded["browser"].get(EXPORT_URL).content.decode()

    assert "Download your data" in body
    assert f'<form method="post" action="{EXPORT_URL}">' in body
    assert "csrfmiddlewaretoken" in body


def test_the_download_is_a_json_attachment(seeded):
    response, data = download(seeded["browser"])

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert "authsite-alice-" in response["Content-Disposition"]
    assert (
        "no-store" in response["Cache-Control"]
        or "no-cache" in (response["Cache-Control"])
    )
    assert data["profile"]["username"] == "alice"
    assert data["profile"]["email"] == "alice@example.com"


def test_the_export_holds_the_seeded_sessions(seeded, user):
    _response, data = download(seeded["browser"])

    stored = Session.objects.filter(user=user).live()
    assert {s["id"] for s in data["sessions"]} == {str(s.public_id) for s in stored}
    by_ip = {s["ip_address"]: s for s in data["sessions"]}
    assert set(by_ip) == {"198.51.100.7", "203.0.113.40"}
    assert by_ip["198.51.100.7"]["device"] == "Firefox 121 on Linux"
    assert by_ip["198.51.100.7"]["current"] is True
    assert by_ip["203.0.113.40"]["current"] is False
    assert by_ip["203.0.113.40"]["user_agent"] == PHONE
    assert all(s["signed_in_at"] and s["last_active_at"] for s in data["sessions"])


def test_the_export_holds_the_seeded_events(seeded, user):
    stored = list(user.auth_events.values_list("event_type", flat=True))

    _response, data = download(seeded["browser"])

    assert [event["type"] for event in data["events"]] == stored
    types = {event["type"] for event in data["events"]}
    assert {"login", "login_failed", "two_factor_enabled"} <= types
    failed = next(e for e in data["events"] if e["type"] == "login_failed")
    assert failed["detail"] == {"identifier": "alice"}
    assert failed["description"] == "Failed sign-in"


def test_the_export_holds_two_factor_passkey_and_app_metadata(seeded):
    _response, data = download(seeded["browser"])

    [app] = data["two_factor"]["authenticator_apps"]
    assert app == {
        "name": "phone app",
        "confirmed": True,
        "added_at": app["added_at"],
        "last_used_at": None,
    }
    assert data["two_factor"]["recovery_codes"][0]["total"] == 10
    assert data["two_factor"]["recovery_codes"][0]["unused"] == 10
    [passkey] = data["passkeys"]
    assert passkey["name"] == "Work laptop"
    assert passkey["synced"] is True
    [token] = data["apps"]["access_tokens"]
    assert token["app"] == "Wiki"
    assert token["scope"] == "openid profile"
    assert len(data["apps"]["refresh_tokens"]) == 1


def test_the_export_holds_the_email_history(seeded, user, client):
    AuthEvent.objects.record(
        AuthEvent.Type.EMAIL_CHANGED,
        user=user,
        old_email="old@example.com",
        new_email="alice@example.com",
    )

    _response, data = download(seeded["browser"])

    assert data["email_history"][0]["type"] == "email_changed"
    assert data["email_history"][0]["old_email"] == "old@example.com"


def test_the_export_holds_no_password_hash_token_or_secret(seeded, user):
    response, _data = download(seeded["browser"])
    text = response.content.decode()

    device = seeded["device"]
    secrets = [
        user.password,
        user.password.split("$")[-1],
        device.key,
        *seeded["codes"],
        *(c.replace("-", "") for c in seeded["codes"]),
        *RecoveryCode.objects.values_list("digest", flat=True),
        seeded["passkey"].credential_id,
        seeded["passkey"].user_handle,
        *seeded["tokens"],
        seeded["app"].secret,
        *Session.objects.values_list("session_key", flat=True),
    ]
    for secret in secrets:
        assert secret
        assert secret not in text
    assert "password" not in json.loads(text)["profile"]
    assert '"key"' not in text
    assert '"token"' not in text


def test_a_download_is_in_the_audit_trail_and_mailed_to_the_owner(
    seeded, mailoutbox, caplog
):
    mailoutbox.clear()

    with caplog.at_level("INFO", logger="accounts.events"):
        download(seeded["browser"])

    [message] = mailoutbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "A copy of your account data was downloaded"
    assert "Firefox 121 on Linux" in message.body
    assert "198.51.100.7" in message.body
    assert any(
        getattr(record, "event_type", None) == "data_exported"
        for record in caplog.records
    )
    [event] = AuthEvent.objects.filter(event_type=AuthEvent.Type.DATA_EXPORTED)
    assert event.user.username == "alice"
    assert event.ip_address == "198.51.100.7"


def test_viewing_the_page_sends_nothing(seeded, mailoutbox):
    mailoutbox.clear()

    seeded["browser"].get(EXPORT_URL)

    assert mailoutbox == []


def test_the_page_and_the_download_ask_a_stale_sign_in_to_reauthenticate(
    seeded, clock, mailoutbox
):
    mailoutbox.clear()
    clock.advance(minutes=6)

    page = seeded["browser"].get(EXPORT_URL)
    post = seeded["browser"].post(EXPORT_URL)

    for response in (page, post):
        assert response.status_code == 302
        assert response.url == f"{REAUTH_URL}?next={EXPORT_URL}"
    assert mailoutbox == []


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for response in (client.get(EXPORT_URL), client.post(EXPORT_URL)):
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_the_download_needs_the_csrf_token(user, mailoutbox):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.get(EXPORT_URL).status_code == 200
    mailoutbox.clear()

    response = browser.post(EXPORT_URL)

    assert response.status_code == 403
    assert mailoutbox == []


def test_the_dashboard_links_to_the_export(logged_in_client):
    body = logged_in_client.get(reverse("accounts:dashboard")).content.decode()

    assert f'href="{EXPORT_URL}"' in body


def test_the_page_and_the_mail_in_korean(seeded, mailoutbox):
    mailoutbox.clear()
    korean = {"accept-language": "ko"}

    page = seeded["browser"].get(EXPORT_URL, headers=korean).content.decode()
    seeded["browser"].post(EXPORT_URL, headers=korean)

    assert "내 데이터 내려받기" in page
    assert "Download your data" not in page
    [message] = mailoutbox
    assert message.subject == "계정 데이터 사본을 내려받았습니다"


def test_mail_to_the_address_from_before_it_was_the_users_is_not_in_the_export(
    make_user, signed_in_client, password
):
    """A message given up on stays in the outbox; the address may change hands."""
    before = timezone.now() - timedelta(days=2)
    earlier_owner = OutgoingEmail.objects.create(
        name="new_device",
        to="alice@example.com",
        subject="New sign-in to your account",
        body="for the address's earlier owner",
        status=OutgoingEmail.Status.FAILED,
    )
    OutgoingEmail.objects.filter(pk=earlier_owner.pk).update(created_at=before)
    make_user("alice")
    mine = OutgoingEmail.objects.create(
        name="signup_existing",
        to="alice@example.com",
        subject="Someone tried to sign up with your email address",
        body="for alice",
        status=OutgoingEmail.Status.FAILED,
    )

    _response, data = download(signed_in_client(password))

    assert [email["queued_at"] for email in data["pending_emails"]] == [
        mine.created_at.isoformat()
    ]


def test_mail_queued_before_the_user_changed_to_the_address_is_not_in_the_export(
    user, signed_in_client, password
):
    OutgoingEmail.objects.create(
        name="new_device",
        to="new@example.com",
        subject="New sign-in to your account",
        body="for the address's earlier owner",
        status=OutgoingEmail.Status.FAILED,
    )
    AuthEvent.objects.record(
        AuthEvent.Type.EMAIL_CHANGED,
        user=user,
        old_email=user.email,
        new_email="new@example.com",
    )
    user.email = "new@example.com"
    user.save(update_fields=["email"])

    _response, data = download(signed_in_client(password))

    assert data["pending_emails"] == []
