import re
import time

import pyotp
import pytest
from django.contrib.auth import SESSION_KEY
from django.test import override_settings
from django.urls import reverse

from accounts.models import AuthEvent, RecoveryCode

from .conftest import LOGIN_URL, post_login

pytestmark = pytest.mark.django_db

CODE_URL = reverse("accounts:login_code")
SETUP_URL = reverse("accounts:two_factor_setup")


def enable_two_factor(client):
    """Set up an authenticator app through the pages; return (totp, codes)."""
    page = client.get(SETUP_URL).content.decode()
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page)[1]
    totp = pyotp.TOTP(secret.replace(" ", ""))
    response = client.post(SETUP_URL, {"code": totp.now()})
    codes = re.findall(
        r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", response.content.decode()
    )
    return totp, codes


@pytest.fixture
def two_factor_user(client, user, password):
    post_login(client, password=password)
    totp, codes = enable_two_factor(client)
    client.logout()
    return user, totp, codes


def test_setup_shows_a_qr_code_and_the_secret_in_text(logged_in_client):
    page = logged_in_client.get(SETUP_URL).content.decode()

    assert "<svg" in page
    assert re.search(r'<code class="secret">[A-Z2-7 ]{32,}</code>', page)


def test_setup_turns_on_only_after_a_valid_code_and_shows_ten_recovery_codes(
    logged_in_client, user
):
    logged_in_client.get(SETUP_URL)
    wrong = logged_in_client.post(SETUP_URL, {"code": "000000"})
    assert "That code is not valid" in wrong.content.decode()
    assert not user.has_two_factor()

    _totp, codes = enable_two_factor(logged_in_client)

    assert user.has_two_factor()
    assert len(codes) == len(set(codes)) == 10


def test_recovery_codes_are_stored_hashed(two_factor_user):
    _user, _totp, codes = two_factor_user

    stored = list(RecoveryCode.objects.values_list("digest", flat=True))
    assert len(stored) == 10
    for code in codes:
        assert all(
            code not in digest and code.replace("-", "") not in digest
            for digest in stored
        )


