"""Switching the site to Korean in a real browser."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_language_switch_to_korean_translates_the_page_and_sticks(
    page, user, password, screenshot, axe
):
    page.goto("/accounts/login/")

    page.get_by_label("Language").select_option("ko")
    page.get_by_role("button", name="Change").click()

    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("heading", level=1)).to_have_text("로그인")
    screenshot(page, "login-ko")
    axe(page)

    page.get_by_label("사용자 이름 또는 이메일").fill("alice")
    page.get_by_label("비밀번호").fill(password)
    page.get_by_role("button", name="로그인").click()

    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("link", name="대시보드")).to_be_visible()
    screenshot(page, "dashboard-ko")
    axe(page)
