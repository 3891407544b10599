"""Signing in to Django admin in a real browser."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_member_signs_in_to_admin_and_sees_users(
    page, make_user, password, screenshot, axe
):
    make_user("root", is_staff=True, is_superuser=True)
    page.goto("/admin/")
    # The admin signs in through the site's own sign-in page (same lockout,
    # same two-factor step).
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/admin/$"))
    screenshot(page, "admin-login")
    axe(page)

    page.get_by_label("Username or email").fill("root")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page).to_have_url(re.compile(r"/admin/$"))
    page.get_by_role("link", name="Users").first.click()
    expect(page.get_by_role("link", name="root")).to_be_visible()
    screenshot(page, "admin-users")
    axe(page)
