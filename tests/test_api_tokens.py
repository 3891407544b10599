"""The app client's session token dies whenever its session ends.

A token is the session key itself, so everything that ends a session ends
its token: signing out, a password change or reset, ending it from the
sessions list (API or page), the "this wasn't me" link, the idle and
absolute limits, deactivation and deletion. Each case answers 410 (the
token names no session), and the session's password hash is checked on
every request, so a password changed by any route kills the token even
where nothing ended the session explicitly (allauth 65.19.5 forgot that
check for tokens).
"""

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.conf import app_settings
from accounts.models import Session, User

from .api import AppClient, BrowserClient

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-whole-new-passphrase-42"


@pytest.fixture
def app(user):
    """alice signed in on an app; ``app.token`` is her session token."""
    client = AppClient()
    assert client.login().status == 200
    return client


def with_token(token) -> AppClient:
    client = AppClient()
    client.token = token
    return client


def assert_dead(token):
    answer = with_token(token).get("/auth/session")
    assert answer.status == 410, answer
    assert answer.meta["is_authenticated"] is False
    assert not Session.objects.filter(session_key=token).exists()


def test_a_live_token_works(app):
    assert app.get("/auth/session").status == 200


def test_signing_out_kills_the_token(app):
    token = app.token

    app.delete("/auth/session")

    assert_dead(token)


def test_a_password_change_kills_the_other_sessions_tokens(app, user, password):
    other = AppClient()
    other.login()

    answer = other.post(
        "/account/password/change",
        {"current_password": password, "new_password": NEW_PASSWORD},
    )

    assert answer.status == 200
    assert_dead(app.token)


def test_a_password_change_gives_this_app_a_new_token_and_kills_the_old(app, password):
    old = app.token

    answer = app.post(
        "/account/password/change",
        {"current_password": password, "new_password": NEW_PASSWORD},
    )

    assert answer.meta["session_token"] != old
    assert app.get("/auth/session").status == 200
    assert_dead(old)


def test_a_password_change_on_the_page_kills_the_token(app, password, signed_in_client):
    browser = signed_in_client(password)

    browser.post(
        "/accounts/password/change/",
        {
            "old_password": password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert_dead(app.token)


def test_a_password_set_by_any_other_route_kills_the_token(app, user):
    # No session is ended explicitly (as a script or a shell might do):
    # the session's password hash no longer matches.
    user.set_password(NEW_PASSWORD)
    user.save()

    assert_dead(app.token)


def test_a_password_reset_kills_the_token(app, user, link_in_mail):
    AppClient().post("/auth/password/request", {"email": user.email})
    link = link_in_mail(mail.outbox[-1], "/accounts/reset/")
    uidb64, token = link.strip("/").split("/")[-2:]

    answer = AppClient().post(
        "/auth/password/reset", {"key": f"{uidb64}/{token}", "password": NEW_PASSWORD}
    )

    assert answer.status == 401
    assert_dead(app.token)


def test_a_password_reset_on_the_pages_kills_the_token(app, user, link_in_mail):
    browser = Client()
    browser.post("/accounts/password/reset/", {"email": user.email})
    link = link_in_mail(mail.outbox[-1], "/accounts/reset/")
    form = browser.get(link, follow=True)
    browser.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert_dead(app.token)


def test_ending_the_session_from_another_apps_sessions_list_kills_the_token(app):
    other = AppClient()
    other.login()
    mine = Session.objects.get(session_key=app.token).public_id

    answer = other.delete("/auth/sessions", {"sessions": [str(mine)]})

    assert answer.status == 200
    assert_dead(app.token)


def test_ending_all_other_sessions_from_a_browser_app_kills_the_token(app):
    browser = BrowserClient().start()
    browser.login()

    browser.delete("/auth/sessions", {"others": True})

    assert_dead(app.token)


def test_ending_the_session_on_the_sessions_page_kills_the_token(
    app, password, signed_in_client
):
    browser = signed_in_client(password)
    public_id = Session.objects.get(session_key=app.token).public_id

    browser.post(f"/dashboard/sessions/{public_id}/end/")

    assert_dead(app.token)


def test_this_wasnt_me_link_kills_the_token(app, user, password, signed_in_client):
    # The app's sign-in came from a "new browser": its email names it.
    signed_in_client(password)  # so the app's was not the first sign-in ever
    mail.outbox.clear()
    second = AppClient()
    second.login()
    link = re.search(r"/accounts/not-me/\S+/", mail.outbox[-1].body).group(0)

    Client().post(link)

    assert_dead(second.token)


def test_the_idle_timeout_kills_the_token(user, clock):
    app = AppClient()
    app.login()

    clock.advance(
        seconds=app_settings.SESSION_IDLE_TIMEOUT
        + app_settings.SESSION_ACTIVITY_RESOLUTION
        + 1
    )

    assert with_token(app.token).get("/auth/session").status == 410


def test_use_keeps_the_token_alive_past_the_idle_timeout(user, clock):
    app = AppClient()
    app.login()

    for _step in range(3):
        clock.advance(seconds=app_settings.SESSION_IDLE_TIMEOUT * 2 // 3)
        assert app.get("/auth/session").status == 200


def test_the_absolute_timeout_kills_even_a_remembered_token(user, clock, settings):
    settings.AUTHSITE_SESSION_ABSOLUTE_TIMEOUT = 3600
    app = AppClient()
    app.login(remember=True)

    clock.advance(seconds=3601)

    assert with_token(app.token).get("/auth/session").status == 410


def test_deactivating_the_account_kills_the_token(app, user):
    user.is_active = False
    user.save()

    assert_dead(app.token)


def test_an_account_deactivated_behind_the_models_back_has_a_dead_token(app, user):
    User.objects.filter(pk=user.pk).update(is_active=False)

    assert_dead(app.token)


def test_deleting_the_account_through_the_api_kills_the_token(app, password):
    other = AppClient()
    other.login()
    token = other.token

    answer = other.post("/account/delete", {"password": password})

    assert answer.status == 401
    assert_dead(token)
    assert_dead(app.token)


def test_deleting_the_account_on_the_page_kills_the_token(
    app, password, signed_in_client
):
    browser = signed_in_client(password)

    browser.post("/accounts/delete/", {"password": password})

    assert not User.objects.exists()
    assert_dead(app.token)


@pytest.mark.parametrize(
    "token", ["x" * 32, "short", "A" * 32, "x" * 10_000, "'; drop table --"]
)
def test_a_token_that_names_no_session_is_a_410(db, token):
    assert with_token(token).get("/auth/session").status == 410


def test_a_dead_token_is_a_410_on_every_operation_even_signed_out_ones(app):
    token = app.token
    app.delete("/auth/session")

    for path in ["/config", "/auth/session"]:
        assert with_token(token).get(path).status == 410
    assert with_token(token).login().status == 410


def test_no_app_answer_ever_sets_a_cookie(app, password):
    # AppClient fails on any Set-Cookie; walk through answers that would
    # set cookies for a browser (sign-in, CSRF rotation, messages).
    app.get("/account/profile")
    app.post("/auth/reauthenticate", {"password": password})
    app.delete("/auth/session")
    fresh = AppClient()
    fresh.login()
    fresh.login()
