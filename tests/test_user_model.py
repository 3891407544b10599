import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_email_is_unique_ignoring_case_in_the_database(make_user):
    make_user("alice", email="alice@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("alice2", email="ALICE@example.com", password="x")


def test_username_is_unique_ignoring_case_in_the_database(make_user):
    make_user("alice")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("ALICE", email="other@example.com", password="x")


def test_model_validation_reports_a_taken_email_clearly(make_user):
    make_user("alice", email="alice@example.com")
    candidate = User(username="bob", email="Alice@Example.com")

    with pytest.raises(ValidationError) as excinfo:
        candidate.full_clean()

    assert "A user with that email address already exists." in excinfo.value.messages


def test_email_domain_is_lower_cased_and_username_nfkc_normalised():
    user = User.objects.create_user(
        "\uff41lice", email="Alice@EXAMPLE.COM", password="x"
    )

    assert user.username == "alice"
    assert user.email == "Alice@example.com"


def test_username_may_not_contain_an_at_sign():
    with pytest.raises(ValidationError) as excinfo:
        User(username="a@b", email="a@example.com", password="x").full_clean()

    assert "username" in excinfo.value.message_dict


def test_email_is_required():
    with pytest.raises(ValidationError) as excinfo:
        User(username="bob", email="", password="x").full_clean()

    assert "email" in excinfo.value.message_dict
