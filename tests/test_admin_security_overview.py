"""The admin's security overview: figures from the audit trail, locks, unlock."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuthEvent, LockoutCounter
from accounts.security.overview import DAYS

pytestmark = pytest.mark.django_db

OVERVIEW_URL = reverse("admin:security_overview")
Type = AuthEvent.Type


def seed(event_type, *, days_ago=0, user=None, ip="198.51.100.1", **detail):
    return AuthEvent.objects.create(
        event_type=event_type,
        user=user,
        ip_address=ip,
        created_at=timezone.now() - timedelta(days=days_ago),
        detail=detail,
    )


def lock(key, *, minutes=10, scope=LockoutCounter.Scope.ACCOUNT):
    now = timezone.now()
    return LockoutCounter.objects.create(
        scope=scope,
        key=key,
        failures=5,
        locked_at=now,
        locked_until=now + timedelta(minutes=minutes),
        lockouts=1,
    )


def staff_client(make_user, username, *perms):
    member = make_user(username, is_staff=True)
    for perm in perms:
        app_label, codename = perm.split(".")
        member.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    browser = Client()
    browser.force_login(member)
    return browser


def table_rows(body, key):
    """The (day, count) rows of the ``key`` chart's table."""
    section = body.split(f'id="chart-{key}"')[1].split("</section>")[0]
    return [
        (day, int(count))
        for day, count in re.findall(
            r'<tr data-day="([\d-]+)"><td>[^<]*</td><td>(\d+)</td></tr>', section
        )
    ]


@pytest.fixture
def seeded(make_user):
    alice = make_user("alice")
    for days_ago in (0, 0, 3):
        seed(Type.LOGIN, days_ago=days_ago, user=alice, known_device=True)
    seed(Type.LOGIN, days_ago=3, user=alice, known_device=False)
    for _ in range(4):
        seed(
            Type.LOGIN_FAILED,
            days_ago=1,
            user=alice,
            ip="203.0.113.9",
            identifier="alice",
        )
    seed(Type.LOGIN_FAILED, days_ago=1, ip="192.0.2.5", identifier="ghost")
    seed(Type.TWO_FACTOR_FAILED, days_ago=2, user=alice, ip="203.0.113.9")
    seed(Type.LOCKOUT, days_ago=1, user=alice, ip="203.0.113.9", identifier="alice")
    # Outside the window: never counted.
    seed(Type.LOGIN, days_ago=DAYS + 2, user=alice, known_device=True)
    seed(Type.LOGIN_FAILED, days_ago=DAYS + 2, ip="203.0.113.9", identifier="x")
    return alice


def test_the_admin_index_links_to_the_overview(admin_client):
    body = admin_client.get(reverse("admin:index")).content.decode()

    assert f'href="{OVERVIEW_URL}"' in body


def test_the_overview_figures_equal_the_events_stored(admin_client, seeded):
    response = admin_client.get(OVERVIEW_URL)

    assert response.status_code == 200
    body = response.content.decode()
    today = timezone.localdate()

    def day(days_ago):
        return (today - timedelta(days=days_ago)).isoformat()

    sign_ins = table_rows(body, "sign_ins")
    assert len(sign_ins) == DAYS
    assert sum(count for _day, count in sign_ins) == 4
    assert dict(sign_ins)[day(0)] == 2
    assert dict(sign_ins)[day(3)] == 2
    failures = dict(table_rows(body, "failures"))
    assert sum(failures.values()) == 6
    assert failures[day(1)] == 5
    assert failures[day(2)] == 1
    assert sum(dict(table_rows(body, "lockouts")).values()) == 1
    assert dict(table_rows(body, "new_browsers")) == {
        **{d: 0 for d in dict(sign_ins)},
        day(3): 1,
    }
    # The chart draws one bar per day, titled with its count.
    assert body.count('class="chart-bar"') == 4 * DAYS
    addresses = re.findall(
        r'<tr class="top-address"><td>([^<]+)</td><td>(\d+)</td></tr>', body
    )
    assert addresses == [("203.0.113.9", "5"), ("192.0.2.5", "1")]
    names = re.findall(
        r'<tr class="top-name"><td>([^<]+)</td><td>([^<]+)</td><td>(\d+)</td>', body
    )
    assert names == [("alice", "exists", "4"), ("ghost", "no such account", "1")]


