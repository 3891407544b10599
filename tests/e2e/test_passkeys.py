"""Passkeys in a real browser: Chromium's virtual authenticator (DevTools).

``WebAuthn.addVirtualAuthenticator`` gives each tab a platform authenticator
(CTAP2, internal transport, resident keys) that answers without a person;
``isUserVerified`` says whether it reports the user as verified. The live
server is reached as ``localhost`` (an IP address cannot be a relying-party
ID), and ``SITE_URL`` is set to it so the RP ID and origin match.

Chromium's virtual authenticator answers a conditional (autofill) request at
once, as if the person had picked the passkey from the username field's
list: ``test_passkey_autofill_signs_in_from_the_username_field`` shows that.
Every other test first makes the tab a browser without passkey autofill
(``isConditionalMediationAvailable`` answers false), so the sign-in page
waits for the "Sign in with a passkey" button.
"""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from playwright.sync_api import expect

from accounts.models import AuthEvent, Passkey

from .conftest import HEIGHT, WIDE
from .pages import field, header

pytestmark = pytest.mark.django_db(transaction=True)

DASHBOARD = re.compile(r"/dashboard/$")
LOGIN = re.compile(r"/accounts/login/$")
PASSKEYS = re.compile(r"/accounts/passkeys/$")


@pytest.fixture(autouse=True)
def site_url(settings, live_server):
    """The relying party is the live server: RP ID ``localhost``, its origin."""
    assert live_server.url.startswith("http://localhost:")
    settings.AUTHSITE_SITE_URL = live_server.url
    return live_server.url


NO_AUTOFILL = (
    "if (window.PublicKeyCredential) {"
    " PublicKeyCredential.isConditionalMediationAvailable ="
    " () => Promise.resolve(false); }"
)


class VirtualAuthenticator:
    """One virtual platform authenticator attached to one tab."""

    def __init__(
        self, page, *, user_verified=True, user_verification=True, autofill=False
    ):
        if not autofill:
            page.add_init_script(NO_AUTOFILL)
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("WebAuthn.enable", {"enableUI": False})
        self.id = self.cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": True,
                    "hasUserVerification": user_verification,
                    "isUserVerified": user_verified,
                    "automaticPresenceSimulation": True,
                }
            },
        )["authenticatorId"]

    def set_user_verified(self, verified: bool):
        self.cdp.send(
            "WebAuthn.setUserVerified",
            {"authenticatorId": self.id, "isUserVerified": verified},
        )

    def credentials(self):
        return self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.id})[
            "credentials"
        ]


