"""Second factors in the admin: listed, removable, and their secrets never shown."""

import base64

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuthEvent, RecoveryCodeDevice
from accounts.twofactor import services as twofactor

pytestmark = pytest.mark.django_db

User = get_user_model()


def grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def device(user):
    """Alice's authenticator app, set up as the site does it."""
    app = TOTPDevice.objects.create(user=user, name="phone", confirmed=False)
    twofactor.enable(user, device=app)
    app.refresh_from_db()
    return app


def secrets_of(device) -> list[str]:
    key = bytes.fromhex(device.key)
    base32 = base64.b32encode(key).decode()
    return [device.key, device.key.upper(), base32, base32.rstrip("="), "otpauth://"]


def client_for(user):
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.fixture
def viewer(make_user):
    return client_for(
        grant(make_user("viewer", is_staff=True), "view_totpdevice", "view_user")
    )


@pytest.fixture
def boss_client(make_user):
    return client_for(make_user("boss", is_staff=True, is_superuser=True))


def test_the_device_config_page_is_gone(viewer, boss_client, device):
    # django-otp's page showed the otpauth:// URI and its QR code.
    url = f"/admin/otp_totp/totpdevice/{device.pk}/config/"
    for browser in (viewer, boss_client):
        response = browser.get(url, follow=True)
        body = response.content.decode()
        for secret in secrets_of(device):
            assert secret not in body
    with pytest.raises(NoReverseMatch):
        reverse("admin:otp_totp_totpdevice_config", args=[device.pk])


@pytest.mark.parametrize("who", ["viewer", "boss_client"])
def test_no_device_page_shows_the_key(request, who, device):
    browser = request.getfixturevalue(who)
    pages = [
        reverse("admin:otp_totp_totpdevice_changelist"),
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk]),
        reverse("admin:otp_totp_totpdevice_history", args=[device.pk]),
    ]

    for url in pages:
        response = browser.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for secret in secrets_of(device):
            assert secret not in body, url
        assert 'name="key"' not in body


def test_the_device_list_shows_user_name_state_and_times(viewer, device):
    body = viewer.get(reverse("admin:otp_totp_totpdevice_changelist")).content
    body = body.decode()

    assert "alice" in body
    assert "phone" in body
    assert "Created at" in body or "created at" in body.lower()
    assert "last used" in body.lower()


def test_superusers_cannot_add_or_edit_a_device(boss_client, device, user):
    added = boss_client.post(
        reverse("admin:otp_totp_totpdevice_add"),
        {"user": user.pk, "name": "mine", "key": "00" * 20, "confirmed": "on"},
    )
    changed = boss_client.post(
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk]),
        {"user": user.pk, "name": "renamed", "key": "00" * 20, "confirmed": "on"},
    )

    assert added.status_code == 403
    assert changed.status_code == 403
    assert TOTPDevice.objects.get().name == "phone"


def test_recovery_code_sets_are_listed_with_what_is_left_never_the_codes(
    boss_client, user
):
    app = TOTPDevice.objects.create(user=user, name="phone", confirmed=False)
    codes = twofactor.enable(user, device=app)
    recovery = RecoveryCodeDevice.objects.get(user=user)

    listing = boss_client.get(reverse("admin:accounts_recoverycodedevice_changelist"))
    detail = boss_client.get(
        reverse("admin:accounts_recoverycodedevice_change", args=[recovery.pk])
    )

    assert "alice" in listing.content.decode()
    for response in (listing, detail):
        assert response.status_code == 200
        for code in codes:
            assert code not in response.content.decode()
    assert ">10<" in listing.content.decode()


def test_the_removal_page_says_two_factor_goes_with_the_app(boss_client, device):
    page = boss_client.get(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    )

    assert "turns two-factor authentication off" in page.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_removing_the_app_in_the_admin_turns_two_factor_off_audited_and_told(
    make_user, device, user, mailoutbox
):
    remover = client_for(
        grant(
            make_user("remover", is_staff=True), "view_totpdevice", "delete_totpdevice"
        )
    )
    mailoutbox.clear()

    response = remover.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not user.has_two_factor()
    assert not RecoveryCodeDevice.objects.filter(user=user).exists()
    event = AuthEvent.objects.get(event_type=AuthEvent.Type.TWO_FACTOR_DISABLED)
    assert event.user == user
    assert event.detail == {"by": "admin"}
    assert [m.to for m in mailoutbox] == [[user.email]]


def test_removing_apps_from_the_list_turns_two_factor_off_for_each(
    boss_client, device, make_user
):
    bob = make_user("bob")
    bobs = TOTPDevice.objects.create(user=bob, name="tablet", confirmed=False)
    twofactor.enable(bob, device=bobs)

    boss_client.post(
        reverse("admin:otp_totp_totpdevice_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [device.pk, bobs.pk],
            "post": "yes",
        },
    )

    assert not TOTPDevice.objects.exists()
    assert not RecoveryCodeDevice.objects.exists()
    assert (
        AuthEvent.objects.filter(event_type=AuthEvent.Type.TWO_FACTOR_DISABLED).count()
        == 2
    )


def test_removing_needs_the_delete_permission(viewer, device, user):
    response = viewer.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert user.has_two_factor()


def test_an_unfinished_set_up_is_removed_alone(boss_client, user, mailoutbox):
    unfinished = TOTPDevice.objects.create(user=user, name="phone", confirmed=False)

    boss_client.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[unfinished.pk]),
        {"post": "yes"},
    )

    assert not TOTPDevice.objects.exists()
    assert mailoutbox == []
    assert not AuthEvent.objects.filter(
        event_type=AuthEvent.Type.TWO_FACTOR_DISABLED
    ).exists()