def test_the_overview_lists_current_locks_and_staff_without_a_second_factor(
    admin_client, make_user
):
    lock("mallory")
    expired = lock("old", minutes=-5)
    make_user("helper", is_staff=True)
    secured = make_user("secured", is_staff=True)
    TOTPDevice.objects.create(user=secured, name="phone", confirmed=True)

    body = admin_client.get(OVERVIEW_URL).content.decode()

    assert re.findall(r'<tr class="lock"><td>[^<]+</td><td>([^<]+)</td>', body) == [
        "mallory"
    ]
    assert reverse("admin:security_unlock", args=[expired.pk]) not in body
    staff = re.findall(r'<li class="staff-no-2fa"><a [^>]+>([^<]+)</a>', body)
    assert "helper" in staff
    assert "secured" not in staff


def test_unlocking_forgets_the_count_and_is_logged(admin_client):
    counter = lock("mallory")

    response = admin_client.post(reverse("admin:security_unlock", args=[counter.pk]))

    assert response.status_code == 302
    assert response.url == OVERVIEW_URL
    assert not LockoutCounter.objects.filter(pk=counter.pk).exists()
    entry = LogEntry.objects.get()
    assert entry.action_flag == DELETION
    assert entry.object_repr == str(counter)


def test_unlock_is_post_only(admin_client):
    counter = lock("mallory")

    response = admin_client.get(reverse("admin:security_unlock", args=[counter.pk]))

    assert response.status_code == 405
    assert LockoutCounter.objects.filter(pk=counter.pk).exists()


def test_unlock_needs_the_csrf_token(make_user):
    counter = lock("mallory")
    root = make_user("root", is_staff=True, is_superuser=True)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(root)

    response = browser.post(reverse("admin:security_unlock", args=[counter.pk]))

    assert response.status_code == 403
    assert LockoutCounter.objects.filter(pk=counter.pk).exists()


def test_unlock_button_posts_with_the_csrf_token(make_user):
    counter = lock("mallory")
    root = make_user("root", is_staff=True, is_superuser=True)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(root)
    body = browser.get(OVERVIEW_URL).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)

    response = browser.post(
        reverse("admin:security_unlock", args=[counter.pk]),
        {"csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert not LockoutCounter.objects.filter(pk=counter.pk).exists()


def test_staff_without_the_view_permission_may_not_see_the_overview(make_user):
    browser = staff_client(make_user, "helper")

    assert browser.get(OVERVIEW_URL).status_code == 403
    assert OVERVIEW_URL not in browser.get(reverse("admin:index")).content.decode()


def test_staff_who_may_view_but_not_unlock_see_no_button_and_cannot_unlock(
    make_user,
):
    counter = lock("mallory")
    browser = staff_client(make_user, "viewer", "accounts.view_authevent")

    body = browser.get(OVERVIEW_URL).content.decode()
    response = browser.post(reverse("admin:security_unlock", args=[counter.pk]))

    assert "mallory" in body
    assert reverse("admin:security_unlock", args=[counter.pk]) not in body
    assert response.status_code == 403
    assert LockoutCounter.objects.filter(pk=counter.pk).exists()
    assert not LogEntry.objects.exists()


def test_staff_who_may_unlock_can(make_user):
    counter = lock("mallory")
    browser = staff_client(
        make_user,
        "support",
        "accounts.view_authevent",
        "accounts.delete_lockoutcounter",
    )

    response = browser.post(reverse("admin:security_unlock", args=[counter.pk]))

    assert response.status_code == 302
    assert not LockoutCounter.objects.filter(pk=counter.pk).exists()


def test_a_signed_in_user_without_admin_access_cannot_unlock(logged_in_client):
    counter = lock("mallory")

    response = logged_in_client.post(
        reverse("admin:security_unlock", args=[counter.pk])
    )

    assert response.status_code == 403
    assert LockoutCounter.objects.filter(pk=counter.pk).exists()


def test_unlocking_a_count_that_is_gone_is_a_404(admin_client):
    response = admin_client.post(reverse("admin:security_unlock", args=[999999]))

    assert response.status_code == 404


def test_the_overview_in_korean(admin_client, seeded):
    body = admin_client.get(
        OVERVIEW_URL, headers={"accept-language": "ko"}
    ).content.decode()

    assert "보안 현황" in body
    assert "로그인 실패" in body
    assert "Sign-ins" not in body


def test_the_overview_draws_no_script_and_no_inline_style(admin_client, seeded):
    body = admin_client.get(OVERVIEW_URL).content.decode()
    main = body.split('id="content-main"')[1]

    assert "<script" not in main
    assert "style=" not in main
    assert "<svg" in main
