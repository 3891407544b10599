"""A browser whose session was ended elsewhere is told so on the sign-in page.

Ending a session deletes its row, so the browser's cookie names nothing; a
short note in the cache (never the key itself) lets the next request say
why it is asked to sign in. Ordinary page views do not look for the note.
"""

import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from accounts.models import Session

pytestmark = pytest.mark.django_db

User = get_user_model()
FROM_ANOTHER_DEVICE = "this session was ended from another device"
BY_AN_ADMIN = "an administrator ended this session"
BY_A_CHANGE = "this session was ended by a change to your account"
NEW_PASSWORD = "amber-quartz-42-meadow"


@pytest.fixture(params=["db", "cached_db"])
def store(request, settings):
    settings.SESSION_ENGINE = settings.SESSION_STORES[request.param]
    return request.param


def session_of(browser):
    return Session.objects.get(session_key=browser.cookies["sessionid"].value)


def sign_in_page_after(browser):
    response = browser.get(reverse("accounts:dashboard"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    return response.content.decode()


@pytest.mark.usefixtures("store")
def test_a_session_ended_from_another_device_says_so(user, signed_in_client):
    laptop, phone = signed_in_client(), signed_in_client()

    laptop.post(reverse("accounts:session_end", args=[session_of(phone).public_id]))

    page = sign_in_page_after(phone)
    assert FROM_ANOTHER_DEVICE in page
    # Said once: the cookie is gone with that answer.
    assert FROM_ANOTHER_DEVICE not in sign_in_page_after(phone)


@pytest.mark.usefixtures("store")
def test_ending_every_other_session_tells_each_of_them(user, signed_in_client):
    laptop, phone, tablet = signed_in_client(), signed_in_client(), signed_in_client()

    laptop.post(reverse("accounts:session_end_others"))

    assert FROM_ANOTHER_DEVICE in sign_in_page_after(phone)
    assert FROM_ANOTHER_DEVICE in sign_in_page_after(tablet)
    assert laptop.get(reverse("accounts:dashboard")).status_code == 200


def test_a_password_change_elsewhere_says_the_account_changed(
    user, password, signed_in_client
):
    laptop, phone = signed_in_client(), signed_in_client()

    laptop.post(
        reverse("accounts:password_change"),
        {
            "old_password": password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert BY_A_CHANGE in sign_in_page_after(phone)


def test_an_admin_ending_the_sessions_says_so(user, make_user, signed_in_client):
    phone = signed_in_client()
    admin = Client()
    admin.force_login(make_user("boss", is_staff=True, is_superuser=True))

    admin.post(
        "/admin/accounts/user/",
        {"action": "end_all_sessions", "_selected_action": [user.pk]},
    )

    assert not Session.objects.filter(user=user).exists()
    assert BY_AN_ADMIN in sign_in_page_after(phone)


def test_signing_out_here_or_a_stale_cookie_gets_no_such_message(
    user, signed_in_client
):
    browser = signed_in_client()
    browser.post(reverse("accounts:logout"))
    stranger = Client()
    stranger.cookies["sessionid"] = "x" * 32

    for page in (sign_in_page_after(browser), sign_in_page_after(stranger)):
        for message in (FROM_ANOTHER_DEVICE, BY_AN_ADMIN, BY_A_CHANGE):
            assert message not in page


def test_the_note_is_kept_under_a_digest_never_the_key(
    user, signed_in_client, settings
):
    laptop, phone = signed_in_client(), signed_in_client()
    key = phone.cookies["sessionid"].value

    laptop.post(reverse("accounts:session_end_others"))

    cache = caches[settings.SESSION_CACHE_ALIAS]
    digest = hashlib.sha256(key.encode()).hexdigest()
    assert cache.get(f"accounts.session_ended.{digest}") == "user"
    assert cache.get(f"accounts.session_ended.{key}") is None


def test_a_signed_in_page_view_still_costs_one_query(
    user, signed_in_client, django_assert_num_queries
):
    browser = signed_in_client()

    with django_assert_num_queries(1):  # the profile page: session and user
        assert browser.get(reverse("accounts:profile")).status_code == 200
