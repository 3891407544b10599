"""Two-factor sign-in in a real browser, with an independent TOTP app (pyotp)."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from .pages import field, header

pytestmark = pytest.mark.django_db(transaction=True)

DASHBOARD = re.compile(r"/dashboard/$")
CODE_STEP = re.compile(r"/accounts/login/code/$")


def sign_out(page):
    header(page).get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def test_two_factor_setup_then_sign_in_with_a_recovery_code_and_an_app_code(
    page, user, password, sign_in, check_page, clock
):
    # The live server shares this process's clock: moving it to the next
    # 30-second step stands in for waiting for the authenticator app.
    sign_in(page, "alice", password)
    page.get_by_role("link", name="Two-factor", exact=True).click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Off")
    check_page(page, "two-factor-off")

    page.get_by_role("link", name="Set up two-factor authentication").click()
    expect(page.locator(".qr svg")).to_be_visible()
    expect(page.get_by_role("link", name="Two-factor", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    check_page(page, "two-factor-setup")
    secret = page.locator("code.secret").inner_text()
    app = pyotp.TOTP(re.sub(r"\s", "", secret))
    field(page, "Code from the app").fill(app.at(clock.time()))
    page.get_by_role("button", name="Turn on").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.locator(".recovery-codes li").all_inner_texts()
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z0-9]{5}-[a-z0-9]{5}", code) for code in codes)
    expect(page.get_by_role("link", name="Download as text")).to_have_attribute(
        "download", "authsite-recovery-codes.txt"
    )
    check_page(page, "two-factor-recovery-codes")
    page.get_by_role("link", name="I have saved them").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("On")
    expect(page.get_by_text("You have 10 unused recovery codes.")).to_be_visible()
    check_page(page, "two-factor-on")
    sign_out(page)

    # The password alone does not sign in: a recovery code finishes it.
    sign_in(page, "alice", password)
    expect(page).to_have_url(CODE_STEP)
    check_page(page, "login-code")
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/dashboard/$"))
    sign_in(page, "alice", password)
    field(page, "Authentication code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(DASHBOARD)
    page.get_by_role("link", name="Two-factor", exact=True).click()
    expect(page.get_by_text("You have 9 unused recovery codes.")).to_be_visible()
    sign_out(page)

    # The setup code's time step is spent; the app's next code signs in.
    sign_in(page, "alice", password)
    field(page, "Authentication code").fill(app.at(clock.time()))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(CODE_STEP)
    expect(page.get_by_role("alert")).to_be_visible()
    check_page(page, "login-code-error")
    clock.advance(seconds=app.interval)
    field(page, "Authentication code").fill(app.at(clock.time()))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(DASHBOARD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, alice")
