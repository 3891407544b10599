"""Switching the site to Korean in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from .pages import field, header

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
    page.get_by_role("button", name="로그인", exact=True).click()

    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("link", name="대시보드")).to_be_visible()
    screenshot(page, "dashboard-ko")
    axe(page)


def test_korean_chosen_on_the_sign_in_page_carries_through_the_site(
    page, user, password, check_page
):
    page.goto("/accounts/login/")
    page.get_by_label("Language").select_option("ko")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")

    page.get_by_role("link", name="계정 만들기").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("heading", level=1)).to_have_text("계정 만들기")
    expect(field(page, "사용자 이름")).to_be_visible()
    expect(field(page, "이메일 주소")).to_be_visible()
    expect(page.get_by_role("button", name="가입하기")).to_be_visible()
    check_page(page, "signup-ko")

    page.get_by_role("link", name="로그인").last.click()
    page.get_by_label("사용자 이름 또는 이메일").fill("alice")
    page.get_by_label("비밀번호").fill(password)
    page.get_by_role("button", name="로그인", exact=True).click()

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("heading", level=1)).to_have_text("alice님, 환영합니다")
    expect(page.get_by_role("navigation", name="내 계정")).to_be_visible()

    page.get_by_role("link", name="비밀번호", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/password/change/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("heading", level=1)).to_have_text("비밀번호 변경")
    expect(page.get_by_role("button", name="비밀번호 변경")).to_be_visible()
    expect(header(page).get_by_role("button", name="로그아웃")).to_be_visible()
    check_page(page, "password-change-ko")
