"""Passkeys through the site's JSON endpoints, with a software authenticator.

The browser's part (``navigator.credentials``) is played by
``tests/authenticator.py``, so every check of a ceremony can be bent: the
origin, the RP ID, the challenge, the flags, the signature.
"""

import json
import re
from base64 import b32encode

import pyotp
import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts.login import flow
from accounts.models import AuthEvent, Passkey, PasskeyChallenge
from accounts.passkeys import ceremonies

from .authenticator import SoftAuthenticator, b64url

pytestmark = pytest.mark.django_db

Type = AuthEvent.Type
LOGIN_URL = reverse("accounts:login")


def origin():
    return ceremonies.expected_origin()


def post_json(client, name, data=None, **extra):
    return client.post(
        reverse(f"accounts:{name}"),
        json.dumps(data if data is not None else {}),
        content_type="application/json",
        **extra,
    )


def add_passkey(client, authenticator, name="Laptop", **register):
    options = post_json(client, "passkey_add_options")
    assert options.status_code == 200, options.content
    credential = authenticator.register(
        options.json(), origin=register.pop("origin", origin()), **register
    )
    return post_json(
        client, "passkey_add_verify", {"name": name, "credential": credential}
    )


def sign_in_options(client):
    response = post_json(client, "passkey_login_options")
    assert response.status_code == 200, response.content
    return response.json()


def passkey_sign_in(client, authenticator, **assertion):
    options = sign_in_options(client)
    credential = authenticator.sign(
        options, origin=assertion.pop("origin", origin()), **assertion
    )
    return post_json(client, "passkey_login", {"credential": credential})


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def give_passkey(user, **kwargs):
    """Register a new software passkey to ``user`` through the pages."""
    authenticator = SoftAuthenticator(**kwargs)
    browser = Client()
    browser.force_login(user)
    response = add_passkey(browser, authenticator)
    assert response.status_code == 200, response.content
    return authenticator


def give_totp(user):
    device = TOTPDevice.objects.create(
        user=user, name="app", key=random_hex(20), confirmed=True
    )
    return pyotp.TOTP(b32encode(device.bin_key).decode())


def start_password_sign_in(client, password, username="alice"):
    response = client.post(LOGIN_URL, {"username": username, "password": password})
    assert response.status_code == 302
    return response


@pytest.fixture
def passkey(user):
    return give_passkey(user)


# Adding passkeys -------------------------------------------------------------


def test_a_signed_in_user_adds_a_named_passkey_and_is_told_by_email(
    logged_in_client, user
):
    authenticator = SoftAuthenticator()

    response = add_passkey(logged_in_client, authenticator, name="Work laptop")

    assert response.status_code == 200
    assert response.json() == {"redirect": reverse("accounts:passkeys")}
    stored = Passkey.objects.get(user=user)
    assert stored.name == "Work laptop"
    assert stored.credential_id == authenticator.id
    assert stored.user_verified
    assert (stored.backup_eligible, stored.backed_up) == (False, False)
    assert stored.transports == ["internal"]
    [message] = mail.outbox
    assert message.to == [user.email]
    assert "Work laptop" in message.body
    assert AuthEvent.objects.filter(user=user, event_type=Type.PASSKEY_ADDED).exists()
    page = logged_in_client.get(reverse("accounts:passkeys")).content.decode()
    assert "Work laptop" in page
    assert "Only on this authenticator" in page


def test_every_passkey_of_an_account_shares_one_user_handle(logged_in_client, user):
    first, second = SoftAuthenticator(), SoftAuthenticator(synced=True)
    add_passkey(logged_in_client, first)
    add_passkey(logged_in_client, second, name="Phone")

    handles = set(user.passkeys.values_list("user_handle", flat=True))
    assert handles == {b64url(first.user_handle)} == {b64url(second.user_handle)}
    assert user.passkeys.get(name="Phone").backed_up


def test_registration_options_exclude_the_accounts_passkeys_and_ask_for_a_resident_key(
    logged_in_client, user
):
    authenticator = SoftAuthenticator()
    add_passkey(logged_in_client, authenticator)

    options = post_json(logged_in_client, "passkey_add_options").json()

    assert options["rp"] == {"id": "localhost", "name": "authsite"}
    assert [c["id"] for c in options["excludeCredentials"]] == [authenticator.id]
    assert options["authenticatorSelection"]["residentKey"] == "required"


