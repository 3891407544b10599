"""Every page of the site passes axe-core, in English and in Korean.

One walk through the site per language, as a superuser (so the admin's user
list is reachable; the test settings do not require two-factor for staff).
Every page is also saved as screenshots, 1280 and 360 px wide.
"""

import re
from datetime import timedelta

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import AuthEvent, LockoutCounter

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "another-long-passphrase"
NEWER_PASSWORD = "yet-another-long-passphrase"


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


def seed_security_events(root):
    """Some days of sign-ins, failures and a lock, for the admin's charts."""
    now = timezone.now()
    for days_ago, event_type, count in [
        (0, AuthEvent.Type.LOGIN, 3),
        (2, AuthEvent.Type.LOGIN, 5),
        (2, AuthEvent.Type.LOGIN_FAILED, 4),
        (9, AuthEvent.Type.LOCKOUT, 1),
    ]:
        for _ in range(count):
            AuthEvent.objects.create(
                event_type=event_type,
                user=root,
                ip_address="203.0.113.9",
                created_at=now - timedelta(days=days_ago),
                detail={"identifier": "root", "known_device": False},
            )
    LockoutCounter.objects.create(
        scope=LockoutCounter.Scope.ADDRESS,
        key="192.0.2.44",
        failures=10,
        locked_at=now,
        locked_until=now + timedelta(minutes=15),
        lockouts=1,
    )


def test_every_page_passes_axe(
    page, language, make_user, password, mailoutbox, link_in_mail, check_page
):
    root = make_user("root", is_staff=True, is_superuser=True)
    seed_security_events(root)

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
    visit("/admin/", "admin-index")
    visit("/admin/security/", "admin-security")
    page.locator("details summary").first.click()
    visit("", "admin-security-table")

    visit("/dashboard/", "dashboard")
    visit("/accounts/export/", "data-export")
    visit("/accounts/profile/", "profile")
    visit("/accounts/password/change/", "password-change")
    page.locator("[name=old_password]").fill(NEW_PASSWORD)
    page.locator("[name=new_password1]").fill(NEWER_PASSWORD)
    page.locator("[name=new_password2]").fill(NEWER_PASSWORD)
    submit(page)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator(".message-form button")).to_be_visible()
    visit("", "password-changed")
    visit("/dashboard/sessions/", "sessions")
    visit("/dashboard/activity/", "activity")
    visit("/accounts/reauthenticate/", "reauthenticate")
    visit("/accounts/two-factor/", "two-factor-off")
    visit("/accounts/two-factor/setup/", "two-factor-setup")
    secret = page.locator("code.secret").inner_text()
    page.locator("[name=code]").fill(pyotp.TOTP(re.sub(r"\s", "", secret)).now())
    submit(page)
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    recovery_code = page.locator(".recovery-codes li").first.inner_text().strip()
    visit("", "recovery-codes")
    visit("/accounts/two-factor/", "two-factor-on")
    visit("/accounts/two-factor/recovery-codes/", "recovery-codes-confirm")
    visit("/accounts/two-factor/disable/", "two-factor-disable")

    page.locator("header form button[type=submit]").click()
    sign_in(page, "root", NEWER_PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))
    visit("", "login-code")
    page.locator("[name=code]").fill(recovery_code)
    submit(page)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator(".message-warning")).to_be_visible()
    visit("", "recovery-code-used")
    page.locator("header form button[type=submit]").click()

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
