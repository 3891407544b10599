"""The security checkup on the overview, and the messages that follow it up."""

import re
from base64 import b32encode

import pyotp
import pytest
from django.db.models.deletion import Collector
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuthEvent, Passkey, RecoveryCode, Session
from accounts.twofactor import services as twofactor
from tests.test_degradation import UNREACHABLE_REDIS

pytestmark = pytest.mark.django_db

DASHBOARD_URL = reverse("accounts:dashboard")
LOGIN_URL = reverse("accounts:login")
CODE_URL = reverse("accounts:login_code")


def checkup(browser, **headers):
    """``{key: status}`` of the checkup's items, and the page."""
    body = browser.get(DASHBOARD_URL, headers=headers).content.decode()
    items = dict(
        (key, status)
        for status, key in re.findall(
            r'<li class="checkup-item checkup-(\w+)" data-check="(\w+)">', body
        )
    )
    return items, body


def weak_points(browser):
    items, _body = checkup(browser)
    return {key for key, status in items.items() if status == "warning"}


def add_passkey(user):
    return Passkey.objects.create(
        user=user,
        name="Laptop",
        credential_id="cred-1",
        public_key=b"\x00",
        user_handle="handle",
    )


def turn_on_two_factor(user) -> list[str]:
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=False)
    return twofactor.enable(user, device=device)


@override_settings(AUTHSITE_EMAIL_VERIFICATION="optional")
def test_the_checkup_names_the_weak_points_of_a_fresh_account(client, make_user):
    fresh = make_user("newbie", email_verified=False)
    client.force_login(fresh)

    items, body = checkup(client)

    assert weak_points(client) == {"email", "two_factor", "passkeys"}
    assert items["sessions"] == "info"
    assert items["recent"] == "ok"
    assert "recovery_codes" not in items  # no authenticator app: no codes
    assert "3 recommendations for your account." in body
    # Each weak point links to its next step.
    for url in (
        reverse("accounts:resend_verification"),
        reverse("accounts:two_factor_setup"),
        reverse("accounts:passkey_add"),
    ):
        assert f'href="{url}" class="button-primary-inline"' in body


@override_settings(AUTHSITE_EMAIL_VERIFICATION="optional")
def test_the_weak_points_clear_as_they_are_fixed(client, make_user):
    fresh = make_user("newbie", email_verified=False)
    client.force_login(fresh)

    type(fresh).objects.filter(pk=fresh.pk).update(email_verified=True)
    assert weak_points(client) == {"two_factor", "passkeys"}

    turn_on_two_factor(fresh)
    items, _body = checkup(client)
    assert weak_points(client) == {"passkeys"}
    assert items["recovery_codes"] == "ok"

    add_passkey(fresh)
    items, body = checkup(client)
    assert weak_points(client) == set()
    assert "Your account is in good shape." in body
    assert "You have 1 passkey" in body


def test_few_recovery_codes_left_is_a_weak_point(logged_in_client, user):
    turn_on_two_factor(user)
    codes = RecoveryCode.objects.filter(device__user=user)
    codes.filter(pk__in=list(codes.values_list("pk", flat=True)[:6])).update(
        used_at=timezone.now()
    )
    items, body = checkup(logged_in_client)
    assert items["recovery_codes"] == "ok"  # 4 left
    assert "4 unused recovery codes left." in body

    codes.filter(used_at__isnull=True).first().delete()
    items, body = checkup(logged_in_client)

    assert items["recovery_codes"] == "warning"
    assert "3 unused recovery codes left." in body
    assert reverse("accounts:two_factor_recovery_codes") in body


def test_the_checkup_counts_the_signed_in_devices(user, signed_in_client):
    laptop = signed_in_client()
    signed_in_client()

    _items, body = checkup(laptop)

    assert Session.objects.filter(user=user).live().count() == 2
    assert "Signed in on 2 devices" in body
    assert f'href="{reverse("accounts:sessions")}"' in body


