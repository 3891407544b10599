"""The JSON API for an account's life: sign-up, confirmation, passwords,
profile, email change and deletion, through both clients."""

import pytest
from django.core import mail
from django.test import override_settings

from accounts.conf import app_settings
from accounts.models import AuthEvent, Session, User

from .api import AppClient

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-whole-new-passphrase-42"
SIGNUP = {"username": "dave", "email": "dave@example.com", "password": NEW_PASSWORD}


@pytest.fixture
def signed_in(api, user):
    assert api.login().status == 200
    return api


def key_from(message, prefix, link_in_mail, parts=1):
    path = link_in_mail(message, prefix)
    return "/".join(path.strip("/").split("/")[-parts:])


# SIGN-UP AND CONFIRMATION
# ------------------------------------------------------------------------------


def test_signing_up_mails_a_link_and_waits_for_it(api, signals_sent):
    answer = api.post("/auth/signup", SIGNUP)

    assert answer.status == 401
    assert {"id": "verify_email", "is_pending": True} in answer.data["flows"]
    assert User.objects.get(username="dave").email_verified is False
    assert mail.outbox[-1].to == ["dave@example.com"]
    assert len(signals_sent["user_signed_up"]) == 1


def test_signing_up_with_a_taken_address_answers_the_same(api, user):
    new = api.post("/auth/signup", {**SIGNUP, "username": "erin"})
    taken = api.post(
        "/auth/signup", {**SIGNUP, "username": "frank", "email": "ALICE@example.com"}
    )

    assert taken.status == new.status == 401
    assert taken.data == new.data
    assert not User.objects.filter(username="frank").exists()
    assert mail.outbox[-1].to == ["alice@example.com"]  # "someone tried" notice


def test_a_taken_username_is_reported(api, user):
    answer = api.post("/auth/signup", {**SIGNUP, "username": "ALICE"})

    assert answer.status == 400
    assert answer.params == ["username"]


def test_a_weak_password_is_refused_under_the_password_name(api):
    answer = api.post("/auth/signup", {**SIGNUP, "password": "123"})

    assert answer.status == 400
    assert set(answer.params) == {"password"}


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": 5}, "email"),
        ({"username": "a" * 151}, "username"),
        ({"username": "with@sign"}, "username"),
    ],
)
def test_bad_sign_up_input_is_a_400_naming_the_field(api, change, param):
    answer = api.post("/auth/signup", {**SIGNUP, **change})

    assert answer.status == 400
    assert param in answer.params
    assert not User.objects.filter(username="dave").exists()


@override_settings(AUTHSITE_EMAIL_VERIFICATION="optional")
def test_without_mandatory_verification_sign_up_signs_in(api):
    answer = api.post("/auth/signup", SIGNUP)

    assert answer.status == 200
    assert answer.data["user"]["username"] == "dave"
    assert api.get("/auth/session").status == 200


def test_signing_up_while_signed_in_is_a_conflict(signed_in):
    assert signed_in.post("/auth/signup", SIGNUP).status == 409


@override_settings(AUTHSITE_RATELIMIT_SIGNUP="1/h")
def test_sign_ups_are_rate_limited_per_inbox(api):
    api.post("/auth/signup", SIGNUP)
    other_address = AppClient(REMOTE_ADDR="192.0.2.9")

    answer = other_address.post(
        "/auth/signup", {**SIGNUP, "username": "gina", "email": "Dave+2@example.com"}
    )

    assert answer.status == 429
    assert "Retry-After" in answer.response


def test_the_emailed_key_confirms_the_address(api, link_in_mail, signals_sent):
    api.post("/auth/signup", SIGNUP)
    key = key_from(mail.outbox[-1], "/accounts/verify-email/", link_in_mail)

    info = api.get("/auth/email/verify", headers={"X-Email-Verification-Key": key})
    answer = api.post("/auth/email/verify", {"key": key})

    assert info.status == 200
    assert info.data["email"] == "dave@example.com"
    assert answer.status == 401  # confirmed; signing in is next
    assert User.objects.get(username="dave").email_verified is True
    assert len(signals_sent["email_verified"]) == 1
    assert api.login("dave", NEW_PASSWORD).status == 200


def test_a_confirmation_key_works_once(api, link_in_mail):
    api.post("/auth/signup", SIGNUP)
    key = key_from(mail.outbox[-1], "/accounts/verify-email/", link_in_mail)
    api.post("/auth/email/verify", {"key": key})

    again = api.post("/auth/email/verify", {"key": key})

    assert again.status == 400
    assert again.params == ["key"]