def test_codes_from_an_independent_totp_implementation_are_accepted(
    client, two_factor_user, password
):
    _user, totp, _codes = two_factor_user
    post_login(client, password=password)

    response = client.post(
        CODE_URL, {"code": pyotp.TOTP(totp.secret).at(time.time() + 30)}
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:dashboard")
    assert SESSION_KEY in client.session


LOGIN_REQUIRED_URLS = [
    reverse("accounts:dashboard"),
    reverse("accounts:two_factor"),
    SETUP_URL,
    reverse("accounts:reauthenticate"),
    reverse("accounts:two_factor_disable"),
]


def test_password_alone_leaves_the_user_anonymous(client, two_factor_user, password):
    response = post_login(client, password=password)

    assert response.status_code == 302
    assert response.url == CODE_URL
    assert SESSION_KEY not in client.session
    for url in LOGIN_REQUIRED_URLS:
        page = client.get(url)
        assert page.status_code == 302, url
        assert page.url.startswith(LOGIN_URL), url
    assert client.get("/admin/").status_code == 302


def test_session_key_rotates_when_the_code_completes_the_login(
    client, two_factor_user, password, clock
):
    _user, totp, _codes = two_factor_user
    post_login(client, password=password)
    pending_key = client.cookies["sessionid"].value

    clock.advance(seconds=31)
    client.post(CODE_URL, {"code": totp.at(clock.now)})

    assert client.cookies["sessionid"].value != pending_key


def test_the_half_done_login_expires(client, two_factor_user, password, clock):
    _user, totp, _codes = two_factor_user
    post_login(client, password=password)

    clock.advance(seconds=301)
    response = client.post(CODE_URL, {"code": totp.at(clock.now)}, follow=True)

    assert response.redirect_chain[-1][0] == LOGIN_URL
    assert "Your sign-in expired" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_the_code_page_without_a_password_first_sends_you_to_login(client, db):
    response = client.get(CODE_URL)

    assert response.status_code == 302
    assert response.url == LOGIN_URL


def test_a_recovery_code_works_once(client, two_factor_user, password):
    _user, _totp, codes = two_factor_user

    post_login(client, password=password)
    first = client.post(CODE_URL, {"code": codes[0].upper()})
    assert first.status_code == 302
    client.post(reverse("accounts:logout"))

    post_login(client, password=password)
    second = client.post(CODE_URL, {"code": codes[0]})

    assert second.status_code == 200
    assert "That code is not valid" in second.content.decode()
    assert SESSION_KEY not in client.session


def test_a_totp_code_cannot_be_replayed(client, two_factor_user, password, clock):
    _user, totp, _codes = two_factor_user
    clock.advance(seconds=60)  # past the time step spent by the set-up code
    code = totp.at(clock.now)
    post_login(client, password=password)
    assert client.post(CODE_URL, {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))

    post_login(client, password=password)
    replay = client.post(CODE_URL, {"code": code})

    assert replay.status_code == 200
    assert SESSION_KEY not in client.session


@override_settings(AUTHSITE_TWO_FACTOR_MAX_ATTEMPTS=3)
def test_too_many_wrong_codes_lock_the_second_step(
    client, two_factor_user, password, clock
):
    _user, totp, _codes = two_factor_user
    post_login(client, password=password)

    for _attempt in range(2):
        assert client.post(CODE_URL, {"code": "123456"}).status_code == 200
        clock.advance(seconds=60)
    locked = client.post(CODE_URL, {"code": "123456"}, follow=True)
    clock.advance(seconds=60)
    after = client.post(CODE_URL, {"code": totp.at(clock.now)})

    assert "Too many wrong codes" in locked.content.decode()
    assert after.status_code == 302
    assert after.url == LOGIN_URL
    assert SESSION_KEY not in client.session


def test_wrong_codes_are_reported_as_failed_logins(client, two_factor_user, password):
    from django.contrib.auth.signals import user_login_failed

    seen = []

    def listener(sender, credentials, request, **kwargs):
        seen.append({key: credentials[key] for key in ("username", "step")})

    user_login_failed.connect(listener)
    try:
        post_login(client, password=password)
        client.post(CODE_URL, {"code": "999999"})
    finally:
        user_login_failed.disconnect(listener)

    assert seen == [{"username": "alice", "step": "two_factor"}]


def test_a_right_code_right_after_a_wrong_one_is_told_to_wait_not_refused(
    client, two_factor_user, password, clock
):
    _user, totp, _codes = two_factor_user
    clock.advance(seconds=60)  # past the time step spent by the set-up code
    post_login(client, password=password)
    client.post(CODE_URL, {"code": "000000"})
    failures = AuthEvent.objects.filter(event_type=AuthEvent.Type.TWO_FACTOR_FAILED)
    assert failures.count() == 1

    too_soon = client.post(CODE_URL, {"code": totp.at(clock.now)})

    assert too_soon.status_code == 200
    assert "Wait 1 second, then try again." in too_soon.content.decode()
    assert failures.count() == 1  # nothing was checked: not a failure
    assert SESSION_KEY not in client.session

    clock.advance(seconds=1)
    in_time = client.post(CODE_URL, {"code": totp.at(clock.now)})

    assert in_time.status_code == 302
    assert SESSION_KEY in client.session


def test_the_wait_after_a_wrong_code_says_nothing_about_the_password(
    client, two_factor_user, password, clock
):
    user, totp, _codes = two_factor_user
    client.force_login(user)
    delete_url = reverse("accounts:account_delete")
    clock.advance(seconds=60)  # past the time step spent by the set-up code
    client.post(delete_url, {"password": password, "code": "000000"})

    right = client.post(delete_url, {"password": password, "code": totp.at(clock.now)})
    wrong = client.post(delete_url, {"password": "not it", "code": totp.at(clock.now)})

    assert right.content.decode().count("Wait 1 second, then try again.") == 1
    assert wrong.content.decode().count("Wait 1 second, then try again.") == 1
    assert type(user).objects.filter(pk=user.pk).exists()


def full_width(code):
    """The code as an East Asian keyboard may type it (U+FF10 to U+FF19)."""
    return "".join(chr(0xFF10 + int(digit)) for digit in code)


def test_codes_typed_in_full_width_digits_work_at_set_up_and_sign_in(
    client, user, password, clock
):
    client.force_login(user)
    page = client.get(SETUP_URL).content.decode()
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page)[1]
    totp = pyotp.TOTP(secret.replace(" ", ""))

    set_up = client.post(SETUP_URL, {"code": full_width(totp.at(clock.now))})
    assert user.has_two_factor(), set_up.content.decode()
    client.logout()
    clock.advance(seconds=60)  # past the time step spent by the set-up code
    post_login(client, password=password)
    signed_in = client.post(CODE_URL, {"code": full_width(totp.at(clock.now))})

    assert signed_in.status_code == 302
    assert SESSION_KEY in client.session