def test_recent_failed_sign_ins_are_a_weak_point_that_leads_to_the_activity(
    user, signed_in_client, password
):
    stranger = Client()
    for _ in range(2):
        stranger.post(LOGIN_URL, {"username": "alice", "password": "wrong-guess"})
    laptop = signed_in_client(password)

    items, body = checkup(laptop)

    assert items["recent"] == "warning"
    assert "2 failed sign-ins recently" in body
    assert "1 sign-in in the last 30 days" in body
    assert reverse("accounts:activity") in body


def test_another_accounts_failures_are_not_counted(logged_in_client, make_user):
    bob = make_user("bob")
    AuthEvent.objects.create(event_type=AuthEvent.Type.LOGIN_FAILED, user=bob)

    items, _body = checkup(logged_in_client)

    assert items["recent"] == "ok"


def test_the_checkup_costs_one_query_whatever_the_account_holds(
    logged_in_client, user, django_assert_max_num_queries
):
    turn_on_two_factor(user)
    add_passkey(user)
    AuthEvent.objects.create(event_type=AuthEvent.Type.LOGIN_FAILED, user=user)

    with django_assert_max_num_queries(2):  # the session and user; the checkup
        response = logged_in_client.get(DASHBOARD_URL)

    assert response.status_code == 200


def test_a_second_view_reads_the_checkup_from_the_cache_until_something_changes(
    logged_in_client, user, django_assert_num_queries
):
    logged_in_client.get(DASHBOARD_URL)

    with django_assert_num_queries(1):  # the session and its user
        assert logged_in_client.get(DASHBOARD_URL).status_code == 200
    add_passkey(user)
    with django_assert_num_queries(2):  # the change forgot the cached facts
        _items, body = checkup(logged_in_client)

    assert "You have 1 passkey" in body


def test_each_account_sees_its_own_checkup(user, make_user):
    alice, bob = Client(), Client()
    alice.force_login(user)
    bob.force_login(make_user("bob", email="bob@example.com"))
    add_passkey(user)

    _items, alices = checkup(alice)
    _items, bobs = checkup(bob)

    assert "You have 1 passkey" in alices
    assert "You have 1 passkey" not in bobs
    assert "alice@example.com" not in bobs


def test_clearing_sessions_and_pruning_events_keep_djangos_fast_delete():
    """The checkup forgets its facts on their saves, not their deletes."""
    collector = Collector(using="default")

    assert collector.can_fast_delete(Session.objects.all())
    assert collector.can_fast_delete(AuthEvent.objects.all())


def test_with_the_cache_down_the_checkup_is_read_from_the_database(
    logged_in_client, user
):
    with override_settings(CACHES=UNREACHABLE_REDIS):
        add_passkey(user)
        _items, body = checkup(logged_in_client)

    assert "You have 1 passkey" in body


def test_the_checkup_in_korean(logged_in_client):
    checkup(logged_in_client)  # rendered in English first, in the same process
    _items, body = checkup(logged_in_client, accept_language="ko")

    assert "보안 진단" in body
    assert "2단계 인증이 꺼져 있음" in body
    assert "Security checkup" not in body
    assert "Two-factor authentication is off" not in body


def test_signing_in_with_a_recovery_code_says_how_many_are_left(client, user, password):
    codes = turn_on_two_factor(user)
    client.post(LOGIN_URL, {"username": "alice", "password": password})

    response = client.post(CODE_URL, {"code": codes[0]}, follow=True)

    body = response.content.decode()
    assert response.redirect_chain[-1][0] == DASHBOARD_URL
    assert "You signed in with a recovery code. 9 codes are left" in body


def test_signing_in_with_the_last_recovery_code_says_one_is_left(
    client, user, password
):
    codes = turn_on_two_factor(user)
    RecoveryCode.objects.filter(device__user=user).exclude(
        digest__in=[
            RecoveryCode.objects.filter(device__user=user).first().device.digest(c)
            for c in codes[:2]
        ]
    ).update(used_at=timezone.now())
    client.post(LOGIN_URL, {"username": "alice", "password": password})

    body = client.post(CODE_URL, {"code": codes[0]}, follow=True).content.decode()

    assert "1 code is left" in body


