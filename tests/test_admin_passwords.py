"""Passwords in the admin: your own is changed on the site's page; another
account's, set by an admin, ends its sessions, is recorded and is told."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import AuthEvent, Session

pytestmark = pytest.mark.django_db

User = get_user_model()
SITE_CHANGE_URL = reverse("accounts:password_change")
DASHBOARD_URL = reverse("accounts:dashboard")
NEW_PASSWORD = "violet-harbour-91-lantern"


@pytest.fixture
def boss(make_user):
    return make_user("boss", is_staff=True, is_superuser=True)


@pytest.fixture
def boss_client(client, boss):
    client.force_login(boss)
    return client


def password_url(user):
    return reverse("admin:auth_user_password_change", args=[user.pk])


@pytest.mark.parametrize(
    "url", [reverse("admin:password_change"), reverse("admin:password_change_done")]
)
def test_the_admins_own_password_pages_send_to_the_sites_password_change(
    boss_client, url
):
    response = boss_client.get(url)

    assert response.status_code == 302
    assert response.url == SITE_CHANGE_URL


def test_the_admins_password_change_form_checks_and_changes_nothing(
    boss_client, boss, password
):
    # Django's form checked the old password with no lockout, rate limit,
    # reauthentication, notice or audit event.
    for guess in ["guess-1", "guess-2", password]:
        response = boss_client.post(
            reverse("admin:password_change"),
            {
                "old_password": guess,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        assert response.status_code == 302
        assert response.url == SITE_CHANGE_URL

    boss.refresh_from_db()
    assert boss.check_password(password)
    assert not boss.check_password(NEW_PASSWORD)


def test_the_admin_header_links_to_a_password_change_that_reaches_the_site(
    boss_client,
):
    page = boss_client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("admin:password_change")}"' in page

    response = boss_client.get(reverse("admin:password_change"), follow=True)

    assert response.redirect_chain[-1][0] == SITE_CHANGE_URL
    assert 'name="old_password"' in response.content.decode()


def test_the_admins_own_page_in_the_user_list_sends_to_the_sites_password_change(
    boss_client, boss, password
):
    response = boss_client.post(
        password_url(boss),
        {
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response.url == SITE_CHANGE_URL
    boss.refresh_from_db()
    assert boss.check_password(password)


def test_an_admin_setting_a_password_signs_the_account_out_everywhere(
    boss_client, user, password, signed_in_client, mailoutbox
):
    laptop = signed_in_client(password)
    phone = signed_in_client(password)
    assert Session.objects.filter(user=user).count() == 2

    response = boss_client.post(
        password_url(user),
        {
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        follow=True,
    )

    assert response.status_code == 200
    assert "every session of the account was signed out" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not Session.objects.filter(user=user).exists()
    for browser in (laptop, phone):
        page = browser.get(DASHBOARD_URL)
        assert page.status_code == 302
        assert page.url.startswith(reverse("accounts:login"))


def test_an_admin_setting_a_password_is_recorded_and_the_owner_is_told(
    boss_client, user, password, signed_in_client, mailoutbox
):
    signed_in_client(password)
    mailoutbox.clear()

    boss_client.post(
        password_url(user),
        {
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    event = AuthEvent.objects.get(event_type=AuthEvent.Type.PASSWORD_SET_BY_ADMIN)
    assert event.user == user
    assert event.detail == {"admin": "boss", "password_usable": True}
    assert AuthEvent.objects.filter(
        event_type=AuthEvent.Type.SESSION_ENDED_BY_ADMIN, user=user
    ).exists()
    [notice] = mailoutbox
    assert notice.to == [user.email]
    assert notice.subject == "An administrator set a new password for your account"
    assert reverse("accounts:password_reset") in notice.body
    assert NEW_PASSWORD not in notice.body
    assert NEW_PASSWORD not in str(event.detail)


def test_an_admin_turning_password_sign_in_off_is_recorded_and_told_too(
    boss_client, user, password, signed_in_client, mailoutbox
):
    browser = signed_in_client(password)
    mailoutbox.clear()

    response = boss_client.post(
        password_url(user), {"usable_password": "false", "unset-password": "1"}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert browser.get(DASHBOARD_URL).status_code == 302
    event = AuthEvent.objects.get(event_type=AuthEvent.Type.PASSWORD_SET_BY_ADMIN)
    assert event.detail == {"admin": "boss", "password_usable": False}
    [notice] = mailoutbox
    assert "turned off password sign-in" in notice.subject


def test_an_admin_password_form_with_errors_changes_nothing(
    boss_client, user, password, signed_in_client, mailoutbox
):
    signed_in_client(password)
    mailoutbox.clear()

    response = boss_client.post(
        password_url(user),
        {
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": "something else entirely",
        },
    )

    assert response.status_code == 200
    assert "password fields didn" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(password)
    assert Session.objects.filter(user=user).exists()
    assert mailoutbox == []
    assert not AuthEvent.objects.filter(
        event_type=AuthEvent.Type.PASSWORD_SET_BY_ADMIN
    ).exists()


def test_the_admin_password_form_in_korean(boss_client, user):
    response = boss_client.post(
        password_url(user),
        {
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        follow=True,
        headers={"accept-language": "ko"},
    )

    assert "비밀번호를 변경했" in response.content.decode()
