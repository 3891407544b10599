"""Who gets into the admin, and what its lists answer to bad addresses."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from accounts.admin import AdminInputMixin
from accounts.models import AuthEvent, LockoutCounter

pytestmark = pytest.mark.django_db

ADMIN_URL = reverse("admin:index")


@pytest.fixture
def boss_client(make_user):
    browser = Client()
    browser.force_login(make_user("boss", is_staff=True, is_superuser=True))
    return browser


@pytest.mark.parametrize(
    "url",
    [
        ADMIN_URL,
        reverse("admin:login") + "?next=/admin/",
        reverse("admin:accounts_user_changelist"),
    ],
)
def test_a_signed_in_user_without_admin_access_gets_a_page_that_says_so(
    logged_in_client, url
):
    # It was an endless loop: admin, admin sign-in, the site's sign-in
    # (which sends signed-in users on), admin.
    response = logged_in_client.get(url)

    assert response.status_code == 403
    body = response.content.decode()
    assert "No admin access" in body
    assert "alice" in body
    assert f'action="{reverse("accounts:logout")}"' in body
    assert 'method="post"' in body
    assert f'href="{reverse("accounts:dashboard")}"' in body
    assert "no-cache" in response["Cache-Control"]


def test_the_no_access_page_in_korean(logged_in_client):
    response = logged_in_client.get(ADMIN_URL, headers={"accept-language": "ko"})

    assert response.status_code == 403
    assert "관리자 페이지에 접근할 수 없습니다" in response.content.decode()


def test_signing_out_from_the_no_access_page_leads_to_the_sign_in_page(
    logged_in_client,
):
    page = logged_in_client.get(ADMIN_URL)
    assert page.status_code == 403

    response = logged_in_client.post(
        reverse("accounts:logout"), {"next": ADMIN_URL}, follow=True
    )

    final_url = response.redirect_chain[-1][0]
    assert final_url.startswith(reverse("accounts:login"))
    assert "next=/admin/" in final_url
    assert response.status_code == 200


def test_a_signed_out_visitor_is_still_sent_to_the_sites_sign_in(client):
    response = client.get(ADMIN_URL, follow=True)

    assert response.redirect_chain[-1][0] == reverse("accounts:login") + (
        "?next=/admin/"
    )


def test_staff_opening_the_admin_sign_in_go_where_they_were_going(boss_client):
    users = reverse("admin:accounts_user_changelist")

    inside = boss_client.get(reverse("admin:login"), {"next": users})
    offsite = boss_client.get(reverse("admin:login"), {"next": "https://evil.example/"})

    assert inside.status_code == 302
    assert inside.url == users
    assert offsite.url == ADMIN_URL


LISTS = [
    "/admin/accounts/user/",
    "/admin/accounts/authevent/",
    "/admin/accounts/lockoutcounter/",
    "/admin/otp_totp/totpdevice/",
    "/admin/accounts/recoverycodedevice/",
    "/admin/auth/group/",
]
BAD_QUERIES = [
    {"q": "\x00"},
    {"q": "a" * 100_000},
    {"event_type__exact": "\x00"},
    {"event_type__exact": "x" * 5000},
    {"\x00": "1"},
    {"ip_address": "\x00"},
    {"path_info": "\x00"},
    {"is_staff__exact": "not-a-boolean"},
    {"id__exact": "not-a-number"},
    {"created_at__year": "99999999999"},
    {"locked_until__year": "99999999999"},
    {"scope__exact": "\x00"},
    {"created_at__gte": "not-a-date"},
    {"no_such_field": "1"},
]


def test_every_admin_page_of_a_model_refuses_bad_input():
    models = [model for model in apps.get_models() if admin.site.is_registered(model)]

    assert len(models) >= 6
    for model in models:
        assert isinstance(admin.site.get_model_admin(model), AdminInputMixin), model


@pytest.fixture
def rows(make_user):
    """Something in every list, so each filter reaches the database."""
    AuthEvent.objects.record(AuthEvent.Type.LOGIN, user=make_user("alice"))
    LockoutCounter.objects.create(
        scope=LockoutCounter.Scope.ACCOUNT, key="alice", failures=1
    )


@pytest.mark.parametrize("query", BAD_QUERIES, ids=lambda q: repr(q)[:40])
@pytest.mark.parametrize("url", LISTS)
def test_a_bad_list_filter_or_search_is_a_bad_request(boss_client, rows, url, query):
    boss_client.raise_request_exception = False

    response = boss_client.get(url, query)

    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/admin/accounts/authevent/", *LISTS[2:4]],
)
def test_an_address_filter_that_is_not_an_address_finds_nothing_or_is_refused(
    boss_client, rows, url
):
    # PostgreSQL's driver refuses it (a 400); SQLite compares it as text.
    boss_client.raise_request_exception = False

    response = boss_client.get(url, {"ip_address": "not-an-address"})

    assert response.status_code in (200, 400)
    assert "203.0.113.9" not in response.content.decode()


@pytest.mark.parametrize("url", LISTS)
def test_good_list_filters_and_searches_still_work(boss_client, rows, url):
    plain = boss_client.get(url)
    searched = boss_client.get(url, {"q": "alice"})

    assert plain.status_code == 200
    assert searched.status_code == 200


def test_an_event_type_filter_still_filters(boss_client, rows):
    url = reverse("admin:accounts_authevent_changelist")

    matching = boss_client.get(url, {"event_type__exact": "login"})
    other = boss_client.get(url, {"event_type__exact": "logout"})

    assert "0 account events" not in matching.content.decode()
    assert "0 account events" in other.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:accounts_user_change", args=["\x00"]),
        reverse("admin:index") + "?next=\x00",
        reverse("admin:login") + "?next=\x00",
        "/admin/autocomplete/?term=%00&app_label=auth&model_name=group"
        "&field_name=groups",
    ],
)
def test_nul_characters_anywhere_in_the_admin_are_never_a_server_error(
    boss_client, url
):
    boss_client.raise_request_exception = False

    response = boss_client.get(url)

    # 400, or for an id that cannot be one Django's "no such object" redirect.
    assert response.status_code in (302, 400)
