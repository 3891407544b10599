"""Signing up in a real browser: the emailed link, the first sign-in, sessions."""

import re

import pytest
from playwright.sync_api import expect

from .pages import field, header

pytestmark = pytest.mark.django_db(transaction=True)

DASHBOARD = re.compile(r"/dashboard/$")
SIGNED_OUT = re.compile(r"/accounts/login/(\?next=.*)?$")
NEW_PASSWORD = "a-fresh-passphrase-for-bob"


def fill_sign_up_form(page):
    field(page, "Username").fill("bob")
    field(page, "Email address").fill("bob@example.com")
    field(page, "Password").fill(NEW_PASSWORD)
    field(page, "Password confirmation").fill(NEW_PASSWORD)


def test_sign_up_confirm_sign_in_and_end_another_session(
    page, new_context, mailoutbox, link_in_mail, sign_in, check_page
):
    page.goto("/accounts/signup/")
    check_page(page, "signup")
    fill_sign_up_form(page)
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"/accounts/signup/done/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    check_page(page, "signup-done")

    # An unconfirmed account cannot sign in yet.
    sign_in(page, "bob", NEW_PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("confirm")
    expect(
        page.get_by_role("button", name="Send the confirmation link again")
    ).to_be_visible()
    check_page(page, "login-unconfirmed")

    [message] = mailoutbox
    assert message.to == ["bob@example.com"]
    page.goto(link_in_mail(message, "/accounts/verify-email/"))
    expect(
        page.get_by_text("Confirm that bob@example.com is your email")
    ).to_be_visible()
    check_page(page, "verify-email")
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("status")).to_contain_text("confirmed")
    check_page(page, "verify-email-done")

    sign_in(page, "bob", NEW_PASSWORD)
    expect(page).to_have_url(DASHBOARD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, bob")
    check_page(page, "dashboard-new-user")

    other = new_context().new_page()
    sign_in(other, "bob@example.com", NEW_PASSWORD)
    expect(other).to_have_url(DASHBOARD)

    page.get_by_role("link", name="Sessions").click()
    expect(page).to_have_url(re.compile(r"/dashboard/sessions/$"))
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="This device")).to_have_count(1)
    check_page(page, "sessions-two")

    other_row = rows.filter(has_not_text="This device")
    other_row.get_by_role("button", name="End session").click()

    expect(page.get_by_role("status")).to_be_visible()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("This device")
    check_page(page, "sessions-one")

    other.reload()
    expect(other).to_have_url(SIGNED_OUT)
    expect(other.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(
        other.get_by_text("this session was ended from another device")
    ).to_be_visible()
    check_page(other, "session-ended-elsewhere")

    header(page).get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(SIGNED_OUT)
    expect(page.get_by_role("status")).to_have_text("You have been signed out.")
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/dashboard/$"))


def test_sign_up_with_the_keyboard_alone(page, mailoutbox):
    page.goto("/accounts/signup/")

    # The first field has autofocus; Tab walks the fields in order.
    expect(field(page, "Username")).to_be_focused()
    page.keyboard.type("bob")
    for label, text in (
        ("Email address", "bob@example.com"),
        ("Password", NEW_PASSWORD),
        ("Password confirmation", NEW_PASSWORD),
    ):
        page.keyboard.press("Tab")
        expect(field(page, label)).to_be_focused()
        page.keyboard.type(text)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Create account")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/accounts/signup/done/$"))
    assert [message.to for message in mailoutbox] == [["bob@example.com"]]