def test_the_same_credential_cannot_be_registered_twice(logged_in_client, make_user):
    authenticator = SoftAuthenticator()
    assert add_passkey(logged_in_client, authenticator).status_code == 200

    again = add_passkey(logged_in_client, authenticator)
    other = Client()
    other.force_login(make_user("bob"))
    to_bob = add_passkey(other, authenticator)

    assert again.status_code == to_bob.status_code == 400
    assert Passkey.objects.count() == 1


def test_adding_a_passkey_needs_a_recent_sign_in(logged_in_client, clock):
    clock.advance(minutes=6)

    page = logged_in_client.get(reverse("accounts:passkey_add"))
    options = post_json(logged_in_client, "passkey_add_options")

    assert page.status_code == 302
    assert page.url.startswith(reverse("accounts:reauthenticate"))
    assert options.status_code == 403
    assert options.json()["redirect"].startswith(reverse("accounts:reauthenticate"))


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("origin", {"origin": "https://evil.example"}),
        ("rp_id", {"rp_id": "evil.example"}),
    ],
)
def test_a_registration_for_another_site_is_refused(logged_in_client, user, name, bad):
    response = add_passkey(logged_in_client, SoftAuthenticator(), **bad)

    assert response.status_code == 400
    assert not Passkey.objects.exists()


def test_a_registration_answer_works_once(logged_in_client):
    authenticator = SoftAuthenticator()
    options = post_json(logged_in_client, "passkey_add_options").json()
    credential = authenticator.register(options, origin=origin())
    first = post_json(
        logged_in_client, "passkey_add_verify", {"name": "A", "credential": credential}
    )
    Passkey.objects.all().delete()

    replay = post_json(
        logged_in_client, "passkey_add_verify", {"name": "A", "credential": credential}
    )

    assert first.status_code == 200
    assert replay.status_code == 400
    assert not Passkey.objects.exists()


def test_a_passkey_needs_a_name(logged_in_client):
    response = add_passkey(logged_in_client, SoftAuthenticator(), name="  ")

    assert response.status_code == 400
    assert "required" in response.json()["error"]


def test_registering_a_passkey_during_a_half_done_sign_in_does_not_skip_the_code(
    client, user, password
):
    """GHSA-8r76-c459-ww98 (django-otp-webauthn < 0.10.3)."""
    give_totp(user)
    start_password_sign_in(client, password)

    options = post_json(client, "passkey_add_options")
    verify = post_json(
        client,
        "passkey_add_verify",
        {
            "name": "x",
            "credential": SoftAuthenticator().register(
                {
                    "rp": {"id": "localhost"},
                    "user": {"id": "AAAA"},
                    "challenge": "AAAA",
                },
                origin=origin(),
            ),
        },
    )

    assert options.status_code == verify.status_code == 403
    assert not Passkey.objects.exists()
    assert signed_in_user_id(client) is None
    assert client.get(reverse("accounts:dashboard")).status_code == 302
    assert client.get(reverse("accounts:login_code")).status_code == 200


# Signing in with a passkey ------------------------------------------------------


def test_a_passkey_signs_in_without_a_username_or_a_second_step(client, user, passkey):
    give_totp(user)  # two-factor on: a passkey that verified the user is enough

    response = passkey_sign_in(client, passkey)

    assert response.status_code == 200
    assert response.json() == {"redirect": reverse("accounts:dashboard")}
    assert signed_in_user_id(client) == str(user.pk)
    assert flow.authentication(client).methods == ("hwk", "mfa")
    stored = Passkey.objects.get()
    assert stored.sign_count == 1
    assert stored.last_used_at is not None
    types = set(AuthEvent.objects.values_list("event_type", flat=True))
    assert {Type.LOGIN, Type.PASSKEY_USED} <= types


def test_a_synced_passkey_signs_in_as_a_software_key(client, user):
    authenticator = give_passkey(user, synced=True)

    passkey_sign_in(client, authenticator)

    assert flow.authentication(client).methods == ("swk", "mfa")


def test_the_sign_in_page_offers_passkeys_in_the_username_autofill(client):
    page = client.get(LOGIN_URL).content.decode()

    assert 'autocomplete="username webauthn"' in page
    assert "data-conditional" in page
    assert "Sign in with a passkey" in page
    assert "<script src=" in page
    assert "<script>" not in page


def test_sign_in_options_ask_for_user_verification_and_name_no_account(client):
    options = sign_in_options(client)

    assert options["userVerification"] == "required"
    assert options["rpId"] == "localhost"
    assert options["allowCredentials"] == []