@pytest.mark.parametrize("code", ["", "x" * 10_000, "\x00", "12 34 56 78"])
def test_bad_codes_get_a_form_error_not_a_500(client, two_factor_user, password, code):
    post_login(client, password=password)

    response = client.post(CODE_URL, {"code": code})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_disabling_with_a_stale_login_asks_to_reauthenticate(
    client, two_factor_user, password, clock
):
    user, totp, _codes = two_factor_user
    post_login(client, password=password)
    clock.advance(seconds=31)
    client.post(CODE_URL, {"code": totp.at(clock.now)})
    disable_url = reverse("accounts:two_factor_disable")

    clock.advance(seconds=301)
    stale = client.post(disable_url)
    assert stale.status_code == 302
    assert stale.url.startswith(reverse("accounts:reauthenticate"))
    assert user.has_two_factor()

    wrong = client.post(stale.url, {"password": password, "code": "000000"})
    assert "Your password or code was not correct." in wrong.content.decode()
    clock.advance(seconds=31)
    confirmed = client.post(
        stale.url, {"password": password, "code": totp.at(clock.now)}
    )
    assert confirmed.url == disable_url
    client.post(disable_url)

    assert not user.has_two_factor()


def test_regenerating_recovery_codes_replaces_the_old_ones(
    client, two_factor_user, password, clock
):
    _user, totp, old_codes = two_factor_user
    post_login(client, password=password)
    clock.advance(seconds=31)
    client.post(CODE_URL, {"code": totp.at(clock.now)})

    response = client.post(reverse("accounts:two_factor_recovery_codes"))
    new_codes = re.findall(
        r"<li><code>([a-z0-9-]{11})</code></li>", response.content.decode()
    )
    client.post(reverse("accounts:logout"))
    post_login(client, password=password)

    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    assert client.post(CODE_URL, {"code": old_codes[1]}).status_code == 200
    clock.advance(seconds=2)  # django-otp throttles the attempt right after a failure
    assert client.post(CODE_URL, {"code": new_codes[1]}).status_code == 302


def test_trusted_browser_skips_the_code_until_the_password_changes(
    client, two_factor_user, password, clock
):
    user, totp, _codes = two_factor_user
    post_login(client, password=password)
    clock.advance(seconds=31)
    response = client.post(
        CODE_URL, {"code": totp.at(clock.now), "trust_browser": "on"}
    )
    cookie = response.cookies["trusted_browser"]
    assert cookie["httponly"]
    client.post(reverse("accounts:logout"))

    skipped = post_login(client, password=password)
    assert skipped.url == reverse("accounts:dashboard")
    client.post(reverse("accounts:logout"))

    user.set_password("a-brand-new-passphrase-77")
    user.save()
    again = post_login(client, password="a-brand-new-passphrase-77")
    assert again.url == CODE_URL


@override_settings(AUTHSITE_ADMIN_REQUIRE_2FA=True)
def test_staff_without_two_factor_cannot_open_the_admin(client, make_user):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))

    for url in ("/admin/", "/admin/accounts/user/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == SETUP_URL


@override_settings(AUTHSITE_ADMIN_REQUIRE_2FA=True)
def test_staff_with_two_factor_use_the_admin(client, make_user):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    enable_two_factor(client)

    assert client.get("/admin/accounts/user/").status_code == 200


def test_admin_login_goes_through_the_site_login(client, db):
    response = client.get("/admin/login/?next=/admin/accounts/user/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/admin/accounts/user/"


def test_an_admin_can_reset_a_users_two_factor(client, make_user, two_factor_user):
    user, _totp, _codes = two_factor_user
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))

    response = client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [user.pk]},
        follow=True,
    )

    assert (
        "Two-factor authentication was reset for 1 user." in response.content.decode()
    )
    assert not user.has_two_factor()
    assert not RecoveryCode.objects.exists()


