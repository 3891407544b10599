"""Usernames cannot be made to look like other usernames (Unicode TS #39).

Letters of alphabets not written together, letters that draw nothing, and
names whose confusable skeleton an existing account already has are refused
at sign-up, in the admin's add and change forms and by createsuperuser; the
database's unique index on the skeleton holds when two sign-ups race.
"""

from io import StringIO
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from accounts.users.confusables import skeleton_digest
from accounts.users.models import User as UserModel

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "violet-harbour-91-lantern"
MIXED = "Enter a username in one alphabet"
INVISIBLE = "Enter a username without invisible letters"
LOOK_ALIKE = "This username looks too much like an existing one."


def sign_up(client, username, email="newcomer@example.com", **headers):
    return client.post(
        reverse("accounts:signup"),
        {
            "username": username,
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        **headers,
    )


def refused(response, message) -> bool:
    return response.status_code == 200 and message in response.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "\u0430lice",  # Cyrillic a, then Latin
        "p\u0430ypal",
        "\u0391lice",  # Greek capital alpha
        "alic\u0435",  # Cyrillic ie at the end
    ],
)
def test_sign_up_refuses_letters_of_alphabets_not_written_together(client, name):
    assert refused(sign_up(client, name), MIXED)
    assert not User.objects.exists()


@pytest.mark.parametrize("filler", ["\u115f", "\u1160", "\u3164", "\uffa0"])
def test_sign_up_refuses_a_name_with_an_invisible_hangul_filler(client, user, filler):
    assert refused(sign_up(client, "alice" + filler), INVISIBLE)
    assert refused(sign_up(client, filler), INVISIBLE)
    assert list(User.objects.all()) == [user]


@pytest.mark.parametrize(
    ("existing", "look_alike"),
    [
        ("alice", "aIice"),  # capital I for small l
        ("alice", "a1ice"),
        ("alice", "AIice"),
        ("bob", "b0b"),
        ("mallory", "rnallory"),  # "rn" for "m"
        ("poe", "\u0440\u043e\u0435"),  # all Cyrillic: one alphabet, same look
        ("carol", "\uff43arol"),  # fullwidth c (NFKC-equal, so the same name)
    ],
)
def test_sign_up_refuses_a_name_that_looks_like_an_existing_one(
    client, make_user, existing, look_alike
):
    make_user(existing)

    response = sign_up(client, look_alike)

    assert response.status_code == 200
    body = response.content.decode()
    assert LOOK_ALIKE in body or "A user with that username already exists." in body
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "name",
    ["김철수", "山田たろう", "kim철수", "Ana.Lucía", "jürgen_2", "alicia", "ali.ce"],
)
def test_sign_up_accepts_names_in_one_alphabet_that_look_like_no_one(
    client, make_user, name
):
    make_user("alice")

    response = sign_up(client, name)

    assert response.status_code == 302
    assert User.objects.filter(username=name).exists()


def test_the_refusal_is_in_korean_on_a_korean_page(client, user):
    response = sign_up(client, "aIice", HTTP_ACCEPT_LANGUAGE="ko")

    assert "이 사용자 이름은 이미 있는 이름과 너무 비슷해 보입니다." in (
        response.content.decode()
    )


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    return client


def test_admin_add_form_refuses_a_look_alike(admin_client, make_user):
    make_user("alice")

    response = admin_client.post(
        "/admin/accounts/user/add/",
        {"username": "a1ice", "email": "a1ice@example.com", "usable_password": "false"},
    )

    assert refused(response, LOOK_ALIKE)
    assert not User.objects.filter(username="a1ice").exists()


def test_admin_add_form_refuses_mixed_alphabets(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "\u0430lice",
            "email": "x@example.com",
            "usable_password": "false",
        },
    )

    assert refused(response, MIXED)


def test_admin_cannot_rename_a_user_to_look_like_another(admin_client, make_user):
    make_user("alice")
    mallory = make_user("mallory")
    page = admin_client.get(f"/admin/accounts/user/{mallory.pk}/change/")
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None and not isinstance(value, list | tuple)
    }
    data.update(
        username="aIice",
        email=mallory.email,
        date_joined_0=mallory.date_joined.strftime("%Y-%m-%d"),
        date_joined_1=mallory.date_joined.strftime("%H:%M:%S"),
        is_active="on",
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("password", None)
    data.pop("email_verified", None)
    data.pop("is_staff", None)
    data.pop("is_superuser", None)

    response = admin_client.post(f"/admin/accounts/user/{mallory.pk}/change/", data)

    assert refused(response, LOOK_ALIKE)
    mallory.refresh_from_db()
    assert mallory.username == "mallory"


def test_a_user_keeps_their_own_name_when_other_details_change(admin_client, user):
    user.first_name = "Alice"
    user.full_clean()
    user.save()

    assert User.objects.get(pk=user.pk).username_skeleton == user.username_skeleton


def test_createsuperuser_refuses_a_look_alike(make_user, monkeypatch):
    make_user("root")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)

    with pytest.raises(CommandError, match=LOOK_ALIKE):
        call_command(
            "createsuperuser",
            "--noinput",
            username="r00t",
            email="r00t@example.com",
            stdout=StringIO(),
        )

    assert not User.objects.filter(username="r00t").exists()


@pytest.mark.parametrize("name", ["\u0430dmin", "admin\u3164"])
def test_createsuperuser_refuses_mixed_alphabets_and_fillers(monkeypatch, name):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)

    with pytest.raises(CommandError):
        call_command(
            "createsuperuser",
            "--noinput",
            username=name,
            email="admin@example.com",
            stdout=StringIO(),
        )

    assert not User.objects.exists()


def test_the_database_refuses_a_second_look_alike_however_it_is_saved(make_user):
    make_user("alice")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("aIice", email="other@example.com")


@pytest.fixture
def concurrent_look_alike_sign_up(make_user):
    """Another sign-up saves "aIice" after this one's name was checked: the
    first check does not see it, the saving then hits the unique index, and
    any later check does see it."""
    clean = UserModel.clean
    checked = []

    def clean_once_blind(user):
        if not checked:
            checked.append(True)
            make_user("aIice", email="first@example.com")
            return None
        return clean(user)

    with mock.patch.object(UserModel, "clean", clean_once_blind):
        yield


@pytest.mark.usefixtures("concurrent_look_alike_sign_up")
def test_a_sign_up_that_loses_a_race_to_a_look_alike_gets_a_form_error(client):
    response = sign_up(client, "alice")

    assert refused(response, LOOK_ALIKE)
    assert list(User.objects.values_list("username", flat=True)) == ["aIice"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_skeletons_and_leaves_older_look_alikes_empty():
    before = [("accounts", "0009_support_permissions_and_admin_password_event")]
    after = [("accounts", "0010_username_skeleton")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_user = executor.loader.project_state(before).apps.get_model("accounts", "User")
    old_user.objects.create(username="alice", email="alice@example.com")
    old_user.objects.create(username="aIice", email="aiice@example.com")
    old_user.objects.create(username="bob", email="bob@example.com")
    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    skeletons = dict(User.objects.values_list("username", "username_skeleton"))
    assert skeletons["alice"] == skeleton_digest("alice")
    assert skeletons["bob"] == skeleton_digest("bob")
    assert skeletons["aIice"] is None
    # The older account's skeleton still refuses new look-alikes.
    response = sign_up(Client(), "a1ice")
    assert refused(response, LOOK_ALIKE)