def test_a_passkey_sign_in_follows_a_safe_next_and_ignores_another(client, passkey):
    options = sign_in_options(client)
    credential = passkey.sign(options, origin=origin())
    safe = post_json(
        client,
        "passkey_login",
        {"credential": credential, "next": "/dashboard/sessions/"},
    )
    assert safe.json()["redirect"] == "/dashboard/sessions/"

    other = Client()
    options = sign_in_options(other)
    credential = passkey.sign(options, origin=origin())
    unsafe = post_json(
        other,
        "passkey_login",
        {"credential": credential, "next": "https://evil.example/"},
    )
    assert unsafe.json()["redirect"] == reverse("accounts:dashboard")


def test_user_verification_is_required_for_a_passkey_sign_in(client, user, passkey):
    response = passkey_sign_in(client, passkey, uv=False)

    assert response.status_code == 400
    assert signed_in_user_id(client) is None
    assert AuthEvent.objects.filter(user=user, event_type=Type.PASSKEY_FAILED).exists()


def _expired(client, authenticator):
    options = sign_in_options(client)
    PasskeyChallenge.objects.update(expires_at="2000-01-01T00:00:00Z")
    return {"credential": authenticator.sign(options, origin=origin())}


def _replayed(client, authenticator):
    options = sign_in_options(client)
    credential = authenticator.sign(options, origin=origin())
    first = post_json(client, "passkey_login", {"credential": credential})
    assert first.status_code == 200
    client.logout()
    return {"credential": credential}


def _other_session(client, authenticator):
    options = sign_in_options(Client())  # another browser's challenge
    return {"credential": authenticator.sign(options, origin=origin())}


def _bent(**assertion):
    def build(client, authenticator):
        options = sign_in_options(client)
        assertion.setdefault("origin", origin())
        return {"credential": authenticator.sign(options, **assertion)}

    return build


def _unknown(client, authenticator):
    options = sign_in_options(client)
    stranger = SoftAuthenticator()
    return {"credential": stranger.sign(options, origin=origin())}


def _bad_signature(client, authenticator):
    options = sign_in_options(client)
    credential = authenticator.sign(options, origin=origin())
    credential["response"]["signature"] = b64url(b"\x30\x06\x02\x01\x01\x02\x01\x01")
    return {"credential": credential}


def _no_challenge(client, authenticator):
    options = {"challenge": b64url(b"0" * 32), "rpId": "localhost"}
    return {"credential": authenticator.sign(options, origin=origin())}


def _garbled(field, value):
    def build(client, authenticator):
        options = sign_in_options(client)
        credential = authenticator.sign(options, origin=origin())
        credential["response"][field] = value
        return {"credential": credential}

    return build


CEREMONY_FAILURES = {
    "wrong origin": _bent(origin="https://evil.example"),
    "wrong origin port": _bent(origin="http://localhost:8001"),
    "wrong RP ID": _bent(rp_id="evil.example"),
    "replayed challenge": _replayed,
    "expired challenge": _expired,
    "another session's challenge": _other_session,
    "no challenge asked for": _no_challenge,
    "unknown credential": _unknown,
    "bad signature": _bad_signature,
    "counter went back": _bent(counter=0),
    "another account's user handle": _bent(user_handle=b"someone else"),
    "clientDataJSON not base64": _garbled("clientDataJSON", "%%%"),
    "clientDataJSON not JSON": _garbled("clientDataJSON", b64url(b"{nope")),
    "authenticatorData too short": _garbled("authenticatorData", b64url(b"short")),
    "signature missing": _garbled("signature", None),
    "userHandle a number": _garbled("userHandle", 7),
}


@pytest.mark.parametrize("build", CEREMONY_FAILURES.values(), ids=CEREMONY_FAILURES)
def test_a_failed_ceremony_check_is_a_4xx_that_signs_nobody_in(
    client, user, passkey, build
):
    # The authenticator's counter runs ahead of the stored one, as it should.
    Passkey.objects.update(sign_count=3)
    passkey.sign_count = 5

    body = build(client, passkey)
    response = post_json(client, "passkey_login", body)

    assert response.status_code == 400
    assert response.json()["error"].startswith("That passkey could not be used")
    assert signed_in_user_id(client) is None


def test_the_same_answer_unbent_signs_in(client, user, passkey):
    """The control for the failures above: only the bent part refuses them."""
    Passkey.objects.update(sign_count=3)
    passkey.sign_count = 5

    response = post_json(client, "passkey_login", _bent()(client, passkey))

    assert response.status_code == 200
    assert signed_in_user_id(client) == str(user.pk)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'"a string"',
        b"{}",
        b'{"credential": "x"}',
        b'{"credential": {}}',
        b'{"credential": {"id": 5}}',
        b'{"credential": {"id": "' + b"A" * 5000 + b'"}}',
        b'{"credential": {"id": "abc", "rawId": "abc", "response": []}}',
        b'{"credential": {"id": "\\u0000"}}',
        b"\xff\xfe",
    ],
)
def test_malformed_json_is_a_400_never_a_500(client, passkey, body):
    sign_in_options(client)

    response = client.post(
        reverse("accounts:passkey_login"), body, content_type="application/json"
    )

    assert response.status_code == 400
    assert "error" in response.json()


