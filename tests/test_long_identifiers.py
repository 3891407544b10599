"""An over-long name is refused before it is normalised or looked up.

U+FDFA (one character) becomes 18 under NFKC; 100,000 of them took about
0.8 s per sign-in request to normalise, before any limit applied. Every
identifier field refuses such a value by its length first: no query, no
lockout count, no audit event, a form error.
"""

import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuthEvent, LockoutCounter

EXPANDING = "\ufdfa" * 100_000


@pytest.fixture
def typed(user):
    """The user exists, so a lookup of a normalised name could find someone."""
    return EXPANDING


def test_sign_in_with_an_over_long_name_is_refused_without_a_query(
    client, typed, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.post(
            reverse("accounts:login"), {"username": typed, "password": "x"}
        )

    assert response.status_code == 200
    assert response.context["form"].has_error("username", "max_length")
    assert not LockoutCounter.objects.exists()
    assert not AuthEvent.objects.exists()


def test_sign_in_field_says_how_long_a_name_may_be(client, db):
    response = client.get(reverse("accounts:login"))

    assert 'maxlength="254"' in response.content.decode()


def test_sign_in_with_the_longest_allowed_name_is_still_checked(client, db):
    response = client.post(
        reverse("accounts:login"),
        {"username": "a" * 242 + "@example.com", "password": "x"},
    )

    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "invalid_login")
    assert LockoutCounter.objects.filter(key="a" * 242 + "@example.com").exists()


@pytest.mark.parametrize(
    ("url", "field", "data"),
    [
        (
            "accounts:signup",
            "username",
            {
                "username": EXPANDING,
                "email": "new@example.com",
                "password1": "x",
                "password2": "x",
            },
        ),
        (
            "accounts:signup",
            "email",
            {
                "username": "newcomer",
                "email": EXPANDING + "@example.com",
                "password1": "x",
                "password2": "x",
            },
        ),
        ("accounts:password_reset", "email", {"email": EXPANDING + "@example.com"}),
        (
            "accounts:resend_verification",
            "email",
            {"email": EXPANDING + "@example.com"},
        ),
    ],
)
def test_other_identifier_fields_refuse_an_over_long_value_without_looking_it_up(
    client, typed, url, field, data
):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse(url), data)

    # The other fields may be checked; this one is not, in any form.
    forms_of_it = ("\ufdfa", unicodedata.normalize("NFKC", "\ufdfa"))
    assert not [q for q in queries if any(f in q["sql"] for f in forms_of_it)]
    assert not [q for q in queries if f'"accounts_user"."{field}")' in q["sql"]]

    assert response.status_code == 200
    assert response.context["form"].has_error(field, "max_length")
