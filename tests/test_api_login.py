"""The JSON API's sign-in: password, second factor, who am I, sign-out, reauth.

Both clients, through HTTP: the app client (session token in a header, no
cookies) and the browser client (session cookie and CSRF token).
"""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import override_settings

from accounts.conf import app_settings
from accounts.models import AuthEvent, Session

from .api import AppClient, BrowserClient, turn_on_two_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_factor(user, clock):
    """alice with an authenticator app; the clock is past the set-up code's step."""
    client = AppClient()
    assert client.login().status == 200
    totp, codes = turn_on_two_factor(client)
    client.delete("/auth/session")
    clock.advance(seconds=30)
    return totp, codes


def test_signing_in_answers_the_user_and_how_they_authenticated(api, user):
    answer = api.login()

    assert answer.status == 200
    assert answer.data["user"]["username"] == "alice"
    assert answer.data["user"]["email"] == "alice@example.com"
    assert [m["method"] for m in answer.data["methods"]] == ["password"]
    assert answer.meta["is_authenticated"] is True
    assert AuthEvent.objects.filter(event_type="login", user=user).count() == 1


@pytest.mark.parametrize("identifier", ["ALICE", "alice@example.com"])
def test_signing_in_by_username_or_email_in_any_case(api, user, identifier):
    assert api.login(identifier).status == 200


def test_an_email_field_signs_in_too(api, user, password):
    body = {"email": "alice@example.com", "password": password}

    answer = api.post("/auth/login", body)

    assert answer.status == 200


def test_the_app_client_gets_a_session_token_and_no_cookie(user):
    app = AppClient()

    answer = app.login()

    token = answer.meta["session_token"]
    assert not answer.response.cookies
    assert Session.objects.get(session_key=token).user == user
    assert app.get("/auth/session").status == 200


def test_the_app_client_ignores_a_session_cookie(user, client):
    client.force_login(user)
    app = AppClient()
    app.http.cookies = client.cookies

    assert app.get("/auth/session").status == 401


def test_the_browser_client_gets_a_new_csrf_token_at_sign_in(user):
    browser = BrowserClient().start()
    before = browser.csrf_token

    answer = browser.login()

    assert answer.meta["csrf_token"] != before
    assert browser.get("/auth/session").status == 200
    assert browser.delete("/auth/session").status == 401


def test_the_browser_client_gets_the_known_browser_cookie(user):
    answer = BrowserClient().start().login()

    assert app_settings.KNOWN_DEVICE_COOKIE_NAME in answer.response.cookies


def test_the_browser_client_refuses_a_post_without_the_csrf_token(user):
    browser = BrowserClient()  # never fetched a token

    answer = browser.login()

    assert answer.status == 403
    assert answer.codes == ["csrf"]
    assert not AuthEvent.objects.exists()


def test_the_browser_client_refuses_a_wrong_csrf_token(user):
    browser = BrowserClient().start()
    browser.csrf_token = "x" * 64

    assert browser.login().status == 403


def test_the_browser_client_does_not_take_the_session_token(user):
    app = AppClient()
    app.login()
    browser = BrowserClient()

    answer = browser.get("/auth/session", headers={"X-Session-Token": app.token})

    assert answer.status == 401


def test_wrong_password_unknown_and_inactive_users_get_one_answer(api, user, make_user):
    make_user("bob", is_active=False)

    answers = [
        api.login(password="wrong"),
        api.login("nobody"),
        api.login("bob"),
    ]

    assert {a.status for a in answers} == {400}
    assert {tuple(a.codes) for a in answers} == {("invalid_login",)}
    assert len({a.body["errors"][0]["message"] for a in answers}) == 1


def test_a_wrong_password_is_a_failed_sign_in_in_the_audit_trail(api, user):
    api.login(password="wrong")

    assert AuthEvent.objects.filter(event_type="login_failed").count() == 1


@override_settings(AUTHSITE_EMAIL_VERIFICATION="mandatory")
def test_an_unconfirmed_address_is_told_only_after_the_right_password(api, make_user):
    make_user("carol", email_verified=False)

    wrong = api.login("carol", password="wrong")
    right = api.login("carol")

    assert wrong.codes == ["invalid_login"]
    assert right.status == 400
    assert right.codes == ["unverified"]


