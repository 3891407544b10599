import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    return client


def test_admin_adds_a_user_with_an_email(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newbie",
            "email": "newbie@example.com",
            "usable_password": "true",
            "password1": "violet-harbour-91-lantern",
            "password2": "violet-harbour-91-lantern",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.email == "newbie@example.com"
    assert user.password.startswith("argon2$argon2id$")


def test_admin_add_form_refuses_an_email_taken_in_another_case(admin_client, make_user):
    make_user("alice", email="alice@example.com")

    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "alice2",
            "email": "ALICE@example.com",
            "usable_password": "false",
        },
    )

    assert response.status_code == 200
    assert "A user with that email address already exists." in response.content.decode()
    assert not User.objects.filter(username="alice2").exists()


def test_admin_change_form_edits_the_email(admin_client, make_user):
    alice = make_user("alice")

    page = admin_client.get(f"/admin/accounts/user/{alice.pk}/change/")
    assert page.status_code == 200
    assert 'name="email"' in page.content.decode()


def test_admin_searches_users_by_email(admin_client, make_user):
    make_user("alice", email="alice@wonderland.example")
    make_user("bob")

    response = admin_client.get("/admin/accounts/user/", {"q": "wonderland"})

    body = response.content.decode()
    assert "alice@wonderland.example" in body
    assert "bob@example.com" not in body


def test_admin_filters_users_by_staff_status(admin_client, make_user):
    make_user("alice")

    response = admin_client.get("/admin/accounts/user/", {"is_staff__exact": "1"})

    body = response.content.decode()
    assert "boss@example.com" in body
    assert "alice@example.com" not in body


@pytest.mark.parametrize("selected", ["abc", "1.5", "\x00"])
@pytest.mark.parametrize(
    ("url", "action"),
    [
        ("/admin/accounts/user/", "end_all_sessions"),
        ("/admin/auth/group/", "delete_selected"),
    ],
)
def test_admin_action_on_values_that_are_not_ids_is_a_bad_request(
    admin_client, selected, url, action
):
    admin_client.raise_request_exception = False

    response = admin_client.post(
        url, {"action": action, "_selected_action": [selected]}
    )

    assert response.status_code == 400
