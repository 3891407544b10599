"""The sign-in lockout in a real browser: strangers wait, the owner does not."""

import re

import pytest
from playwright.sync_api import expect

from .pages import header

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = re.compile(r"/accounts/login/$")
DASHBOARD = re.compile(r"/dashboard/$")


def submit_sign_in(page, password):
    """Submit the sign-in form for alice; return the POST's response."""
    page.get_by_label("Username or email").fill("alice")
    page.get_by_label("Password").fill(password)
    with page.expect_response(
        lambda response: (
            LOGIN.search(response.url) and response.request.method == "POST"
        )
    ) as posted:
        page.get_by_role("button", name="Sign in", exact=True).click()
    return posted.value


def test_five_wrong_passwords_lock_strangers_out_but_not_the_owners_browser(
    page, new_context, user, password, sign_in, check_page
):
    # The owner signed in from this browser before: it is a known device.
    owner = new_context().new_page()
    sign_in(owner, "alice", password)
    expect(owner).to_have_url(DASHBOARD)
    header(owner).get_by_role("button", name="Sign out").click()
    expect(owner).to_have_url(LOGIN)

    page.goto("/accounts/login/")
    for _ in range(4):
        assert submit_sign_in(page, "wrong-guess").status == 200
        expect(page.get_by_role("alert")).to_contain_text(
            "Please enter a correct username"
        )
    check_page(page, "login-wrong-password")

    locked = submit_sign_in(page, "wrong-guess")

    assert locked.status == 429
    assert locked.headers["retry-after"] == "900"
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Too many sign-in attempts"
    )
    expect(page.locator("main")).to_contain_text("Please try again in 15 minutes.")
    expect(page.get_by_role("link", name="Reset your password")).to_have_attribute(
        "href", "/accounts/password/reset/"
    )
    check_page(page, "locked-out")

    # The right password does not help a stranger while the lock lasts.
    page.goto("/accounts/login/")
    assert submit_sign_in(page, password).status == 429

    assert submit_sign_in(owner, password).status == 302
    expect(owner).to_have_url(DASHBOARD)
    expect(owner.get_by_role("heading", level=1)).to_have_text("Welcome, alice")

    page.get_by_role("link", name="Reset your password").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/$"))