def test_a_form_post_instead_of_json_is_a_400(client):
    response = client.post(reverse("accounts:passkey_login"), {"credential": "x"})

    assert response.status_code == 400


def test_the_json_endpoints_refuse_get(client):
    for name in ["passkey_login_options", "passkey_login", "passkey_add_verify"]:
        assert client.get(reverse(f"accounts:{name}")).status_code == 405


def test_the_json_endpoints_need_the_csrf_token():
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(LOGIN_URL).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]

    without = post_json(browser, "passkey_login_options")
    with_token = post_json(browser, "passkey_login_options", HTTP_X_CSRFTOKEN=token)

    assert without.status_code == 403
    assert with_token.status_code == 200


def test_an_inactive_accounts_passkey_signs_nobody_in(client, user, passkey):
    user.is_active = False
    user.save()

    response = passkey_sign_in(client, passkey)

    assert response.status_code == 400
    assert signed_in_user_id(client) is None


def test_a_deleted_accounts_passkey_signs_nobody_in(client, user, passkey):
    user.delete()

    response = passkey_sign_in(client, passkey)

    assert response.status_code == 400
    assert not Passkey.objects.exists()


@override_settings(AUTHSITE_EMAIL_VERIFICATION="mandatory")
def test_an_unconfirmed_address_cannot_sign_in_with_a_passkey(client, user, passkey):
    user.email_verified = False
    user.save()

    response = passkey_sign_in(client, passkey)

    assert response.status_code == 400
    assert "confirm your email" in response.json()["error"]
    assert signed_in_user_id(client) is None


@override_settings(AUTHSITE_LOCKOUT_FAILURE_LIMIT=3)
def test_failed_passkey_sign_ins_count_towards_the_lockout(
    client, user, passkey, password
):
    for _ in range(3):
        response = passkey_sign_in(client, passkey, uv=False)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0

    locked = passkey_sign_in(Client(), passkey)
    stranger = Client().post(LOGIN_URL, {"username": "alice", "password": password})

    assert locked.status_code == 429
    assert "paused" in locked.json()["error"]
    assert stranger.status_code == 429
    assert AuthEvent.objects.filter(user=user, event_type=Type.LOCKOUT).exists()


@override_settings(AUTHSITE_LOCKOUT_IP_FAILURE_LIMIT=3)
def test_unknown_passkeys_count_against_the_address(client, user, password):
    for _ in range(3):
        response = passkey_sign_in(client, SoftAuthenticator())
    assert response.status_code == 429

    same_address = Client().post(LOGIN_URL, {"username": "alice", "password": password})
    elsewhere = Client().post(
        LOGIN_URL, {"username": "alice", "password": password}, REMOTE_ADDR="10.1.2.3"
    )

    assert same_address.status_code == 429
    assert elsewhere.status_code == 302


@override_settings(AUTHSITE_RATELIMIT_LOGIN="2/m")
def test_passkey_sign_ins_are_rate_limited_per_address(client, db):
    statuses = [
        post_json(client, "passkey_login", {"credential": {}}).status_code
        for _ in range(3)
    ]

    assert statuses == [400, 400, 429]


def test_a_challenge_is_spent_by_one_request_only(rf, client):
    sign_in_options(client)
    session = client.session
    [challenge_id] = session[ceremonies.CHALLENGES_SESSION_KEY].values()

    class Request:
        def __init__(self):
            self.session = {ceremonies.CHALLENGES_SESSION_KEY: {"login": challenge_id}}

    # Two requests that both read the session before either saved it.
    first = ceremonies.take_challenge(Request(), ceremonies.LOGIN)
    second = ceremonies.take_challenge(Request(), ceremonies.LOGIN)

    assert first is not None
    assert second is None


# The code step ---------------------------------------------------------------------


def code_step_options(client):
    response = post_json(client, "passkey_two_factor_options")
    assert response.status_code == 200, response.content
    return response.json()


def code_step_with(client, authenticator, **assertion):
    options = code_step_options(client)
    credential = authenticator.sign(
        options, origin=assertion.pop("origin", origin()), **assertion
    )
    return post_json(client, "passkey_two_factor", {"credential": credential})


