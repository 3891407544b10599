"""Signing in to another app in a real browser: consent, then connected apps.

An app (the wiki) sends the browser to ``/o/authorize/``; the person signs
in on the site's page, sees the consent page naming the app and what it
asks for, allows it and lands back at the app (intercepted here: the wiki
does not exist). The app exchanges its code for tokens; then the person
removes its access on ``/dashboard/apps/`` and the app's refresh token stops
working. Every page is checked with axe-core and screenshotted, in English
and in Korean.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from playwright.sync_api import expect

from ..oidc import REDIRECT_URI, Request

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["en", "ko"])
def language(request, context, live_server):
    context.add_cookies(
        [{"name": "django_language", "value": request.param, "url": live_server.url}]
    )
    return request.param


@pytest.fixture
def wiki_callbacks(context):
    """The wiki's callback: the browser lands there, the test reads the code."""
    context.route(
        f"{REDIRECT_URI}**",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            body="<!doctype html><title>Wiki</title><p>Signed in.</p>",
        ),
    )


def test_consent_then_removing_access_on_the_connected_apps_page(
    page,
    language,
    live_server,
    wiki_callbacks,
    make_user,
    make_app,
    password,
    sign_in,
    check_page,
):
    make_user("alice")
    app = make_app("Wiki")
    request = Request(app)

    page.goto(request.url)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.locator("[name=username]").fill("alice")
    page.locator("[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()

    heading = {"en": "Sign in to Wiki?", "ko": "Wiki에 로그인하시겠습니까?"}[language]
    expect(page.locator("h1")).to_have_text(heading)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("ul.scopes li")).to_have_count(3)
    check_page(page, f"oidc-consent-{language}")

    page.locator("button[name=allow]").click()
    expect(page).to_have_url(re.compile(re.escape(REDIRECT_URI) + r"\?code="))
    params = parse_qs(urlsplit(page.url).query)
    assert params["state"] == [request.state]
    tokens = requests.post(
        live_server.url + "/o/token/",
        data={
            "grant_type": "authorization_code",
            "code": params["code"][0],
            "redirect_uri": REDIRECT_URI,
            "client_id": app.client_id,
            "code_verifier": request.verifier,
        },
        timeout=30,
    ).json()
    assert "refresh_token" in tokens, tokens

    page.goto("/dashboard/apps/")
    expect(page.locator("table.connected-apps tbody tr")).to_have_count(1)
    expect(page.locator("table.connected-apps")).to_contain_text("Wiki")
    check_page(page, f"oidc-connected-apps-{language}")

    page.locator("table.connected-apps button[type=submit]").click()
    expect(page.locator("table.connected-apps")).to_have_count(0)
    expect(page.locator(".messages")).to_contain_text("Wiki")
    check_page(page, f"oidc-connected-apps-none-{language}")
    refreshed = requests.post(
        live_server.url + "/o/token/",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": app.client_id,
        },
        timeout=30,
    )
    assert refreshed.json()["error"] == "invalid_grant"

    page.goto("/dashboard/activity/")
    expect(page.locator("table.activity")).to_contain_text("Wiki")
    check_page(page, f"oidc-activity-{language}")


def test_the_error_and_sign_out_pages_of_apps(
    page, language, make_user, make_app, password, sign_in, check_page
):
    make_user("alice")
    app = make_app("Wiki")
    page.goto("/accounts/login/")
    page.locator("[name=username]").fill("alice")
    page.locator("[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    page.goto(Request(app, redirect_uri="https://evil.example/").url)
    expect(page.locator("[role=alert]")).to_be_visible()
    check_page(page, f"oidc-request-error-{language}")

    page.goto(f"/o/logout/?client_id={app.client_id}")
    expect(page.locator("main form button[name=allow]")).to_be_visible()
    check_page(page, f"oidc-logout-confirm-{language}")
    page.locator("main form button[name=allow]").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
