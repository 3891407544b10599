"""Every page of the site passes axe-core, in English and in Korean.

One walk through the site per language, as a superuser (so the admin's user
list is reachable; the test settings do not require two-factor for staff).
Every page is also saved as screenshots, 1280 and 360 px wide.
"""

import re

import pyotp
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "another-long-passphrase"


@pytest.fixture(params=["en", "ko"])
def language(request, context, live_server):
    """Browse in this language, as the footer's switcher would leave it."""
    context.add_cookies(
        [{"name": "django_language", "value": request.param, "url": live_server.url}]
    )
    return request.param


def submit(page):
    """Click the main form's submit button, whatever its language."""
    page.locator("main form button[type=submit]").first.click()


def sign_in(page, login, password):
    page.goto("/accounts/login/")
    page.locator("[name=username]").fill(login)
    page.locator("[name=password]").fill(password)
    submit(page)


def test_every_page_passes_axe(
    page, language, make_user, password, mailoutbox, link_in_mail, check_page
):
    make_user("root", is_staff=True, is_superuser=True)

    def visit(path_or_pattern, name):
        if path_or_pattern.startswith("/"):
            page.goto(path_or_pattern)
        expect(page.locator("html")).to_have_attribute("lang", language)
        check_page(page, f"a11y-{name}-{language}")

    visit("/accounts/login/", "login")
    visit("/accounts/signup/", "signup")
    # The sign-up form with its errors shown.
    page.locator("[name=username]").fill("root")
    page.locator("[name=password1]").fill("short")
    submit(page)
    expect(page.locator(".errorlist").first).to_be_visible()
    visit("", "signup-errors")
    visit("/accounts/signup/done/", "signup-done")
    visit("/accounts/verify-email/resend/", "resend-verification")

    visit("/accounts/password/reset/", "password-reset")
    page.locator("[name=email]").fill("root@example.com")
    submit(page)
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/done/$"))
    visit("", "password-reset-done")
    [message] = mailoutbox
    page.goto(link_in_mail(message, "/accounts/reset/"))
    expect(page).to_have_url(re.compile(r"/set-password/$"))
    visit("", "password-reset-confirm")
    page.locator("[name=new_password1]").fill(NEW_PASSWORD)
    page.locator("[name=new_password2]").fill(NEW_PASSWORD)
    submit(page)
    expect(page).to_have_url(re.compile(r"/accounts/reset/done/$"))
    visit("", "password-reset-complete")

    visit("/no-such-page/", "404")

    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/admin/$"))
    visit("", "admin-login")
    page.locator("[name=username]").fill("root")
    page.locator("[name=password]").fill(NEW_PASSWORD)
    submit(page)
    expect(page).to_have_url(re.compile(r"/admin/$"))
    visit("/admin/accounts/user/", "admin-users")

    visit("/dashboard/", "dashboard")
    visit("/accounts/profile/", "profile")
    visit("/accounts/password/change/", "password-change")
    visit("/dashboard/sessions/", "sessions")
    visit("/dashboard/activity/", "activity")
    visit("/accounts/reauthenticate/", "reauthenticate")
    visit("/accounts/two-factor/", "two-factor-off")
    visit("/accounts/two-factor/setup/", "two-factor-setup")
    secret = page.locator("code.secret").inner_text()
    page.locator("[name=code]").fill(pyotp.TOTP(re.sub(r"\s", "", secret)).now())
    submit(page)
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    visit("", "recovery-codes")
    visit("/accounts/two-factor/", "two-factor-on")
    visit("/accounts/two-factor/recovery-codes/", "recovery-codes-confirm")
    visit("/accounts/two-factor/disable/", "two-factor-disable")

    page.locator("header form button[type=submit]").click()
    sign_in(page, "root", NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))
    visit("", "login-code")

    # Last, since it locks this address out for unknown names.
    for _ in range(4):
        sign_in(page, "nobody", "wrong-guess")
    with page.expect_response(
        lambda response: (
            response.request.method == "POST"
            and response.url.endswith("/accounts/login/")
        )
    ) as locked:
        sign_in(page, "nobody", "wrong-guess")
    assert locked.value.status == 429
    visit("", "locked-out")