def test_a_passkey_answers_the_code_step_of_a_two_factor_account(
    client, user, passkey, password
):
    give_totp(user)
    start_password_sign_in(client, password)
    page = client.get(reverse("accounts:login_code")).content.decode()
    assert "Use a passkey instead" in page

    options = code_step_options(client)
    response = code_step_with(client, passkey, uv=False)

    assert [c["id"] for c in options["allowCredentials"]] == [passkey.id]
    assert response.status_code == 200
    assert response.json() == {"redirect": reverse("accounts:dashboard")}
    assert signed_in_user_id(client) == str(user.pk)
    assert flow.authentication(client).methods == ("pwd", "hwk")


def test_the_code_step_offers_no_passkey_to_an_account_without_one(
    client, user, password
):
    give_totp(user)
    start_password_sign_in(client, password)

    page = client.get(reverse("accounts:login_code")).content.decode()

    assert "passkeys.js" not in page
    assert "Use a passkey instead" not in page


def test_the_code_step_endpoints_need_a_pending_sign_in(client, passkey):
    response = post_json(client, "passkey_two_factor_options")

    assert response.status_code == 400
    assert response.json()["redirect"] == LOGIN_URL


def test_another_accounts_passkey_never_answers_the_code_step(
    client, user, make_user, password
):
    give_totp(user)
    bob = make_user("bob")
    bobs = give_passkey(bob)
    start_password_sign_in(client, password)

    response = code_step_with(client, bobs)

    assert response.status_code == 400
    assert signed_in_user_id(client) is None


def test_an_inactive_users_passkey_does_not_let_someone_else_skip_the_code(
    client, user, make_user, password
):
    """allauth 65.21.0: an inactive account's credential skipped a factor."""
    give_totp(user)
    mallory = make_user("mallory")
    mallorys = give_passkey(mallory)
    mallory.is_active = False
    mallory.save()
    start_password_sign_in(client, password)

    options = code_step_options(client)
    at_code_step = post_json(
        client,
        "passkey_two_factor",
        {"credential": mallorys.sign(options, origin=origin())},
    )
    login = passkey_sign_in(client, mallorys)

    assert at_code_step.status_code == login.status_code == 400
    assert signed_in_user_id(client) is None
    assert client.get(reverse("accounts:dashboard")).status_code == 302


def test_failed_passkeys_at_the_code_step_do_not_throttle_the_authenticator_app(
    client, user, passkey, password
):
    """allauth 65.20.1: failed WebAuthn attempts exhausted the TOTP throttle."""
    totp = give_totp(user)
    start_password_sign_in(client, password)
    for _ in range(3):
        refused = code_step_with(client, passkey, origin="https://evil.example")
        assert refused.status_code == 400

    response = client.post(reverse("accounts:login_code"), {"code": totp.now()})

    assert response.status_code == 302
    assert response.url == reverse("accounts:dashboard")
    assert TOTPDevice.objects.get(user=user).throttling_failure_count == 0
    failures = AuthEvent.objects.filter(user=user, event_type=Type.PASSKEY_FAILED)
    assert failures.count() == 3
    assert failures.first().detail["step"] == "two_factor"


@override_settings(AUTHSITE_TWO_FACTOR_MAX_ATTEMPTS=2)
def test_too_many_failed_passkeys_give_up_the_pending_sign_in(
    client, user, passkey, password
):
    give_totp(user)
    start_password_sign_in(client, password)

    code_step_with(client, passkey, rp_id="evil.example")
    response = code_step_with(client, passkey, rp_id="evil.example")

    assert response.status_code == 400
    assert response.json()["redirect"] == LOGIN_URL
    assert post_json(client, "passkey_two_factor_options").status_code == 400


def test_a_password_sign_in_of_a_passkey_account_without_an_app_has_no_code_step(
    client, user, passkey, password
):
    response = start_password_sign_in(client, password)

    assert response.url == reverse("accounts:dashboard")


# Confirm it's you -------------------------------------------------------------------


def reauthenticate_with(client, authenticator, next_url="/accounts/passkeys/add/", **a):
    options = post_json(client, "passkey_reauthenticate_options")
    assert options.status_code == 200
    credential = authenticator.sign(
        options.json(), origin=a.pop("origin", origin()), **a
    )
    return post_json(
        client, "passkey_reauthenticate", {"credential": credential, "next": next_url}
    )


