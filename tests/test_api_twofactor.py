"""The JSON API's two-factor management: status, setting up the app,
recovery codes and turning it off, through both clients."""

import pyotp
import pytest
from django.core import mail

from accounts.conf import app_settings
from accounts.models import AuthEvent

from .api import AppClient, BrowserClient, turn_on_two_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api, user):
    """Each test once per client, signed in as alice."""
    assert api.login().status == 200
    return api


def test_two_factor_is_off_at_first(api):
    answer = api.get("/account/authenticators")

    assert answer.status == 200
    assert answer.data == []


def test_setting_up_shows_a_secret_then_a_code_turns_it_on(api, user):
    setup = api.get("/account/authenticators/totp")

    assert setup.status == 404
    assert setup.meta["totp_url"].startswith("otpauth://totp/")
    assert setup.meta["secret"] in setup.meta["totp_url"]
    totp = pyotp.TOTP(setup.meta["secret"])

    answer = api.post("/account/authenticators/totp", {"code": totp.now()})

    assert answer.status == 200
    assert answer.data["type"] == "totp"
    assert len(answer.meta["recovery_codes"]) == 10
    assert user.has_two_factor()
    assert mail.outbox[-1].to == ["alice@example.com"]
    assert AuthEvent.objects.filter(event_type="two_factor_enabled").count() == 1


def test_the_secret_stays_the_same_until_confirmed(api):
    first = api.get("/account/authenticators/totp").meta["secret"]

    assert api.get("/account/authenticators/totp").meta["secret"] == first


def test_a_wrong_set_up_code_is_a_400(api, user):
    api.get("/account/authenticators/totp")

    answer = api.post("/account/authenticators/totp", {"code": "000000"})

    assert answer.status == 400
    assert answer.codes == ["invalid_code"]
    assert not user.has_two_factor()


@pytest.mark.parametrize("code", ["12345", "abcdef", "1234567"])
def test_a_malformed_set_up_code_is_a_400(api, code):
    api.get("/account/authenticators/totp")

    assert api.post("/account/authenticators/totp", {"code": code}).status == 400


def test_confirming_without_a_secret_is_a_conflict(api):
    assert api.post("/account/authenticators/totp", {"code": "123456"}).status == 409


def test_setting_up_twice_is_a_conflict(api):
    turn_on_two_factor(api)

    assert api.post("/account/authenticators/totp", {"code": "123456"}).status == 409


def test_the_status_lists_the_app_and_the_codes_left(api, clock):
    _totp, codes = turn_on_two_factor(api)
    api.delete("/auth/session")
    clock.advance(seconds=30)
    api.login()
    api.post("/auth/2fa/authenticate", {"code": codes[0]})

    answer = api.get("/account/authenticators")
    app, recovery = answer.data

    assert app["type"] == "totp"
    assert app["created_at"] > 0
    assert recovery == {
        "type": "recovery_codes",
        "total_code_count": 10,
        "unused_code_count": 9,
    }
    assert api.get("/account/authenticators/totp").data["type"] == "totp"
    assert (
        api.get("/account/authenticators/recovery-codes").data["unused_code_count"] == 9
    )


def test_new_recovery_codes_replace_the_old_ones(api, clock):
    _totp, old = turn_on_two_factor(api)

    answer = api.post("/account/authenticators/recovery-codes")

    new = answer.data["unused_codes"]
    assert answer.status == 200
    assert len(new) == 10
    assert not set(new) & set(old)
    api.delete("/auth/session")
    clock.advance(seconds=30)
    api.login()
    assert api.post("/auth/2fa/authenticate", {"code": old[0]}).status == 400
    clock.advance(seconds=2)  # django-otp waits after a wrong code
    assert api.post("/auth/2fa/authenticate", {"code": new[0]}).status == 200


def test_recovery_codes_without_two_factor_are_not_found(api):
    assert api.get("/account/authenticators/recovery-codes").status == 404
    assert api.post("/account/authenticators/recovery-codes").status == 404


def test_turning_two_factor_off(api, user):
    turn_on_two_factor(api)

    answer = api.delete("/account/authenticators/totp")

    assert answer.status == 200
    assert not user.has_two_factor()
    assert api.get("/account/authenticators").data == []
    assert AuthEvent.objects.filter(event_type="two_factor_disabled").count() == 1


def test_turning_off_when_off_changes_nothing(api):
    assert api.delete("/account/authenticators/totp").status == 200
    assert not AuthEvent.objects.filter(event_type="two_factor_disabled").exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/account/authenticators/totp"),
        ("POST", "/account/authenticators/totp"),
        ("DELETE", "/account/authenticators/totp"),
        ("POST", "/account/authenticators/recovery-codes"),
    ],
)
def test_changes_need_a_recent_sign_in(api, user, clock, method, path):
    clock.advance(seconds=app_settings.REAUTHENTICATION_TIMEOUT + 1)

    answer = api.call(method, path, {"code": "123456"} if method == "POST" else None)

    assert answer.status == 401
    assert answer.data["flows"] == [{"id": "reauthenticate"}]


@pytest.mark.parametrize(
    "path",
    [
        "/account/authenticators",
        "/account/authenticators/totp",
        "/account/authenticators/recovery-codes",
    ],
)
def test_two_factor_pages_need_a_sign_in(user, path):
    assert AppClient().get(path).status == 401
    assert BrowserClient().get(path).status == 401


def test_a_secret_shown_on_the_page_can_be_confirmed_in_the_browser_client(user):
    browser = BrowserClient().start()
    browser.login()
    page = browser.http.get("/accounts/two-factor/setup/").content.decode()
    assert "secret" in page
    secret = browser.get("/account/authenticators/totp").meta["secret"]

    answer = browser.post(
        "/account/authenticators/totp", {"code": pyotp.TOTP(secret).now()}
    )

    assert answer.status == 200