def test_the_recovery_code_message_in_korean(client, user, password):
    codes = turn_on_two_factor(user)
    korean = {"accept_language": "ko"}
    client.post(LOGIN_URL, {"username": "alice", "password": password}, headers=korean)

    response = client.post(CODE_URL, {"code": codes[0]}, headers=korean, follow=True)

    assert (
        "복구 코드로 로그인했습니다. 남은 코드는 9개입니다."
        in response.content.decode()
    )


def test_an_app_code_says_nothing_about_recovery_codes(client, user, password):
    turn_on_two_factor(user)
    device = TOTPDevice.objects.get(user=user)
    totp = pyotp.TOTP(b32encode(device.bin_key).decode())
    client.post(LOGIN_URL, {"username": "alice", "password": password})

    body = client.post(CODE_URL, {"code": totp.now()}, follow=True).content.decode()

    assert "You signed in with a recovery code" not in body
    assert "10 unused recovery codes left." in body


def test_after_a_password_change_the_message_offers_to_sign_out_everywhere(
    user, signed_in_client, password
):
    laptop = signed_in_client(password)

    response = laptop.post(
        reverse("accounts:password_change"),
        {
            "old_password": password,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
        follow=True,
    )

    body = response.content.decode()
    assert "Your password was changed." in body
    end_others = reverse("accounts:session_end_others")
    form = re.search(
        rf'<form method="post" action="{end_others}"[^>]*>(.*?)</form>', body, re.S
    )
    assert form is not None
    assert "csrfmiddlewaretoken" in form[1]
    assert "Sign out everywhere else" in form[1]
    # The button works: it ends the other sessions and forgets trusted browsers.
    assert laptop.post(end_others).status_code == 302


def test_other_pages_do_not_offer_the_button(logged_in_client):
    body = logged_in_client.get(DASHBOARD_URL).content.decode()

    assert reverse("accounts:session_end_others") not in body


def test_confirming_it_is_you_with_a_recovery_code_says_so_and_is_recorded(
    client, user, password
):
    codes = turn_on_two_factor(user)
    client.post(LOGIN_URL, {"username": "alice", "password": password})
    client.post(CODE_URL, {"code": codes[0]}, follow=True)
    AuthEvent.objects.filter(user=user).delete()

    response = client.post(
        reverse("accounts:reauthenticate"),
        {"password": password, "code": codes[1], "next": DASHBOARD_URL},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == DASHBOARD_URL
    assert "You used a recovery code. 8 codes are left" in response.content.decode()
    assert AuthEvent.objects.filter(
        user=user, event_type=AuthEvent.Type.RECOVERY_CODE_USED
    ).exists()


def test_confirming_it_is_you_with_an_app_code_says_nothing_of_recovery_codes(
    client, user, password
):
    codes = turn_on_two_factor(user)
    client.post(LOGIN_URL, {"username": "alice", "password": password})
    client.post(CODE_URL, {"code": codes[0]}, follow=True)
    device = TOTPDevice.objects.get(user=user)
    code = pyotp.TOTP(b32encode(device.bin_key).decode()).at(
        timezone.now().timestamp() + 30
    )

    response = client.post(
        reverse("accounts:reauthenticate"),
        {"password": password, "code": code, "next": DASHBOARD_URL},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == DASHBOARD_URL
    assert "You used a recovery code" not in response.content.decode()
    assert "9 unused recovery codes left" in response.content.decode()


def test_the_reauthentication_recovery_code_message_in_korean(client, user, password):
    codes = turn_on_two_factor(user)
    korean = {"accept_language": "ko"}
    client.post(LOGIN_URL, {"username": "alice", "password": password}, headers=korean)
    client.post(CODE_URL, {"code": codes[0]}, headers=korean, follow=True)

    response = client.post(
        reverse("accounts:reauthenticate"),
        {"password": password, "code": codes[1], "next": DASHBOARD_URL},
        headers=korean,
        follow=True,
    )

    assert (
        "복구 코드를 사용했습니다. 남은 코드는 8개입니다." in response.content.decode()
    )