def test_a_passkey_confirms_its_you(client, user, passkey, password, clock):
    start_password_sign_in(client, password)
    clock.advance(minutes=6)
    stale = client.get(reverse("accounts:passkey_add"))
    assert stale.status_code == 302
    page = client.get(stale.url).content.decode()
    assert "Confirm with a passkey" in page

    response = reauthenticate_with(client, passkey)

    assert response.status_code == 200
    assert response.json() == {"redirect": "/accounts/passkeys/add/"}
    assert client.get(reverse("accounts:passkey_add")).status_code == 200
    assert flow.authentication(client).methods == ("hwk", "mfa")


def test_confirming_with_a_passkey_needs_user_verification(
    client, user, passkey, password, clock
):
    start_password_sign_in(client, password)
    clock.advance(minutes=6)

    response = reauthenticate_with(client, passkey, uv=False)

    assert response.status_code == 400
    assert client.get(reverse("accounts:passkey_add")).status_code == 302


def test_confirming_with_another_accounts_passkey_is_refused(
    client, user, make_user, password, clock
):
    bobs = give_passkey(make_user("bob"))
    give_passkey(user)
    start_password_sign_in(client, password)
    clock.advance(minutes=6)

    response = reauthenticate_with(client, bobs)

    assert response.status_code == 400


# Renaming and removing ---------------------------------------------------------------


def test_renaming_a_passkey(logged_in_client, user, passkey):
    stored = Passkey.objects.get()
    url = reverse("accounts:passkey_rename", args=[stored.pk])

    response = logged_in_client.post(url, {"name": "Old phone"})

    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.name == "Old phone"


def test_another_users_passkey_is_a_404(logged_in_client, make_user):
    give_passkey(make_user("bob"))
    bobs = Passkey.objects.get()

    for name in ["passkey_rename", "passkey_remove"]:
        url = reverse(f"accounts:{name}", args=[bobs.pk])
        assert logged_in_client.get(url).status_code == 404
        assert logged_in_client.post(url, {"name": "mine"}).status_code == 404
    assert Passkey.objects.get().name == "Laptop"


def test_a_removed_passkey_signs_in_no_more(logged_in_client, client, user, passkey):
    stored = Passkey.objects.get()
    mail.outbox.clear()

    response = logged_in_client.post(
        reverse("accounts:passkey_remove", args=[stored.pk])
    )

    assert response.status_code == 302
    assert not Passkey.objects.exists()
    [message] = mail.outbox
    assert "Laptop" in message.body
    event = AuthEvent.objects.get(event_type=Type.PASSKEY_REMOVED)
    assert event.detail == {"name": "Laptop", "by": "user"}
    assert passkey_sign_in(client, passkey).status_code == 400


def test_removing_a_passkey_needs_a_recent_sign_in(logged_in_client, passkey, clock):
    stored = Passkey.objects.get()
    clock.advance(minutes=6)

    response = logged_in_client.post(
        reverse("accounts:passkey_remove", args=[stored.pk])
    )

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:reauthenticate"))
    assert Passkey.objects.exists()


def test_the_last_passkey_of_an_account_without_a_password_cannot_be_removed(
    logged_in_client, user, passkey
):
    user.set_unusable_password()
    user.save()
    logged_in_client.force_login(user)
    stored = Passkey.objects.get()
    url = reverse("accounts:passkey_remove", args=[stored.pk])

    page = logged_in_client.get(url).content.decode()
    response = logged_in_client.post(url)

    assert "only way to sign in" in page
    assert response.status_code == 302
    assert Passkey.objects.exists()


@override_settings(AUTHSITE_ADMIN_REQUIRE_2FA=True)
def test_a_staff_members_last_second_factor_cannot_be_removed(make_user):
    staff = make_user("root", is_staff=True)
    give_passkey(staff)
    browser = Client()
    browser.force_login(staff)
    stored = Passkey.objects.get()

    browser.post(reverse("accounts:passkey_remove", args=[stored.pk]))
    assert Passkey.objects.exists()

    give_passkey(staff)
    browser.post(reverse("accounts:passkey_remove", args=[stored.pk]))
    assert Passkey.objects.count() == 1


# The admin ---------------------------------------------------------------------------


@override_settings(AUTHSITE_ADMIN_REQUIRE_2FA=True)
def test_a_passkey_satisfies_the_admins_two_factor_requirement(
    client, make_user, password
):
    staff = make_user("root", is_staff=True, is_superuser=True)
    authenticator = give_passkey(staff)
    start_password_sign_in(client, password, username="root")

    by_password = client.get(reverse("admin:index"))
    assert by_password.status_code == 302
    assert by_password.url.startswith(reverse("accounts:reauthenticate"))

    reauthenticate_with(client, authenticator, next_url="/admin/")
    assert client.get(reverse("admin:index")).status_code == 200

    other = Client()
    passkey_sign_in(other, authenticator)
    assert other.get(reverse("admin:index")).status_code == 200


