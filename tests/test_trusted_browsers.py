""" "Trust this browser" holds for one two-factor enrolment, never across them."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.test_two_factor import CODE_URL, enable_two_factor

from .conftest import post_login

pytestmark = pytest.mark.django_db

DASHBOARD_URL = reverse("accounts:dashboard")
LOGOUT_URL = reverse("accounts:logout")


@pytest.fixture
def trusted(client, user, password):
    """``client`` trusted for alice, who has two-factor on.

    The clock stays put: django-otp checks set-up codes against the real
    time, so later set-ups in the tests below work too.
    """
    client.force_login(user)
    _totp, codes = enable_two_factor(client)
    client.post(LOGOUT_URL)
    post_login(client, password=password)
    response = client.post(CODE_URL, {"code": codes[0], "trust_browser": "on"})
    assert response.url == DASHBOARD_URL
    client.post(LOGOUT_URL)
    return client


def owners_other_browser(user):
    browser = Client()
    browser.force_login(user)
    return browser


def test_a_trusted_browser_skips_the_code(trusted, password):
    assert post_login(trusted, password=password).url == DASHBOARD_URL


def test_turning_two_factor_off_and_on_again_retires_trusted_browsers(
    trusted, user, password
):
    owner = owners_other_browser(user)
    owner.post(reverse("accounts:two_factor_disable"))
    enable_two_factor(owner)  # a new authenticator

    assert post_login(trusted, password=password).url == CODE_URL


def test_an_admin_reset_retires_trusted_browsers(trusted, user, password, make_user):
    admin = Client()
    admin.force_login(make_user("boss", is_staff=True, is_superuser=True))
    admin.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [user.pk]},
    )
    enable_two_factor(owners_other_browser(user))

    assert post_login(trusted, password=password).url == CODE_URL


def test_signing_out_everywhere_retires_trusted_browsers(trusted, user, password):
    owners_other_browser(user).post(reverse("accounts:session_end_others"))

    assert post_login(trusted, password=password).url == CODE_URL
