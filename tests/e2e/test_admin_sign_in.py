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


def test_a_user_without_admin_access_is_told_so_and_signs_out_from_there(
    page, make_user, password, sign_in, check_page
):
    # It was an endless redirect loop between the admin and the sign-in page.
    make_user("alice")
    make_user("root", is_staff=True, is_superuser=True)
    sign_in(page, "alice", password)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    response = page.goto("/admin/")

    assert response.status == 403
    expect(page.get_by_role("heading", name="No admin access")).to_be_visible()
    check_page(page, "admin-no-access")
    page.get_by_role("button", name="Sign out and sign in again").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/admin/$"))

    page.get_by_label("Username or email").fill("root")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
