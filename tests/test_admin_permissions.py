"""What staff who are not superusers may do to accounts in the admin.

"Can change user" must not be as good as being a superuser: privileges,
other staff and superusers stay with superusers, and the support actions
have permissions of their own.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuthEvent, Session
from accounts.twofactor import services as twofactor
from accounts.twofactor.models import RecoveryCodeDevice

pytestmark = pytest.mark.django_db

User = get_user_model()
USERS_URL = reverse("admin:accounts_user_changelist")
NEW_PASSWORD = "violet-harbour-91-lantern"


def grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)  # a fresh permission cache


@pytest.fixture
def helper(make_user):
    """Support staff: may view and change users, nothing else."""
    return grant(make_user("helper", is_staff=True), "view_user", "change_user")


@pytest.fixture
def helper_client(helper):
    browser = Client()
    browser.force_login(helper)
    return browser


@pytest.fixture
def boss(make_user):
    return make_user("boss", is_staff=True, is_superuser=True)


@pytest.fixture
def colleague(make_user):
    return make_user("colleague", is_staff=True)


def change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def change_form(user, **changes):
    data = {
        "username": user.username,
        "email": user.email,
        "email_verified": "on",
        "first_name": "",
        "last_name": "",
        "is_active": "on",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2024-01-01",
        "initial-date_joined_1": "00:00:00",
        "auth_events-TOTAL_FORMS": "0",
        "auth_events-INITIAL_FORMS": "0",
        "sessions-TOTAL_FORMS": "0",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def run_action(browser, action, *users):
    return browser.post(
        USERS_URL,
        {"action": action, "_selected_action": [u.pk for u in users], "index": "0"},
        follow=True,
    )


def sign_in_elsewhere(user, password):
    browser = Client()
    response = browser.post(
        reverse("accounts:login"), {"username": user.username, "password": password}
    )
    assert response.status_code == 302
    return browser


def test_staff_who_may_change_users_cannot_make_themselves_superuser(
    helper_client, helper
):
    response = helper_client.post(
        change_url(helper),
        change_form(
            helper,
            is_staff="on",
            is_superuser="on",
            user_permissions=[p.pk for p in Permission.objects.all()],
        ),
    )

    assert response.status_code == 302
    helper.refresh_from_db()
    assert not helper.is_superuser
    assert set(helper.user_permissions.values_list("codename", flat=True)) == {
        "view_user",
        "change_user",
    }


def test_staff_who_may_change_users_cannot_give_a_user_privileges(helper_client, user):
    group = Group.objects.create(name="everything")
    group.permissions.set(Permission.objects.all())

    helper_client.post(
        change_url(user),
        change_form(user, is_staff="on", is_superuser="on", groups=[group.pk]),
    )

    user.refresh_from_db()
    assert not user.is_staff
    assert not user.is_superuser
    assert not user.groups.exists()


def test_privileges_are_shown_read_only_to_staff_who_are_not_superusers(
    helper_client, user
):
    page = helper_client.get(change_url(user)).content.decode()

    assert 'name="email"' in page
    for field in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert f'name="{field}"' not in page


def test_superusers_still_change_privileges(boss, user):
    browser = Client()
    browser.force_login(boss)

    browser.post(change_url(user), change_form(user, is_staff="on"))

    user.refresh_from_db()
    assert user.is_staff


@pytest.mark.parametrize("target", ["boss", "colleague"])
def test_staff_who_are_not_superusers_cannot_edit_other_staff_or_superusers(
    helper_client, request, target
):
    account = request.getfixturevalue(target)

    page = helper_client.get(change_url(account))
    response = helper_client.post(
        change_url(account), change_form(account, email="taken-over@example.com")
    )

    assert page.status_code == 200  # shown read-only
    assert 'name="email"' not in page.content.decode()
    assert response.status_code == 403
    account.refresh_from_db()
    assert account.email == f"{target}@example.com"


@pytest.mark.parametrize("target", ["boss", "colleague"])
def test_staff_who_are_not_superusers_cannot_set_a_staff_password(
    helper_client, request, password, target
):
    account = request.getfixturevalue(target)
    url = reverse("admin:auth_user_password_change", args=[account.pk])

    response = helper_client.post(
        url,
        {
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 403
    account.refresh_from_db()
    assert account.check_password(password)


def test_staff_who_are_not_superusers_cannot_delete_staff(helper, boss):
    helper = grant(helper, "delete_user")
    browser = Client()
    browser.force_login(helper)

    response = browser.post(
        reverse("admin:accounts_user_delete", args=[boss.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert User.objects.filter(pk=boss.pk).exists()


def test_staff_who_are_not_superusers_cannot_delete_staff_from_the_list(
    helper, boss, colleague, user
):
    helper = grant(helper, "delete_user")
    browser = Client()
    browser.force_login(helper)

    response = browser.post(
        USERS_URL,
        {
            "action": "delete_selected",
            "_selected_action": [boss.pk, colleague.pk, user.pk],
            "post": "yes",
        },
    )

    assert response.status_code in (200, 403)
    assert User.objects.filter(pk__in=[boss.pk, colleague.pk, user.pk]).count() == 3


def test_staff_who_may_change_users_may_still_set_a_users_password(helper_client, user):
    url = reverse("admin:auth_user_password_change", args=[user.pk])

    response = helper_client.post(
        url,
        {
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_change_user_alone_does_not_end_sessions(helper_client, user, password):
    sign_in_elsewhere(user, password)

    run_action(helper_client, "end_all_sessions", user)

    assert Session.objects.filter(user=user).exists()


def test_change_user_alone_does_not_reset_two_factor(helper_client, user):
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    run_action(helper_client, "reset_two_factor", user)

    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_the_support_actions_are_offered_only_with_their_permissions(
    helper_client, helper, make_user
):
    make_user("alice")
    page = helper_client.get(USERS_URL).content.decode()
    assert 'value="end_all_sessions"' not in page
    assert 'value="reset_two_factor"' not in page

    grant(helper, "end_sessions", "reset_two_factor")
    page = helper_client.get(USERS_URL).content.decode()
    assert 'value="end_all_sessions"' in page
    assert 'value="reset_two_factor"' in page


def test_the_end_sessions_permission_ends_a_users_sessions(make_user, user, password):
    # Only "view user" and the action's own permission.
    support = grant(make_user("support", is_staff=True), "view_user", "end_sessions")
    browser = Client()
    browser.force_login(support)
    sign_in_elsewhere(user, password)

    response = run_action(browser, "end_all_sessions", user)

    assert "1 session was ended." in response.content.decode()
    assert not Session.objects.filter(user=user).exists()
    assert AuthEvent.objects.filter(
        user=user, event_type=AuthEvent.Type.SESSION_ENDED_BY_ADMIN
    ).exists()


def test_the_reset_two_factor_permission_resets_a_users_two_factor(make_user, user):
    support = grant(
        make_user("support", is_staff=True), "view_user", "reset_two_factor"
    )
    browser = Client()
    browser.force_login(support)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=False)
    twofactor.enable(user, device=device)

    response = run_action(browser, "reset_two_factor", user)

    assert "reset for 1 user" in response.content.decode()
    assert not user.has_two_factor()
    assert not RecoveryCodeDevice.objects.filter(user=user).exists()


@pytest.mark.parametrize("target", ["boss", "colleague"])
def test_the_support_actions_are_refused_on_staff_for_non_superusers(
    make_user, request, password, target
):
    support = grant(
        make_user("support", is_staff=True),
        "view_user",
        "end_sessions",
        "reset_two_factor",
    )
    browser = Client()
    browser.force_login(support)
    account = request.getfixturevalue(target)
    bystander = make_user("alice")
    sign_in_elsewhere(account, password)
    sign_in_elsewhere(bystander, password)
    device = TOTPDevice.objects.create(user=account, name="phone", confirmed=True)

    ended = run_action(browser, "end_all_sessions", account, bystander)
    reset = run_action(browser, "reset_two_factor", account)

    for response in (ended, reset):
        assert "Only a superuser may do this to staff accounts" in (
            response.content.decode()
        )
    # Nothing at all was done, to the bystander either.
    assert Session.objects.filter(user=account).exists()
    assert Session.objects.filter(user=bystander).exists()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_superusers_run_the_support_actions_on_anyone(boss, colleague, password):
    browser = Client()
    browser.force_login(boss)
    sign_in_elsewhere(colleague, password)

    run_action(browser, "end_all_sessions", colleague)

    assert not Session.objects.filter(user=colleague).exists()


def test_group_permissions_are_read_only_for_staff_who_are_not_superusers(
    make_user,
):
    member = grant(make_user("member", is_staff=True), "view_group", "change_group")
    group = Group.objects.create(name="support")
    member.groups.add(group)
    browser = Client()
    browser.force_login(member)

    browser.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {
            "name": "support",
            "permissions": [p.pk for p in Permission.objects.all()],
        },
    )

    assert not group.permissions.exists()
    assert not User.objects.get(pk=member.pk).has_perm("accounts.delete_user")