@pytest.mark.parametrize("key", ["", "forged", "x" * 1000])
def test_a_bad_confirmation_key_is_a_400(api, key):
    answer = api.post("/auth/email/verify", {"key": key})
    info = api.get("/auth/email/verify", headers={"X-Email-Verification-Key": key})

    assert answer.status == info.status == 400


def test_checking_a_key_needs_the_header(api):
    answer = api.get("/auth/email/verify")

    assert answer.status == 400
    assert answer.codes == ["required"]


def test_resending_the_link_answers_the_same_for_any_address(api, make_user):
    make_user("carol", email_verified=False)

    known = api.post("/auth/email/verify/resend", {"email": "carol@example.com"})
    unknown = api.post("/auth/email/verify/resend", {"email": "nobody@example.com"})

    assert known.status == unknown.status == 200
    assert known.body == unknown.body
    assert [m.to for m in mail.outbox] == [
        ["carol@example.com"],
        ["nobody@example.com"],
    ]


@override_settings(AUTHSITE_RATELIMIT_RESEND_VERIFICATION="1/h")
def test_resending_is_rate_limited(api):
    api.post("/auth/email/verify/resend", {"email": "carol@example.com"})

    answer = api.post("/auth/email/verify/resend", {"email": "carol@example.com"})

    assert answer.status == 429


# PASSWORD RESET
# ------------------------------------------------------------------------------


def test_a_reset_request_answers_the_same_for_any_address(api, user, signals_sent):
    known = api.post("/auth/password/request", {"email": "alice@example.com"})
    unknown = api.post("/auth/password/request", {"email": "nobody@example.com"})

    assert known.status == unknown.status == 200
    assert known.body == unknown.body
    assert len(mail.outbox) == 2
    assert len(signals_sent["password_reset_requested"]) == 2


def test_a_reset_request_with_no_address_is_a_400(api):
    answer = api.post("/auth/password/request", {"email": "nope"})

    assert answer.status == 400
    assert answer.params == ["email"]


@override_settings(AUTHSITE_RATELIMIT_PASSWORD_RESET="1/h")
def test_reset_requests_are_rate_limited(api, user):
    api.post("/auth/password/request", {"email": "alice@example.com"})

    answer = api.post("/auth/password/request", {"email": "alice@example.com"})

    assert answer.status == 429


def test_the_emailed_key_resets_the_password(api, user, link_in_mail, password):
    api.post("/auth/password/request", {"email": "alice@example.com"})
    key = key_from(mail.outbox[-1], "/accounts/reset/", link_in_mail, parts=2)

    info = api.get("/auth/password/reset", headers={"X-Password-Reset-Key": key})
    answer = api.post("/auth/password/reset", {"key": key, "password": NEW_PASSWORD})

    assert info.status == 200
    assert info.data["user"]["username"] == "alice"
    assert answer.status == 401
    assert api.login(password=password).status == 400
    assert api.login(password=NEW_PASSWORD).status == 200
    assert AuthEvent.objects.filter(event_type="password_reset_done").count() == 1


def test_a_reset_key_works_once(api, user, link_in_mail):
    api.post("/auth/password/request", {"email": "alice@example.com"})
    key = key_from(mail.outbox[-1], "/accounts/reset/", link_in_mail, parts=2)
    api.post("/auth/password/reset", {"key": key, "password": NEW_PASSWORD})

    again = api.post(
        "/auth/password/reset", {"key": key, "password": "x" + NEW_PASSWORD}
    )

    assert again.status == 400
    assert again.params == ["key"]


@pytest.mark.parametrize("key", ["", "nope", "MQ/forged-token", "!!/x", "a/b/c"])
def test_a_bad_reset_key_is_a_400(api, user, key):
    answer = api.post("/auth/password/reset", {"key": key, "password": NEW_PASSWORD})
    info = api.get("/auth/password/reset", headers={"X-Password-Reset-Key": key})

    assert answer.status == info.status == 400


def test_a_weak_new_password_is_refused_and_the_key_still_works(
    api, user, link_in_mail
):
    api.post("/auth/password/request", {"email": "alice@example.com"})
    key = key_from(mail.outbox[-1], "/accounts/reset/", link_in_mail, parts=2)

    weak = api.post("/auth/password/reset", {"key": key, "password": "alice"})

    assert weak.status == 400
    assert set(weak.params) == {"password"}
    good = api.post("/auth/password/reset", {"key": key, "password": NEW_PASSWORD})
    assert good.status == 401