def test_two_factor_login_works_in_korean(client, two_factor_user, password):
    client.post(
        LOGIN_URL,
        {"username": "alice", "password": password},
        HTTP_ACCEPT_LANGUAGE="ko",
    )

    page = client.get(CODE_URL, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    wrong = client.post(CODE_URL, {"code": "000000"}, HTTP_ACCEPT_LANGUAGE="ko")

    assert "2단계 인증" in page
    assert "Two-factor authentication" not in page
    assert "Authentication code" not in page
    assert "That code is not valid" not in wrong.content.decode()
    assert 'role="alert"' in wrong.content.decode()


def test_setup_page_renders_in_korean(logged_in_client):
    page = logged_in_client.get(SETUP_URL, HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    assert "2단계 인증" in page
    for english in ("Set up two-factor authentication", "Scan this QR code", "Turn on"):
        assert english not in page


def test_wrong_codes_count_towards_the_account_lockout(
    client, two_factor_user, password, clock
):
    _user, _totp, _codes = two_factor_user
    post_login(client, password=password)
    for _attempt in range(4):
        client.post(CODE_URL, {"code": "123456"})
        clock.advance(seconds=60)
    post_login(client, password="wrong password")  # the fifth failure

    locked = post_login(client, password=password)

    assert locked.status_code == 429
    assert SESSION_KEY not in client.session


def test_the_wrong_code_that_reaches_the_limit_answers_with_the_lock_page(
    client, two_factor_user, password, clock
):
    post_login(client, password="wrong password")
    post_login(client, password=password)
    for _attempt in range(3):
        client.post(CODE_URL, {"code": "123456"})
        clock.advance(seconds=60)

    fifth = client.post(CODE_URL, {"code": "123456"})

    assert fifth.status_code == 429
    assert "Retry-After" in fifth
    assert SESSION_KEY not in client.session


def test_two_factor_events_are_recorded(client, two_factor_user, password, clock):

    user, _totp, codes = two_factor_user
    post_login(client, password=password)
    client.post(CODE_URL, {"code": "123456"})
    clock.advance(seconds=60)
    client.post(CODE_URL, {"code": codes[0]})

    recorded = list(
        AuthEvent.objects.filter(user=user)
        .order_by("created_at", "pk")
        .values_list("event_type", flat=True)
    )
    assert recorded == [
        "login",  # the set-up session of the fixture
        "two_factor_enabled",
        "logout",
        "two_factor_failed",
        "login",
        "recovery_code_used",
    ]


def test_codes_typed_with_a_wrong_password_are_not_kept_in_the_lockout_records(
    client, two_factor_user, password
):
    from io import StringIO

    from django.core.management import call_command

    user, _totp, codes = two_factor_user
    client.force_login(user)

    client.post(
        reverse("accounts:reauthenticate"), {"password": "wrong", "code": codes[0]}
    )

    dump = StringIO()
    call_command("dumpdata", "accounts.lockoutcounter", stdout=dump)
    assert "accounts.lockoutcounter" in dump.getvalue()
    assert codes[0] not in dump.getvalue()


def test_turning_two_factor_on_and_off_emails_the_owner(
    client, user, password, clock, mailoutbox
):
    client.force_login(user)
    mailoutbox.clear()
    enable_two_factor(client)
    clock.advance(seconds=1)
    client.post(reverse("accounts:two_factor_disable"))

    subjects = [message.subject for message in mailoutbox]
    assert subjects == [
        "Two-factor authentication was turned on",
        "Two-factor authentication was turned off",
    ]
    assert all(message.to == ["alice@example.com"] for message in mailoutbox)


def test_setting_up_two_factor_with_a_stale_sign_in_asks_to_reauthenticate(
    logged_in_client, clock
):
    clock.advance(minutes=6)

    response = logged_in_client.get(SETUP_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:reauthenticate"))


@pytest.mark.parametrize(
    "code",
    [
        "\u00b2" * 6,  # superscript two: a digit to str.isdigit(), not to int()
        "\uff11\uff12\uff13\uff14\uff15\uff16",  # full-width digits
        "12345",
        "abcdef",
    ],
)
def test_odd_set_up_codes_get_a_form_error_not_a_500(logged_in_client, user, code):
    logged_in_client.get(SETUP_URL)

    response = logged_in_client.post(SETUP_URL, {"code": code})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not user.has_two_factor()


def test_turning_off_two_factor_that_was_never_on_changes_nothing(
    logged_in_client, user, mailoutbox, make_user
):
    mailoutbox.clear()
    logged_in_client.post(reverse("accounts:two_factor_disable"))
    admin = make_user("boss", is_staff=True, is_superuser=True)
    logged_in_client.force_login(admin)
    response = logged_in_client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [user.pk]},
        follow=True,
    )

    assert mailoutbox == []
    assert not AuthEvent.objects.filter(event_type="two_factor_disabled").exists()
    assert "reset for 0 users" in response.content.decode()


def test_the_code_page_sends_a_signed_in_user_to_the_dashboard(logged_in_client):
    response = logged_in_client.get(CODE_URL, follow=True)

    assert response.redirect_chain == [(reverse("accounts:dashboard"), 302)]
    assert "Your sign-in expired" not in response.content.decode()
