"""Resetting a forgotten password in a real browser, from the emailed link."""

import re

import pytest
from playwright.sync_api import expect

from .pages import field

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a-brand-new-passphrase"


def test_reset_link_sets_a_new_password_and_retires_the_old_one(
    page, user, password, mailoutbox, link_in_mail, sign_in, check_page
):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/$"))
    check_page(page, "password-reset")

    field(page, "Email").fill("Alice@Example.com")
    page.get_by_role("button", name="Send reset link").click()

    expect(page).to_have_url(re.compile(r"/accounts/password/reset/done/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    check_page(page, "password-reset-done")

    [message] = mailoutbox
    assert message.to == ["alice@example.com"]
    page.goto(link_in_mail(message, "/accounts/reset/"))

    # Django swaps the token in the address for a session-held one.
    expect(page).to_have_url(re.compile(r"/accounts/reset/[^/]+/set-password/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    check_page(page, "password-reset-confirm")
    field(page, "New password").fill(NEW_PASSWORD)
    field(page, "New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()

    expect(page).to_have_url(re.compile(r"/accounts/reset/done/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")
    check_page(page, "password-reset-complete")

    # The link works once.
    page.goto(link_in_mail(message, "/accounts/reset/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This link cannot be used"
    )
    check_page(page, "password-reset-link-used")

    sign_in(page, "alice", password)
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username")

    sign_in(page, "alice", NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, alice")