def test_a_reset_unlocks_the_account(api, user, link_in_mail):
    for attempt in range(5):
        api.login(password=f"wrong{attempt}")
    api.post("/auth/password/request", {"email": "alice@example.com"})
    key = key_from(mail.outbox[-1], "/accounts/reset/", link_in_mail, parts=2)

    api.post("/auth/password/reset", {"key": key, "password": NEW_PASSWORD})

    assert api.login(password=NEW_PASSWORD).status == 200


# PASSWORD CHANGE
# ------------------------------------------------------------------------------


def test_changing_the_password_keeps_this_session_and_ends_the_others(
    signed_in, user, password
):
    other = AppClient()
    other.login()

    answer = signed_in.post(
        "/account/password/change",
        {"current_password": password, "new_password": NEW_PASSWORD},
    )

    assert answer.status == 200
    assert signed_in.get("/auth/session").status == 200
    assert Session.objects.filter(user=user).count() == 1
    assert mail.outbox[-1].to == ["alice@example.com"]
    assert AuthEvent.objects.filter(event_type="password_changed").count() == 1


def test_a_wrong_current_password_is_a_400_and_a_failed_sign_in(signed_in, password):
    answer = signed_in.post(
        "/account/password/change",
        {"current_password": "wrong", "new_password": NEW_PASSWORD},
    )

    assert answer.status == 400
    assert answer.params == ["current_password"]
    assert AuthEvent.objects.filter(event_type="login_failed").count() == 1


def test_a_weak_new_password_is_refused(signed_in, password):
    answer = signed_in.post(
        "/account/password/change",
        {"current_password": password, "new_password": "password"},
    )

    assert answer.status == 400
    assert "new_password" in answer.params


def test_changing_the_password_needs_a_recent_sign_in(signed_in, password, clock):
    clock.advance(seconds=app_settings.REAUTHENTICATION_TIMEOUT + 1)

    answer = signed_in.post(
        "/account/password/change",
        {"current_password": password, "new_password": NEW_PASSWORD},
    )

    assert answer.status == 401
    assert answer.data["flows"] == [{"id": "reauthenticate"}]


def test_changing_the_password_needs_a_sign_in(api, user, password):
    answer = api.post(
        "/account/password/change",
        {"current_password": password, "new_password": NEW_PASSWORD},
    )

    assert answer.status == 401
    assert answer.meta["is_authenticated"] is False


def test_a_locked_account_cannot_change_its_password_from_an_app(user, password):
    # (A browser that signed in before is a known browser: strangers'
    # failures do not lock it, on the pages or through the API.)
    signed_in = AppClient()
    signed_in.login()
    for attempt in range(5):
        AppClient().login(password=f"wrong{attempt}")

    answer = signed_in.post(
        "/account/password/change",
        {"current_password": password, "new_password": NEW_PASSWORD},
    )

    assert answer.status == 429
    assert answer.codes == ["locked_out"]


# PROFILE AND EMAIL
# ------------------------------------------------------------------------------


def test_reading_the_profile(signed_in):
    answer = signed_in.get("/account/profile")

    assert answer.status == 200
    assert answer.data["username"] == "alice"
    assert answer.data["email_verified"] is True


def test_changing_the_names_leaves_out_fields_alone(signed_in, user):
    signed_in.patch("/account/profile", {"first_name": "Alice", "last_name": "Liddell"})

    answer = signed_in.patch("/account/profile", {"last_name": "Pleasance"})

    user.refresh_from_db()
    assert answer.data["first_name"] == user.first_name == "Alice"
    assert user.last_name == "Pleasance"
    assert answer.data["email"] == "alice@example.com"


def test_the_profile_takes_no_email_address(signed_in, user):
    signed_in.patch("/account/profile", {"email": "new@example.com"})

    user.refresh_from_db()
    assert user.email == "alice@example.com"
    assert mail.outbox == []


def test_the_profile_needs_a_sign_in(api):
    assert api.get("/account/profile").status == 401
    assert api.patch("/account/profile", {"first_name": "x"}).status == 401


