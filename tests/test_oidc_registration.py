"""Registering an app: ``manage.py register_app``, or the admin."""

import re
from io import StringIO

import pytest
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command

from accounts.conf import app_settings
from accounts.models import Application

pytestmark = pytest.mark.django_db

ISSUER = app_settings.SITE_URL + "/o"


def register(*args) -> str:
    out = StringIO()
    call_command("register_app", *args, stdout=out)
    return out.getvalue()


def printed(output: str, name: str) -> str:
    return re.search(rf"^\s+{name}:\s+(\S+)", output, re.MULTILINE)[1]


def test_registering_prints_the_client_id_the_secret_once_and_the_issuer():
    output = register(
        "--name",
        "Wiki",
        "--confidential",
        "--redirect-uri",
        "https://wiki.example.com/callback",
        "--redirect-uri",
        "https://wiki.example.com/callback2",
        "--post-logout-redirect-uri",
        "https://wiki.example.com/",
        "--first-party",
    )

    app = Application.objects.get(name="Wiki")
    secret = printed(output, "client_secret")
    assert printed(output, "client_id") == app.client_id
    assert printed(output, "issuer") == ISSUER
    assert printed(output, "discovery") == ISSUER + "/.well-known/openid-configuration"
    assert "shown once" in output
    assert secret not in app.client_secret
    assert check_password(secret, app.client_secret)
    assert app.redirect_uris.split() == [
        "https://wiki.example.com/callback",
        "https://wiki.example.com/callback2",
    ]
    assert app.post_logout_redirect_uris == "https://wiki.example.com/"
    assert app.skip_authorization
    assert app.algorithm == "RS256"
    assert app.authorization_grant_type == "authorization-code"


def test_a_public_app_gets_no_secret():
    output = register(
        "--name", "Desk", "--public", "--redirect-uri", "http://127.0.0.1/callback"
    )

    assert "client_secret: none" in output
    assert Application.objects.get(name="Desk").client_type == "public"


def test_a_resource_server_registers_without_redirect_uris():
    output = register("--name", "API", "--confidential", "--may-introspect")

    app = Application.objects.get(client_id=printed(output, "client_id"))
    assert app.may_introspect
    assert app.authorization_grant_type == "client-credentials"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--public"], "needs at least one --redirect-uri"),
        (["--public", "--redirect-uri", "wiki.example.com/cb"], "redirect_uris"),
        (["--public", "--redirect-uri", "https://wiki.example.com/cb#x"], "redirect"),
        (["--public", "--redirect-uri", "javascript:alert(1)"], "redirect_uris"),
        (["--public", "--may-introspect"], "--may-introspect needs --confidential"),
    ],
)
def test_a_bad_registration_says_why_and_registers_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        register("--name", "Wiki", *args)

    assert not Application.objects.exists()


def test_a_fixed_client_id_can_be_registered_once_or_left_alone():
    args = ["--name", "Example", "--public", "--redirect-uri", "http://localhost/cb"]
    register(*args, "--client-id", "example-rp")

    with pytest.raises(CommandError, match="exists already"):
        register(*args, "--client-id", "example-rp")
    again = register(*args, "--client-id", "example-rp", "--if-missing")

    assert "already registered" in again
    assert Application.objects.filter(client_id="example-rp").count() == 1


@pytest.fixture
def superuser_client(client, make_user):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


def test_a_superuser_registers_an_app_in_the_admin(superuser_client):
    page = superuser_client.get("/admin/accounts/application/add/")
    secret = re.search(r'name="client_secret" value="([^"]+)"', page.content.decode())[
        1
    ]
    client_id = re.search(r'name="client_id" value="([^"]+)"', page.content.decode())[1]

    response = superuser_client.post(
        "/admin/accounts/application/add/",
        {
            "name": "Wiki",
            "client_id": client_id,
            "client_type": "confidential",
            "client_secret": secret,
            "authorization_grant_type": "authorization-code",
            "redirect_uris": "https://wiki.example.com/callback",
            "post_logout_redirect_uris": "",
            "allowed_origins": "",
            "algorithm": "RS256",
            "skip_authorization": "on",
        },
        follow=True,
    )

    app = Application.objects.get(name="Wiki")
    assert app.skip_authorization
    assert check_password(secret, app.client_secret)
    assert f"client ID {client_id}, issuer {ISSUER}" in response.content.decode()
    assert "cannot be shown again" in response.content.decode()


def test_staff_without_the_application_permissions_cannot_see_apps(client, make_user):
    staff = make_user("helper", is_staff=True)
    client.force_login(staff)

    assert client.get("/admin/accounts/application/").status_code == 403
    assert client.get("/admin/accounts/application/add/").status_code == 403

    staff.user_permissions.add(Permission.objects.get(codename="view_application"))
    assert client.get("/admin/accounts/application/").status_code == 200
    assert client.get("/admin/accounts/application/add/").status_code == 403


def test_the_admin_hides_hs256_and_the_unhashed_secret_switch(superuser_client):
    page = superuser_client.get("/admin/accounts/application/add/").content.decode()

    assert '<option value="HS256"' not in page
    assert 'name="hash_client_secret"' not in page
    assert "First-party" in page
    assert "May introspect tokens" in page


def test_admins_find_a_user_by_the_sub_an_app_reports(superuser_client, make_user):
    alice = make_user("alice")
    make_user("bob")

    found = superuser_client.get(
        "/admin/accounts/user/", {"q": str(alice.public_id)}
    ).content.decode()
    page = superuser_client.get(f"/admin/accounts/user/{alice.pk}/change/")

    assert "alice@example.com" in found
    assert "bob@example.com" not in found
    assert str(alice.public_id) in page.content.decode()


def test_searching_users_by_a_name_still_works_beside_the_public_id(
    superuser_client, make_user
):
    make_user("alice")

    found = superuser_client.get("/admin/accounts/user/", {"q": "alice"})

    assert found.status_code == 200
    assert "alice@example.com" in found.content.decode()