def test_the_admin_lists_a_users_passkeys_without_their_keys_and_removes_them(
    client, make_user, user
):
    admin_user = make_user("root", is_staff=True, is_superuser=True)
    give_passkey(user)
    stored = Passkey.objects.get()
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[user.pk])

    page = client.get(url).content.decode()
    assert "Laptop" in page
    assert "public_key" not in page
    assert b64url(bytes(stored.public_key)) not in page

    form = client.get(url).context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if key in form.fields and value is not None and key != "password"
    }
    data.update(
        {
            "groups": [],
            "user_permissions": [],
            "sessions-TOTAL_FORMS": "0",
            "sessions-INITIAL_FORMS": "0",
            "passkeys-TOTAL_FORMS": "1",
            "passkeys-INITIAL_FORMS": "1",
            "passkeys-0-id": str(stored.pk),
            "passkeys-0-user": str(user.pk),
            "passkeys-0-DELETE": "on",
        }
    )
    data = {k: v for k, v in data.items() if v not in (None, False)}
    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not Passkey.objects.exists()
    event = AuthEvent.objects.get(event_type=Type.PASSKEY_REMOVED)
    assert event.detail["by"] == "admin"


# Accounts without a password ------------------------------------------------


@pytest.fixture
def passwordless(user, passkey):
    """Alice signs in with her passkey only: she has no usable password."""
    user.set_unusable_password()
    user.save()
    return user


def test_an_account_without_a_password_gets_a_reset_link_to_set_one(
    client, passwordless, link_in_mail
):
    mail.outbox.clear()
    client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
    [message] = mail.outbox
    link = link_in_mail(message, "/accounts/reset/")

    form = client.get(link, follow=True)
    new = "a-brand-new-passphrase"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )

    assert done.status_code == 302
    passwordless.refresh_from_db()
    assert passwordless.check_password(new)


def test_an_account_without_a_password_sets_one_without_an_old_one(
    client, passwordless, passkey
):
    passkey_sign_in(client, passkey)
    url = reverse("accounts:password_change")
    page = client.get(url).content.decode()
    assert 'name="old_password"' not in page

    new = "a-brand-new-passphrase"
    response = client.post(url, {"new_password1": new, "new_password2": new})

    assert response.status_code == 302
    passwordless.refresh_from_db()
    assert passwordless.check_password(new)
    assert signed_in_user_id(client) == str(passwordless.pk)


def test_an_account_without_a_password_confirms_its_you_with_a_passkey_only(
    client, passwordless, passkey, clock
):
    passkey_sign_in(client, passkey)
    clock.advance(minutes=6)

    page = client.get(reverse("accounts:reauthenticate")).content.decode()
    typed = client.post(reverse("accounts:reauthenticate"), {"password": ""})

    assert 'name="password"' not in page
    assert "Confirm with a passkey" in page
    assert typed.status_code == 200  # the form refuses; nothing is confirmed
    assert client.get(reverse("accounts:passkey_add")).status_code == 302
    assert reauthenticate_with(client, passkey).status_code == 200
    assert client.get(reverse("accounts:passkey_add")).status_code == 200


def test_an_account_without_a_password_deletes_itself_after_a_recent_passkey(
    client, passwordless, passkey, clock
):
    passkey_sign_in(client, passkey)
    clock.advance(minutes=6)
    url = reverse("accounts:account_delete")

    stale = client.post(url)
    assert stale.status_code == 302
    assert stale.url.startswith(reverse("accounts:reauthenticate"))
    reauthenticate_with(client, passkey, next_url=url)
    response = client.post(url)

    assert response.status_code == 302
    assert not type(passwordless).objects.exists()


# Sign-up with a passkey (PASSKEY_SIGNUP) --------------------------------------


def sign_up_with_passkey(client, authenticator, username="dana", **register):
    options = post_json(
        client,
        "signup_passkey_options",
        {"username": username, "email": f"{username}@example.com"},
    )
    if options.status_code != 200:
        return options
    credential = authenticator.register(
        options.json(), origin=register.pop("origin", origin()), **register
    )
    return post_json(client, "signup_passkey_verify", {"credential": credential})


def test_passkey_sign_up_is_off_by_default(client, db):
    assert client.get(reverse("accounts:signup_passkey")).status_code == 404
    assert post_json(client, "signup_passkey_options").status_code == 404
    assert "passkey" not in client.get(reverse("accounts:signup")).content.decode()


