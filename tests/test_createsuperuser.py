from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "violet-harbour-91-lantern"


@pytest.fixture
def superuser_env(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG_PASSWORD)
    return monkeypatch


def test_noinput_creates_a_superuser_who_can_use_the_admin(client, superuser_env):
    out = StringIO()

    call_command("createsuperuser", "--noinput", stdout=out)

    assert "Superuser created successfully." in out.getvalue()
    response = client.post(
        "/accounts/login/",
        {"username": "root", "password": STRONG_PASSWORD, "next": "/admin/"},
    )
    assert response.url == "/admin/"
    user_list = client.get("/admin/accounts/user/")
    assert user_list.status_code == 200
    assert "root@example.com" in user_list.content.decode()


def test_noinput_refuses_an_email_taken_in_another_case(make_user, superuser_env):
    make_user("alice", email="root@example.com")
    superuser_env.setenv("DJANGO_SUPERUSER_EMAIL", "ROOT@Example.com")

    with pytest.raises(CommandError, match="email address already exists"):
        call_command("createsuperuser", "--noinput", stdout=StringIO())

    assert not get_user_model().objects.filter(username="root").exists()


@pytest.mark.parametrize("weak", ["password", "root", "12345678901"])
def test_noinput_refuses_a_weak_password(superuser_env, weak):
    superuser_env.setenv("DJANGO_SUPERUSER_PASSWORD", weak)

    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD is not accepted"):
        call_command("createsuperuser", "--noinput", stdout=StringIO())

    assert not get_user_model().objects.exists()


def test_noinput_refuses_a_username_taken_in_another_case(make_user, superuser_env):
    make_user("ROOT", email="someone@example.com")

    with pytest.raises(CommandError, match="already taken"):
        call_command("createsuperuser", "--noinput", stdout=StringIO())


def test_interactive_prompt_asks_again_for_a_taken_email(
    make_user, monkeypatch, capsys
):
    make_user("alice", email="taken@example.com")
    answers = iter(["root", "TAKEN@example.com", "root@example.com"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": STRONG_PASSWORD)
    err = StringIO()

    call_command(
        "createsuperuser", interactive=True, stdout=StringIO(), stderr=err, stdin=_Tty()
    )

    assert "A user with that email address already exists." in err.getvalue()
    root = get_user_model().objects.get(username="root")
    assert root.is_superuser
    assert root.email == "root@example.com"


class _Tty(StringIO):
    def isatty(self):
        return True
