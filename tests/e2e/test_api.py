"""The API's browsable docs and the single-page example, in a real browser,
under the site's real Content-Security-Policy (these contexts do not bypass
it): any violation Chromium reports fails the test."""

import json

import pyotp
import pytest
from playwright.sync_api import expect

from tests.api import AppClient, turn_on_two_factor

from .conftest import HEIGHT, WIDE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def strict_page(browser, live_server):
    """A tab that obeys the CSP, and the policy violations it reported."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": WIDE, "height": HEIGHT}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and page.violations.append(message.text)
        ),
    )
    yield page
    context.close()


def test_the_api_docs_render_from_local_files_under_the_csp(strict_page):
    requests = []
    strict_page.on("request", lambda request: requests.append(request.url))

    strict_page.goto("/api/docs/")

    expect(strict_page.get_by_text("authsite API").first).to_be_visible()
    expect(
        strict_page.get_by_text("/api/app/v1/auth/login", exact=True).first
    ).to_be_visible()
    # An open operation draws its icons; "Try it out" calls the API.
    operation = strict_page.locator("#operations-Authentication-browser_config")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    live = operation.locator(".live-responses-table td.response-col_status")
    expect(live.filter(has_text="200")).to_be_visible()
    assert strict_page.violations == []
    origin = strict_page.url.split("/api/")[0]
    assert all(url.startswith(origin) for url in requests), requests


def test_the_spa_example_signs_in_shows_the_sessions_and_signs_out(
    strict_page, user, password, settings
):
    settings.DEBUG = True  # the example is served in development only
    page = strict_page

    page.goto("/examples/spa/")
    page.get_by_label("Username or email").fill("alice")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Signed in as alice")).to_be_visible()
    expect(page.locator("#sessions li.current")).to_contain_text("(this browser)")
    page.reload()  # the session cookie carries over
    expect(page.get_by_role("heading", name="Signed in as alice")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You have been signed out.")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.violations == []


def test_the_spa_example_asks_for_the_code_with_two_factor(
    strict_page, user, password, settings, clock
):
    settings.DEBUG = True
    app = AppClient()
    app.login()
    totp, _codes = turn_on_two_factor(app)
    clock.advance(seconds=30)
    page = strict_page

    page.goto("/examples/spa/")
    page.get_by_label("Username or email").fill("alice")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Authentication code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("status")).to_contain_text("not valid")
    clock.advance(seconds=5)
    page.get_by_label("Authentication code").fill(pyotp.TOTP(totp.secret).now())
    page.get_by_role("button", name="Verify").click()

    expect(page.get_by_role("heading", name="Signed in as alice")).to_be_visible()
    expect(page.locator("#sessions li")).to_have_count(2)  # the app too
    assert page.violations == []


def test_the_spa_example_is_not_served_without_debug(page, settings):
    settings.DEBUG = False

    assert page.goto("/examples/spa/").status == 404


def test_try_it_out_signs_in_through_the_browser_client_with_the_csrf_token(
    strict_page, user, password
):
    strict_page.goto("/api/docs/")
    operation = strict_page.locator("#operations-Authentication-browser_login")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.locator("textarea.body-param__text").fill(
        json.dumps({"username": "alice", "password": password})
    )
    operation.get_by_role("button", name="Execute").click()

    live = operation.locator(".live-responses-table td.response-col_status")
    expect(live.filter(has_text="200")).to_be_visible()
    assert strict_page.violations == []


def test_the_spa_example_passes_the_accessibility_check(
    page, user, password, settings, axe
):
    settings.DEBUG = True
    page.goto("/examples/spa/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    axe(page)

    page.get_by_label("Username or email").fill("alice")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Signed in as alice")).to_be_visible()
    axe(page)