def test_a_new_address_waits_for_the_link_sent_to_it(
    signed_in, user, link_in_mail, signals_sent
):
    answer = signed_in.post("/account/email", {"email": "alice@new.example"})

    assert answer.status == 200
    assert answer.data == [
        {"email": "alice@example.com", "primary": True, "verified": True}
    ]
    assert mail.outbox[-1].to == ["alice@new.example"]
    key = key_from(mail.outbox[-1], "/accounts/email/confirm/", link_in_mail)

    confirmed = signed_in.post("/account/email/confirm", {"key": key})

    assert confirmed.status == 200
    assert confirmed.data[0]["email"] == "alice@new.example"
    assert mail.outbox[-1].to == ["alice@example.com"]  # the old address is told
    assert len(signals_sent["email_changed"]) == 1


def test_a_taken_address_answers_the_same_and_tells_its_owner(signed_in, make_user):
    make_user("bob")

    answer = signed_in.post("/account/email", {"email": "BOB@example.com"})

    assert answer.status == 200
    assert mail.outbox[-1].to == ["bob@example.com"]


def test_an_email_change_key_is_only_for_its_account(
    signed_in, make_user, link_in_mail
):
    signed_in.post("/account/email", {"email": "alice@new.example"})
    key = key_from(mail.outbox[-1], "/accounts/email/confirm/", link_in_mail)
    make_user("bob")
    bob = AppClient()
    bob.login("bob")

    answer = bob.post("/account/email/confirm", {"key": key})

    assert answer.status == 400
    assert User.objects.get(username="bob").email == "bob@example.com"


def test_changing_the_address_needs_a_recent_sign_in(signed_in, clock):
    clock.advance(seconds=app_settings.REAUTHENTICATION_TIMEOUT + 1)

    assert (
        signed_in.post("/account/email", {"email": "alice@new.example"}).status == 401
    )
    assert mail.outbox == []


@override_settings(AUTHSITE_RATELIMIT_EMAIL_CHANGE="1/h")
def test_address_changes_are_rate_limited_per_account(signed_in):
    signed_in.post("/account/email", {"email": "one@example.com"})

    answer = signed_in.post("/account/email", {"email": "two@example.com"})

    assert answer.status == 429


def test_an_invalid_address_is_a_400(signed_in):
    answer = signed_in.post("/account/email", {"email": "nope"})

    assert answer.status == 400
    assert answer.params == ["email"]


# DELETION
# ------------------------------------------------------------------------------


def test_deleting_the_account_needs_the_password(signed_in, user, password):
    wrong = signed_in.post("/account/delete", {"password": "wrong"})
    right = signed_in.post("/account/delete", {"password": password})

    assert wrong.status == 400
    assert right.status == 401
    assert not User.objects.filter(pk=user.pk).exists()
    assert mail.outbox[-1].to == ["alice@example.com"]
    assert AuthEvent.objects.filter(event_type="account_deleted").count() == 1


def test_deleting_the_account_needs_a_sign_in(api, password):
    assert api.post("/account/delete", {"password": password}).status == 401


def test_the_address_list_shows_the_one_address(signed_in, make_user):
    answer = signed_in.get("/account/email")

    assert answer.status == 200
    assert answer.data == [
        {"email": "alice@example.com", "primary": True, "verified": True}
    ]


def test_the_address_list_needs_a_sign_in(api):
    assert api.get("/account/email").status == 401


@pytest.mark.parametrize(
    ("body", "param"),
    [({"first_name": "x" * 151}, "first_name"), ({"last_name": 3}, "last_name")],
)
def test_bad_names_are_a_400_and_change_nothing(signed_in, user, body, param):
    answer = signed_in.patch("/account/profile", body)

    user.refresh_from_db()
    assert answer.status == 400
    assert answer.params == [param]
    assert (user.first_name, user.last_name) == ("", "")


def test_deleting_an_account_with_two_factor_needs_the_code(
    signed_in, user, password, clock
):
    from .api import turn_on_two_factor

    _totp, codes = turn_on_two_factor(signed_in)

    without = signed_in.post("/account/delete", {"password": password})
    wrong = signed_in.post("/account/delete", {"password": password, "code": "000000"})

    assert without.status == wrong.status == 400
    assert without.params == ["code"]
    assert User.objects.filter(pk=user.pk).exists()
    clock.advance(seconds=5)  # django-otp waits after a wrong code
    right = signed_in.post("/account/delete", {"password": password, "code": codes[0]})
    assert right.status == 401
    assert not User.objects.filter(pk=user.pk).exists()
