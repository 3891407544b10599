import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

User = get_user_model()
CHANGE_URL = reverse("accounts:password_change")
DASHBOARD_URL = reverse("accounts:dashboard")
NEW_PASSWORD = "violet-harbour-91-lantern"


def change(client, old, new=NEW_PASSWORD, new2=None):
    return client.post(
        CHANGE_URL,
        {"old_password": old, "new_password1": new, "new_password2": new2 or new},
    )


def test_password_change_keeps_this_session_and_ends_the_others(
    user,
    password,
    signals_sent,
    signed_in_client,
):
    here = signed_in_client(password)
    laptop = signed_in_client(password)
    phone = signed_in_client(password)

    response = change(here, password)

    assert response.status_code == 302
    assert response.url == DASHBOARD_URL
    assert here.get(DASHBOARD_URL).status_code == 200
    for other in (laptop, phone):
        other_response = other.get(DASHBOARD_URL)
        assert other_response.status_code == 302
        assert other_response.url.startswith(reverse("accounts:login"))
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert [s["user"] for s in signals_sent["password_changed"]] == [user]
    assert signals_sent["password_changed"][0]["request"] is not None
    assert signals_sent["password_reset_completed"] == []


def test_password_change_says_so_and_mails_a_notice(user, password, signed_in_client):
    client = signed_in_client(password)

    response = client.post(
        CHANGE_URL,
        {
            "old_password": password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )

    assert "Your password was changed." in response.content.decode()
    (notice,) = mail.outbox
    assert notice.to == ["alice@example.com"]
    assert "/accounts/password/reset/" in notice.body


def test_wrong_old_password_changes_nothing(user, password, signed_in_client):
    client = signed_in_client(password)

    response = change(client, "not-my-password")

    assert response.status_code == 200
    assert 'id="id_old_password_error"' in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(password)
    assert mail.outbox == []


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(CHANGE_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_password_change_page_is_a_dashboard_tab(logged_in_client):
    body = logged_in_client.get(CHANGE_URL).content.decode()

    assert f'href="{CHANGE_URL}" aria-current="page"' in body


def test_get_does_not_change_anything(user, password, signed_in_client):
    client = signed_in_client(password)

    client.get(CHANGE_URL, {"old_password": password, "new_password1": NEW_PASSWORD})

    user.refresh_from_db()
    assert user.check_password(password)
    assert SESSION_KEY in client.session


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "old_password"),
        (
            {"old_password": "", "new_password1": "", "new_password2": ""},
            "new_password1",
        ),
        ({"new_password2": "something-else-entirely"}, "new_password2"),
        # A weak password is reported under the new password, not its copy.
        ({"new_password1": "12345678", "new_password2": "12345678"}, "new_password1"),
        ({"new_password1": "alice", "new_password2": "alice"}, "new_password1"),
        ({"old_password": "x" * 10_000}, "old_password"),
    ],
)
def test_bad_password_change_input_gets_a_form_error_not_a_500(
    user,
    password,
    data,
    field,
    signed_in_client,
):
    client = signed_in_client(password)
    full = {
        "old_password": password,
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
        **data,
    }
    if data == {}:
        full = {}

    response = client.post(CHANGE_URL, full)

    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(password)


def test_wrong_old_passwords_count_towards_the_lockout(
    user, password, signed_in_client
):
    client = signed_in_client(password)
    for _attempt in range(5):
        change(client, "not-my-password")

    locked = change(client, password)

    assert locked.status_code == 429
    user.refresh_from_db()
    assert user.check_password(password)
