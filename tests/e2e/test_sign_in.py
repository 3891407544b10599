"""Signing in and out in a real browser, by mouse and by keyboard alone."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

DASHBOARD = re.compile(r"/dashboard/$")
LOGIN = re.compile(r"/accounts/login/$")


def test_sign_in_by_username_reaches_dashboard_then_sign_out(
    page, user, password, sign_in, screenshot, axe
):
    page.goto("/accounts/login/")
    screenshot(page, "login")
    axe(page)

    sign_in(page, "alice", password)

    expect(page).to_have_url(DASHBOARD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, alice")
    expect(page.get_by_text("alice@example.com", exact=True)).to_be_visible()
    screenshot(page, "dashboard")
    axe(page)

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(LOGIN)
    expect(page.get_by_role("status")).to_have_text("You have been signed out.")
    screenshot(page, "signed-out")
    axe(page)
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/dashboard/$"))


def test_sign_in_by_email_in_any_case_reaches_dashboard(page, user, password, sign_in):
    sign_in(page, "ALICE@Example.com", password)

    expect(page).to_have_url(DASHBOARD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, alice")


def test_wrong_password_error_is_announced_and_tied_to_the_inputs(
    page, user, sign_in, screenshot, axe
):
    sign_in(page, "alice", "not-the-password")

    expect(page).to_have_url(LOGIN)
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(
        "Please enter a correct username or email address and password."
    )
    alert_id = alert.get_attribute("id")
    for label in ("Username or email", "Password"):
        field = page.get_by_label(label)
        expect(field).to_have_attribute(
            "aria-describedby", re.compile(rf"\b{alert_id}\b")
        )
        expect(field).to_have_accessible_description(
            re.compile("Please enter a correct username")
        )
    screenshot(page, "login-error")
    axe(page)


def test_sign_in_and_out_with_the_keyboard_alone(page, user, password):
    page.goto("/accounts/login/")

    # The field has autofocus: a keyboard user starts typing at once.
    expect(page.get_by_label("Username or email")).to_be_focused()
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")

    expect(page).to_have_url(DASHBOARD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, alice")

    # On a page without autofocus the first Tab stop is the skip link.
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    sign_out = page.get_by_role("button", name="Sign out")
    for _ in range(5):
        page.keyboard.press("Tab")
        if sign_out.evaluate("button => button === document.activeElement"):
            break
    expect(sign_out).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(LOGIN)
    expect(page.get_by_role("status")).to_have_text("You have been signed out.")
