"""Issue 17's pages in a real browser, in both languages, at 1280 and 360 px:
the browser's time zone proposed under the site's real CSP, Seoul times on
the account pages, every password problem at once, and the dead ends."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.lifecycle.tokens import email_verification_token
from accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["en", "ko"])
def language(request, context, live_server):
    context.add_cookies(
        [{"name": "django_language", "value": request.param, "url": live_server.url}]
    )
    return request.param


def submit(page):
    page.locator("main form button[type=submit]").first.click()


def sign_in(page, login, password):
    page.goto("/accounts/login/")
    page.locator("[name=username]").fill(login)
    page.locator("[name=password]").fill(password)
    submit(page)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def test_the_browser_proposes_its_time_zone_under_the_real_csp(
    browser, live_server, user, password
):
    # No bypass_csp: the script must run under the site's own policy.
    context = browser.new_context(
        base_url=live_server.url, timezone_id="Asia/Seoul", locale="ko-KR"
    )
    page = context.new_page()
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    try:
        with page.expect_response(
            lambda response: response.url.endswith("/accounts/time-zone/")
        ) as proposed:
            sign_in(page, "alice", password)
        assert proposed.value.status == 204
        user.refresh_from_db()
        assert user.time_zone == "Asia/Seoul"

        page.goto("/dashboard/")
        expect(page.locator("dd time").first).to_contain_text("KST")
        assert page.locator("script[src*='time-zone.js']").count() == 0
        assert refused == []
    finally:
        context.close()


def test_issue_17_pages_pass_axe(page, language, make_user, password, check_page):
    make_user("alice", time_zone="Asia/Seoul")
    make_user("carol", email_verified=False)
    zone = "KST"

    def visit(path, name):
        if path:
            page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        check_page(page, f"issue17-{name}-{language}")

    # Every password problem at once, under the field it concerns.
    page.goto("/accounts/signup/")
    page.locator("[name=username]").fill("dave")
    page.locator("[name=email]").fill("dave@example.com")
    page.locator("[name=password1]").fill("123456")
    page.locator("[name=password2]").fill("1234567")
    submit(page)
    expect(page.locator("#id_password1_error li")).to_have_count(3)
    expect(page.locator("#id_password2_error li")).to_have_count(1)
    visit("", "signup-password-errors")

    # Dead ends.
    carol = User.objects.get(username="carol")
    confirm = reverse(
        "accounts:verify_email", args=[email_verification_token.make_token(carol)]
    )
    page.goto(confirm)
    submit(page)
    visit(confirm, "email-confirmed-already")
    expect(page.locator("main a[href='/accounts/login/']")).to_be_visible()
    visit("/accounts/not-me/garbage/", "not-me-invalid")
    expect(page.locator("main .actions a")).to_have_count(2)

    sign_in(page, "alice", password)
    visit("/dashboard/", "dashboard")
    expect(page.locator("dd time").first).to_contain_text(zone)
    visit("/accounts/profile/", "profile")
    expect(page.locator("#id_time_zone")).to_have_value("Asia/Seoul")
    visit("/dashboard/sessions/", "sessions")
    expect(page.locator("table.sessions time").first).to_have_attribute(
        "title", re.compile(zone)
    )
    visit("/dashboard/activity/", "activity")
    expect(page.locator("table.activity time").first).to_have_attribute(
        "title", re.compile(zone)
    )
    page.goto("/accounts/password/change/")
    page.locator("[name=old_password]").fill(password)
    page.locator("[name=new_password1]").fill("123456")
    page.locator("[name=new_password2]").fill("654321")
    submit(page)
    expect(page.locator("#id_new_password1_error li")).to_have_count(3)
    visit("", "password-change-errors")
