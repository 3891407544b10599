"""Forms that say what they mean: plain labels, short hints, every password
problem at once (issue 17)."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

pytestmark = pytest.mark.django_db

KO = {"HTTP_ACCEPT_LANGUAGE": "ko"}
SIGNUP_URL = reverse("accounts:signup")
CHANGE_URL = reverse("accounts:password_change")
HINT = (
    "At least 8 characters, and not a common password or one like your name "
    "or email address."
)
# Short, all digits, common, and not what was typed in the confirmation.
WEAK = "123456"
MISMATCH = "The two password fields didn\u2019t match."


def errors_under(body: str, field: str) -> str:
    """The text of the errors shown under ``field`` ("" if none)."""
    match = re.search(
        rf'<div id="id_{field}_error" role="alert">(.*?)</div>', body, re.S
    )
    return re.sub(r"<[^>]+>", " ", match[1]) if match else ""


def assert_every_problem_in_one_submit(body, new, confirm):
    under_new = errors_under(body, new)
    assert "This password is too short." in under_new
    assert "This password is too common." in under_new
    assert "This password is entirely numeric." in under_new
    assert MISMATCH not in under_new
    under_confirm = errors_under(body, confirm)
    assert MISMATCH in under_confirm
    assert "too common" not in under_confirm


def test_sign_up_reports_every_password_problem_in_one_submit(client):
    response = client.post(
        SIGNUP_URL,
        {
            "username": "carol",
            "email": "carol@example.com",
            "password1": WEAK,
            "password2": WEAK + "7",
        },
    )

    assert_every_problem_in_one_submit(
        response.content.decode(), "password1", "password2"
    )


def test_a_password_change_reports_every_problem_in_one_submit(
    user, password, signed_in_client
):
    browser = signed_in_client(password)

    response = browser.post(
        CHANGE_URL,
        {"old_password": password, "new_password1": WEAK, "new_password2": "other"},
    )

    assert_every_problem_in_one_submit(
        response.content.decode(), "new_password1", "new_password2"
    )


def test_a_reset_link_reports_every_problem_in_one_submit(user):
    browser = Client()
    link = reverse(
        "accounts:password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    form_url = browser.get(link).url

    response = browser.post(form_url, {"new_password1": WEAK, "new_password2": "x"})

    assert_every_problem_in_one_submit(
        response.content.decode(), "new_password1", "new_password2"
    )


def test_a_weak_password_typed_twice_is_reported_under_the_new_password(client):
    response = client.post(
        SIGNUP_URL,
        {
            "username": "carol",
            "email": "c@example.com",
            "password1": WEAK,
            "password2": WEAK,
        },
    )

    body = response.content.decode()
    assert "This password is too common." in errors_under(body, "password1")
    assert errors_under(body, "password2") == ""


def test_the_password_rules_are_one_short_hint(client):
    body = client.get(SIGNUP_URL).content.decode()

    assert f'<div class="help" id="id_password1_helptext">{HINT}</div>' in body
    assert "<ul" not in body
    assert "Your password can\u2019t" not in body
    korean = client.get(SIGNUP_URL, **KO).content.decode()
    assert "8자 이상이어야 하며" in korean


def test_the_username_hint_is_short(client):
    body = client.get(SIGNUP_URL).content.decode()

    assert "Up to 150 letters, digits and . + - _" in body
    assert "Required. 150 characters or fewer" not in body


@pytest.mark.parametrize(
    "name", ["accounts:signup", "accounts:login", "accounts:password_reset"]
)
def test_labels_have_no_trailing_colon(client, name):
    body = client.get(reverse(name)).content.decode()
    labels = re.findall(r"<label[^>]*>([^<]*)</label>", body)

    assert labels
    assert not [label for label in labels if label.strip().endswith(":")]


def test_labels_on_the_signed_in_forms_have_no_trailing_colon(logged_in_client):
    for name in ("accounts:profile", "accounts:password_change"):
        body = logged_in_client.get(reverse(name), **KO).content.decode()
        labels = re.findall(r"<label[^>]*>([^<]*)</label>", body)
        assert labels, name
        assert not [label for label in labels if label.strip().endswith(":")]


def test_the_current_page_is_marked_in_the_header_and_the_tabs(logged_in_client):
    body = logged_in_client.get(reverse("accounts:dashboard")).content.decode()
    header = body[body.index('<header class="site-header">') : body.index("</header>")]
    tabs = body[body.index('<nav class="tabs"') :]
    tabs = tabs[: tabs.index("</nav>")]

    assert 'href="/dashboard/" aria-current="page"' in header
    assert 'href="/dashboard/" aria-current="page">Overview' in tabs
    assert tabs.count('aria-current="page"') == 1

    sessions = logged_in_client.get(reverse("accounts:sessions")).content.decode()
    assert 'href="/dashboard/sessions/" aria-current="page"' in sessions
    assert 'href="/dashboard/" aria-current' not in sessions


def test_the_sign_in_page_is_marked_in_the_header(client):
    body = client.get(reverse("accounts:login")).content.decode()

    assert 'href="/accounts/login/" aria-current="page"' in body
    assert 'href="/accounts/signup/" aria-current' not in body


def test_the_current_page_has_its_own_style(client):
    css = b"".join(client.get("/static/css/site.css").streaming_content).decode()

    assert '.site-header nav a[aria-current="page"]' in css
    assert '.tabs a[aria-current="page"]' in css


def test_every_page_has_a_favicon(client):
    body = client.get(reverse("accounts:login")).content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in body
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)