@override_settings(AUTHSITE_PASSKEY_SIGNUP=True)
def test_signing_up_with_a_passkey_makes_an_account_without_a_password(
    client, link_in_mail
):
    authenticator = SoftAuthenticator()
    assert (
        "Sign up with a passkey"
        in client.get(reverse("accounts:signup")).content.decode()
    )

    response = sign_up_with_passkey(client, authenticator)

    assert response.status_code == 200
    assert response.json() == {"redirect": reverse("accounts:signup_done")}
    dana = Passkey.objects.get().user
    assert (dana.username, dana.email) == ("dana", "dana@example.com")
    assert not dana.has_usable_password()
    assert signed_in_user_id(client) is None
    # Mandatory verification: the passkey signs in once the address is confirmed.
    assert passkey_sign_in(Client(), authenticator).status_code == 400
    [message] = mail.outbox
    browser = Client()
    browser.post(link_in_mail(message, "/accounts/verify-email/"))
    assert passkey_sign_in(browser, authenticator).status_code == 200
    assert signed_in_user_id(browser) == str(dana.pk)
    types = list(
        AuthEvent.objects.filter(user=dana)
        .order_by("pk")
        .values_list("event_type", flat=True)
    )
    assert types[:2] == [Type.SIGNUP, Type.PASSKEY_ADDED]
    assert types[-2:] == [Type.PASSKEY_USED, Type.LOGIN]


@override_settings(AUTHSITE_PASSKEY_SIGNUP=True, AUTHSITE_EMAIL_VERIFICATION="optional")
def test_without_mandatory_verification_a_passkey_sign_up_signs_in(client):
    response = sign_up_with_passkey(client, SoftAuthenticator(synced=True))

    assert response.json() == {"redirect": reverse("accounts:dashboard")}
    assert signed_in_user_id(client) == str(Passkey.objects.get().user_id)
    assert flow.authentication(client).methods == ("swk", "mfa")


@override_settings(AUTHSITE_PASSKEY_SIGNUP=True)
def test_a_passkey_sign_up_needs_user_verification(client):
    options = post_json(
        client, "signup_passkey_options", {"username": "dana", "email": "d@example.com"}
    ).json()
    assert options["authenticatorSelection"]["userVerification"] == "required"

    response = sign_up_with_passkey(client, SoftAuthenticator(), uv=False)

    assert response.status_code == 400
    assert not Passkey.objects.exists()
    assert not get_user_model().objects.exists()


@override_settings(AUTHSITE_PASSKEY_SIGNUP=True)
def test_a_passkey_sign_up_with_a_taken_username_is_told(client, user):
    response = sign_up_with_passkey(client, SoftAuthenticator(), username="Alice")

    assert response.status_code == 400
    assert "username already exists" in response.json()["error"]


@override_settings(AUTHSITE_PASSKEY_SIGNUP=True)
def test_a_passkey_sign_up_with_a_taken_address_looks_the_same_and_tells_its_owner(
    client, make_user
):
    make_user("owner", email="dana@example.com")
    mail.outbox.clear()

    response = sign_up_with_passkey(client, SoftAuthenticator())

    assert response.json() == {"redirect": reverse("accounts:signup_done")}
    assert not Passkey.objects.exists()
    [message] = mail.outbox
    assert message.to == ["dana@example.com"]


@override_settings(AUTHSITE_PASSKEY_SIGNUP=True)
def test_a_passkey_sign_up_answer_without_its_options_is_refused(client, db):
    options = {
        "rp": {"id": "localhost"},
        "user": {"id": b64url(b"x" * 32)},
        "challenge": b64url(b"y" * 32),
    }
    credential = SoftAuthenticator().register(options, origin=origin())

    response = post_json(client, "signup_passkey_verify", {"credential": credential})

    assert response.status_code == 400
    assert not Passkey.objects.exists()


def test_passkey_emails_and_refusals_are_in_the_language_of_the_page(client, user):
    korean = Client(HTTP_ACCEPT_LANGUAGE="ko")
    korean.force_login(user)

    add_passkey(korean, SoftAuthenticator())
    refused = post_json(
        Client(HTTP_ACCEPT_LANGUAGE="ko"), "passkey_login", {"credential": {}}
    )

    [message] = mail.outbox
    assert message.subject == "계정에 패스키가 추가되었습니다"
    assert "패스키" in message.body
    assert refused.json()["error"].startswith("이 패스키를 사용할 수 없습니다")