def test_signing_in_while_signed_in_is_a_conflict(api, user):
    api.login()

    answer = api.login()

    assert answer.status == 409


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"username": 7, "password": "x"}, "username"),
        ({"username": "alice", "password": ["x"]}, "password"),
        ({"username": "alice", "password": "x", "remember": "yes"}, "remember"),
        ({"username": "alice"}, "password"),
    ],
)
def test_wrong_types_are_a_400_naming_the_field(api, user, body, param):
    answer = api.post("/auth/login", body)

    assert answer.status == 400
    assert answer.params == [param]
    assert not AuthEvent.objects.exists()


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"alice"', "null", ""])
def test_a_body_that_is_not_a_json_object_is_a_400(api, user, raw):
    answer = api.post("/auth/login", raw=raw)

    assert answer.status == 400
    assert answer.body["errors"]


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_string_that_is_not_text_is_a_400_not_a_500(api, user, field):
    # "\ud800" is valid JSON, but no UTF-8 can encode it (to hash, to query).
    body = {"username": "alice", "password": "x", field: "\ud800"}

    answer = api.post("/auth/login", body)

    assert answer.status == 400
    assert answer.params == [field]


def test_a_body_over_the_upload_limit_is_a_400(api, user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    answer = api.login(password="x" * 2000)

    assert answer.status == 400
    assert answer.codes == ["too_large"]


def test_an_identifier_longer_than_any_account_name_is_refused_unchecked(api, user):
    answer = api.login("a" * 100_000)

    assert answer.status == 400
    assert answer.codes == ["max_length"]
    assert answer.params == ["username"]
    assert not AuthEvent.objects.exists()


def test_without_a_name_is_the_wrong_name_answer(api, user, password):
    answer = api.post("/auth/login", {"password": password})

    assert answer.status == 400


def test_answers_are_in_the_language_asked_for(api, user):
    answer = api.login(password="wrong", headers={"Accept-Language": "ko"})

    assert "사용자" in answer.body["errors"][0]["message"]


@override_settings(AUTHSITE_RATELIMIT_LOGIN="2/m")
def test_password_checks_are_rate_limited_per_address_with_retry_after(api, user):
    api.login(password="wrong1")
    api.login(password="wrong2")

    answer = api.login()

    assert answer.status == 429
    assert 0 < int(answer.response["Retry-After"]) <= 60
    assert answer.codes == ["too_many_requests"]


@override_settings(AUTHSITE_RATELIMIT_LOGIN="1/m")
def test_the_pages_and_the_api_share_the_rate_limit(api, user, client, password):
    client.post("/accounts/login/", {"username": "alice", "password": "wrong"})

    assert api.login().status == 429


def test_a_locked_account_answers_429_with_retry_after_even_to_the_right_password(
    api, user
):
    for attempt in range(5):
        api.login(password=f"wrong{attempt}")

    answer = api.login()

    assert answer.status == 429
    assert answer.codes == ["locked_out"]
    assert int(answer.response["Retry-After"]) > 0


def test_a_lock_answers_the_same_for_an_unknown_name(api, user):
    for attempt in range(5):
        api.login(password=f"wrong{attempt}")
    for attempt in range(5):
        api.login("nobody", password=f"wrong{attempt}")

    locked = api.login()
    unknown = api.login("nobody")

    assert locked.status == 429
    assert unknown.status == 429
    assert locked.body["errors"] == unknown.body["errors"]


def test_remember_keeps_the_session_for_the_remember_age(api, user):
    answer = api.login(remember=True)

    session = Session.objects.get(user=user)
    lifetime = (session.expire_date - session.last_activity).total_seconds()
    assert answer.status == 200
    assert lifetime == pytest.approx(app_settings.SESSION_REMEMBER_AGE, abs=5)


def test_without_remember_the_session_ends_after_the_idle_timeout(api, user):
    api.login()

    session = Session.objects.get(user=user)
    lifetime = (session.expire_date - session.last_activity).total_seconds()
    assert lifetime < app_settings.SESSION_REMEMBER_AGE


# WHO AM I, SIGNING OUT
# ------------------------------------------------------------------------------


def test_who_am_i_when_signed_out_lists_the_flows(api):
    answer = api.get("/auth/session")

    assert answer.status == 401
    assert [f["id"] for f in answer.data["flows"]] == ["login", "signup"]
    assert answer.meta["is_authenticated"] is False


def test_who_am_i_when_signed_in(api, user):
    api.login()

    answer = api.get("/auth/session")

    assert answer.status == 200
    assert answer.data["user"]["id"] == user.pk


def test_who_am_i_for_the_app_client_costs_one_query(user, django_assert_num_queries):
    app = AppClient()
    app.login()

    with django_assert_num_queries(1):
        answer = app.get("/auth/session")

    assert answer.status == 200


def test_signing_out_ends_the_session(api, user):
    api.login()

    answer = api.delete("/auth/session")

    assert answer.status == 401
    assert not Session.objects.filter(user=user).exists()
    assert AuthEvent.objects.filter(event_type="logout").count() == 1


def test_signing_out_when_signed_out_is_still_signed_out(api):
    assert api.delete("/auth/session").status == 401


# THE SECOND FACTOR
# ------------------------------------------------------------------------------


def test_two_factor_holds_the_sign_in_at_the_code(api, user, two_factor):
    answer = api.login()

    assert answer.status == 401
    assert answer.meta["is_authenticated"] is False
    pending = [f for f in answer.data["flows"] if f.get("is_pending")]
    assert pending == [
        {
            "id": "mfa_authenticate",
            "is_pending": True,
            "types": ["totp", "recovery_codes"],
        }
    ]
    assert not Session.objects.filter(user=user).exists()
    assert api.get("/auth/session").data["flows"][-1]["id"] == "mfa_authenticate"


def test_the_app_code_completes_the_sign_in(api, user, two_factor):
    totp, _codes = two_factor
    api.login()

    answer = api.post("/auth/2fa/authenticate", {"code": totp.now()})

    assert answer.status == 200
    assert [m["method"] for m in answer.data["methods"]] == ["password", "mfa"]
    assert Session.objects.filter(user=user).count() == 1
    assert api.get("/auth/session").status == 200


def test_the_app_client_gets_a_new_token_when_the_sign_in_completes(user, two_factor):
    totp, _codes = two_factor
    app = AppClient()
    half_done = app.login().meta["session_token"]

    answer = app.post("/auth/2fa/authenticate", {"code": totp.now()})

    assert answer.meta["session_token"] != half_done
    stale = AppClient()
    stale.token = half_done
    assert stale.get("/auth/session").status == 410


def test_a_recovery_code_signs_in_once(api, user, two_factor):
    _totp, codes = two_factor
    api.login()

    answer = api.post("/auth/2fa/authenticate", {"code": codes[0]})

    assert answer.status == 200
    assert AuthEvent.objects.filter(event_type="recovery_code_used").count() == 1
    api.delete("/auth/session")
    api.login()
    assert api.post("/auth/2fa/authenticate", {"code": codes[0]}).status == 400


def test_a_wrong_code_is_a_400_and_a_failed_sign_in(api, user, two_factor):
    api.login()

    answer = api.post("/auth/2fa/authenticate", {"code": "000000"})

    assert answer.status == 400
    assert answer.codes == ["invalid_code"]
    assert answer.params == ["code"]
    assert AuthEvent.objects.filter(event_type="two_factor_failed").count() == 1


def test_a_code_sent_while_throttled_is_a_429_and_counts_for_nothing(
    api, user, two_factor
):
    api.login()
    api.post("/auth/2fa/authenticate", {"code": "000000"})

    answer = api.post("/auth/2fa/authenticate", {"code": "111111"})

    assert answer.status == 429
    assert answer.codes == ["throttled"]
    assert int(answer.response["Retry-After"]) >= 1
    assert AuthEvent.objects.filter(event_type="two_factor_failed").count() == 1


@override_settings(AUTHSITE_TWO_FACTOR_MAX_ATTEMPTS=2)
def test_too_many_wrong_codes_drop_the_half_done_sign_in(api, user, two_factor, clock):
    totp, _codes = two_factor
    api.login()
    api.post("/auth/2fa/authenticate", {"code": "000000"})
    clock.advance(seconds=5)

    answer = api.post("/auth/2fa/authenticate", {"code": "000001"})

    assert answer.status == 401
    assert answer.codes == ["too_many_attempts"]
    assert not any(f.get("is_pending") for f in answer.data["flows"])
    clock.advance(seconds=5)
    assert api.post("/auth/2fa/authenticate", {"code": totp.now()}).status == 409


def test_a_code_without_a_pending_sign_in_is_a_conflict(api, user, two_factor):
    totp, _codes = two_factor

    answer = api.post("/auth/2fa/authenticate", {"code": totp.now()})

    assert answer.status == 409
    assert not Session.objects.filter(user=user).exists()


def test_a_half_done_sign_in_expires(api, user, two_factor, clock):
    totp, _codes = two_factor
    api.login()
    clock.advance(seconds=app_settings.TWO_FACTOR_LOGIN_TIMEOUT + 1)

    answer = api.post("/auth/2fa/authenticate", {"code": totp.now()})

    assert answer.status == 409


def test_trust_this_browser_sets_the_trust_cookie_for_the_browser_client(
    user, two_factor
):
    totp, _codes = two_factor
    browser = BrowserClient().start()
    browser.login()

    answer = browser.post(
        "/auth/2fa/authenticate", {"code": totp.now(), "trust_browser": True}
    )

    assert app_settings.TWO_FACTOR_TRUST_COOKIE_NAME in answer.response.cookies
    browser.delete("/auth/session")
    assert browser.login().status == 200  # no code asked


def test_the_app_client_cannot_be_trusted_and_gets_no_cookie(user, two_factor):
    totp, _codes = two_factor
    app = AppClient()
    app.login()

    answer = app.post(
        "/auth/2fa/authenticate", {"code": totp.now(), "trust_browser": True}
    )

    assert answer.status == 200
    assert not answer.response.cookies


# REAUTHENTICATION
# ------------------------------------------------------------------------------


def test_reauthenticating_renews_the_moment_of_authentication(
    api, user, clock, password
):
    api.login()
    clock.advance(seconds=app_settings.REAUTHENTICATION_TIMEOUT + 1)
    assert api.post("/account/authenticators/recovery-codes").status == 401

    answer = api.post("/auth/reauthenticate", {"password": password})

    assert answer.status == 200
    assert api.post("/account/authenticators/recovery-codes").status == 404


def test_a_stale_sign_in_is_asked_to_reauthenticate(api, user, clock):
    api.login()
    clock.advance(seconds=app_settings.REAUTHENTICATION_TIMEOUT + 1)

    answer = api.get("/account/authenticators/totp")

    assert answer.status == 401
    assert answer.meta["is_authenticated"] is True
    assert answer.data["flows"] == [{"id": "reauthenticate"}]
    assert answer.data["user"]["username"] == "alice"


def test_reauthenticating_with_a_wrong_password_is_a_400_and_a_failed_sign_in(
    api, user
):
    api.login()

    answer = api.post("/auth/reauthenticate", {"password": "wrong"})

    assert answer.status == 400
    assert answer.codes == ["invalid"]
    assert AuthEvent.objects.filter(event_type="login_failed").count() == 1


def test_reauthenticating_with_two_factor_needs_the_code_too(
    api, user, two_factor, password
):
    totp, _codes = two_factor
    api.login()
    api.post("/auth/2fa/authenticate", {"code": totp.now()})

    without = api.post("/auth/reauthenticate", {"password": password})

    assert without.status == 400
    assert without.params == ["code"]


def test_reauthenticating_with_a_recovery_code_is_in_the_audit_trail(
    api, user, two_factor, password
):
    totp, codes = two_factor
    api.login()
    api.post("/auth/2fa/authenticate", {"code": totp.now()})

    answer = api.post("/auth/reauthenticate", {"password": password, "code": codes[0]})

    assert answer.status == 200
    assert AuthEvent.objects.filter(event_type="recovery_code_used").count() == 1


def test_reauthenticating_needs_a_signed_in_session(api, password):
    answer = api.post("/auth/reauthenticate", {"password": password})

    assert answer.status == 401
    assert answer.meta["is_authenticated"] is False


# CONFIGURATION
# ------------------------------------------------------------------------------


def test_the_configuration_names_what_the_site_allows(api):
    answer = api.get("/config")

    assert answer.status == 200
    assert answer.data["account"]["login_methods"] == ["email", "username"]
    assert answer.data["account"]["email_verification"] == "mandatory"
    assert answer.data["mfa"]["supported_types"] == ["totp", "recovery_codes"]


def test_only_the_browser_client_is_given_a_csrf_token():
    assert "csrf_token" in BrowserClient().get("/config").meta
    assert "csrf_token" not in AppClient().get("/config").meta


def test_no_session_is_stored_for_a_signed_out_app_request(db):
    AppClient().get("/auth/session")
    AppClient().get("/config")

    assert not Session.objects.exists()


def test_the_pending_stage_lives_in_the_session_not_the_account(user, two_factor):
    app = AppClient()
    app.login()

    session = Session.objects.get(session_key=app.token)

    assert SESSION_KEY not in session.get_decoded()