def strict_page(browser, live_server):
    """A tab that keeps the site's Content-Security-Policy (no axe injected)."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": WIDE, "height": HEIGHT}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return context, page, errors


def sign_out(page):
    header(page).get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(LOGIN)


def add_passkey(page, name="This laptop"):
    page.goto("/accounts/passkeys/")
    page.get_by_role("link", name="Add a passkey").click()
    field(page, "Name").fill(name)
    page.get_by_role("button", name="Add passkey").click()
    expect(page).to_have_url(PASSKEYS)
    expect(page.get_by_role("cell", name=name, exact=True)).to_be_visible()


def sign_in_with_passkey(page):
    page.goto("/accounts/login/")
    page.get_by_role("button", name=re.compile("passkey")).click()


def test_add_a_passkey_sign_out_and_sign_in_with_it_under_the_strict_csp(
    browser, live_server, user, password, sign_in
):
    context, page, console_errors = strict_page(browser, live_server)
    try:
        authenticator = VirtualAuthenticator(page)
        sign_in(page, "alice", password)
        expect(page).to_have_url(DASHBOARD)
        page.get_by_role("link", name="Passkeys").click()
        expect(page.get_by_text("You have no passkeys yet.")).to_be_visible()

        add_passkey(page)
        expect(page.get_by_text("Passkey “This laptop” added.")).to_be_visible()
        [credential] = authenticator.credentials()
        assert credential["isResidentCredential"]
        sign_out(page)

        sign_in_with_passkey(page)
        expect(page).to_have_url(DASHBOARD)
        expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, alice")
        page.goto("/accounts/passkeys/")
        expect(page.get_by_role("cell", name="Never")).to_have_count(0)
        assert not [e for e in console_errors if "Content Security Policy" in e]
    finally:
        context.close()
    events = set(AuthEvent.objects.values_list("event_type", flat=True))
    assert {"passkey_added", "passkey_used"} <= events


def test_passkey_autofill_signs_in_from_the_username_field(
    page, user, password, sign_in
):
    VirtualAuthenticator(page, autofill=True)
    sign_in(page, "alice", password)
    add_passkey(page)
    header(page).get_by_role("button", name="Sign out").click()

    # The sign-in page asks for passkeys with conditional mediation; the
    # virtual authenticator picks Alice's from the autofill list.
    expect(page).to_have_url(DASHBOARD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, alice")
    assert AuthEvent.objects.filter(event_type="passkey_used").count() == 1


def test_keyboard_only_adds_a_passkey_and_signs_in_with_it(
    page, user, password, sign_in
):
    VirtualAuthenticator(page)
    sign_in(page, "alice", password)
    page.goto("/accounts/passkeys/add/")
    field(page, "Name").focus()
    page.keyboard.press("Control+a")
    page.keyboard.type("Keyboard key")
    page.keyboard.press("Enter")
    expect(page).to_have_url(PASSKEYS)
    sign_out(page)

    page.goto("/accounts/login/")
    button = page.get_by_role("button", name="Sign in with a passkey")
    button.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(DASHBOARD)


def test_a_passkey_answers_the_code_step_of_a_two_factor_account(
    page, user, password, sign_in, check_page
):
    # A security key without a PIN: it proves possession, not the person.
    VirtualAuthenticator(page, user_verification=False, user_verified=False)
    sign_in(page, "alice", password)
    add_passkey(page, "Security key")
    TOTPDevice.objects.create(user=user, name="app", key=random_hex(20), confirmed=True)
    sign_out(page)

    sign_in(page, "alice", password)
    expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))
    check_page(page, "passkey-login-code")
    page.get_by_role("button", name="Use a passkey instead").click()
    expect(page).to_have_url(DASHBOARD)


def test_reauthentication_by_passkey(page, user, password, sign_in, clock, check_page):
    VirtualAuthenticator(page)
    sign_in(page, "alice", password)
    add_passkey(page)
    clock.advance(minutes=6)

    page.goto("/accounts/password/change/")
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next="))
    check_page(page, "passkey-reauthenticate")
    page.get_by_role("button", name="Confirm with a passkey").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/change/$"))


def test_a_removed_passkey_is_useless(page, user, password, sign_in, check_page):
    authenticator = VirtualAuthenticator(page)
    sign_in(page, "alice", password)
    add_passkey(page)
    page.get_by_role("link", name="Remove This laptop").click()
    check_page(page, "passkey-remove")
    page.get_by_role("button", name="Remove passkey").click()
    expect(page.get_by_text("Passkey “This laptop” removed.")).to_be_visible()
    assert not Passkey.objects.exists()
    sign_out(page)

    # The authenticator still holds it; the site no longer knows it.
    assert len(authenticator.credentials()) == 1
    sign_in_with_passkey(page)
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(re.compile("That passkey could not be used"))
    expect(page).to_have_url(LOGIN)


def test_an_authenticator_without_user_verification_cannot_sign_in_alone(
    page, user, password, sign_in, check_page
):
    authenticator = VirtualAuthenticator(page)
    sign_in(page, "alice", password)
    add_passkey(page)
    sign_out(page)
    authenticator.set_user_verified(False)

    sign_in_with_passkey(page)

    expect(page.get_by_role("alert")).not_to_be_empty()
    expect(page).to_have_url(LOGIN)
    check_page(page, "passkey-login-refused")
    assert (
        not AuthEvent.objects.filter(event_type="login")
        .exclude(detail__methods=["pwd"])
        .exists()
    )


def test_a_passkey_of_one_account_never_signs_in_another(
    new_context, make_user, password, sign_in
):
    make_user("alice")
    bob = make_user("bob")
    alice_page = new_context().new_page()
    VirtualAuthenticator(alice_page)
    sign_in(alice_page, "alice", password)
    add_passkey(alice_page, "Alice's laptop")
    sign_out(alice_page)
    bob_page = new_context().new_page()
    VirtualAuthenticator(bob_page)
    sign_in(bob_page, "bob", password)
    add_passkey(bob_page, "Bob's phone")
    TOTPDevice.objects.create(user=bob, name="app", key=random_hex(20), confirmed=True)

    # Bob half signed in (password, code due) in Alice's browser: only Bob's
    # passkey may finish it, and Alice's authenticator does not hold it.
    sign_in(alice_page, "bob", password)
    expect(alice_page).to_have_url(re.compile(r"/accounts/login/code/$"))
    alice_page.get_by_role("button", name="Use a passkey instead").click()
    expect(alice_page.get_by_role("alert")).not_to_be_empty()
    expect(alice_page).to_have_url(re.compile(r"/accounts/login/code/$"))

    # Signing in with Alice's passkey signs in Alice, whoever was named.
    sign_in_with_passkey(alice_page)
    expect(alice_page).to_have_url(DASHBOARD)
    expect(alice_page.get_by_role("heading", level=1)).to_have_text("Welcome, alice")
    assert (
        not AuthEvent.objects.filter(event_type="login", user=bob)
        .exclude(detail__methods=["pwd"])
        .exists()
    )


@pytest.mark.parametrize("language", ["en", "ko"])
def test_passkey_pages_pass_axe_in_both_languages(
    context, page, live_server, user, password, sign_in, check_page, language
):
    VirtualAuthenticator(page)
    sign_in(page, "alice", password)
    add_passkey(page)
    context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    passkey = Passkey.objects.get()
    for path, name in [
        ("/accounts/passkeys/", "passkeys"),
        ("/accounts/passkeys/add/", "passkey-add"),
        (f"/accounts/passkeys/{passkey.pk}/rename/", "passkey-rename"),
        (f"/accounts/passkeys/{passkey.pk}/remove/", "passkey-remove"),
    ]:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        check_page(page, f"{name}-{language}")
    page.locator("form[action$='/remove/'] button[type=submit]").click()
    expect(page).to_have_url(PASSKEYS)
    check_page(page, f"passkeys-empty-{language}")
    header(page).locator("button[type=submit]").click()
    page.goto("/accounts/login/")
    label = "Sign in with a passkey" if language == "en" else "패스키로 로그인"
    expect(page.get_by_role("button", name=label)).to_be_visible()
    check_page(page, f"passkey-login-{language}")


@pytest.mark.parametrize("language", ["en", "ko"])
def test_sign_up_with_a_passkey_then_sign_in_with_it_and_set_a_password(
    context, page, live_server, settings, mailoutbox, link_in_mail, check_page, language
):
    settings.AUTHSITE_PASSKEY_SIGNUP = True
    context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    authenticator = VirtualAuthenticator(page)
    page.goto("/accounts/signup/")
    page.locator("a[href='/accounts/signup/passkey/']").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/passkey/$"))
    check_page(page, f"signup-passkey-{language}")
    page.locator("[name=username]").fill("dana")
    page.locator("[name=email]").fill("dana@example.com")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/done/$"))
    [credential] = authenticator.credentials()
    assert credential["isResidentCredential"]

    [message] = mailoutbox
    page.goto(link_in_mail(message, "/accounts/verify-email/"))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(LOGIN)
    page.locator("[data-passkey] button").click()
    expect(page).to_have_url(DASHBOARD)

    # No password yet: the Password tab sets a first one, no old one asked.
    page.goto("/accounts/password/change/")
    expect(page.locator("[name=old_password]")).to_have_count(0)
    page.locator("[name=new_password1]").fill("a-brand-new-passphrase")
    page.locator("[name=new_password2]").fill("a-brand-new-passphrase")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(DASHBOARD)
    dana = Passkey.objects.get().user
    assert dana.check_password("a-brand-new-passphrase")
