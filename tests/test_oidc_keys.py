"""The keys that sign ID tokens, their rotation, and the users' public IDs."""

import json
import stat
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from accounts.oidc import keys

from .live import clean_environment, manage, run_manage
from .oidc import Request, authorize, exchange, redirect_params


@pytest.fixture(scope="module")
def pem():
    return keys.new_private_key()


def test_the_key_is_read_from_the_environment_on_one_line_too(pem):
    one_line = pem.replace("\n", "\\n")

    assert keys.signing_key({"OIDC_RSA_PRIVATE_KEY": pem}) == pem
    assert keys.signing_key({"OIDC_RSA_PRIVATE_KEY": one_line}) == pem


def test_the_key_is_read_from_a_file(tmp_path, pem):
    path = tmp_path / "key.pem"
    path.write_text(pem)

    assert keys.signing_key({"OIDC_RSA_PRIVATE_KEY_FILE": str(path)}) == pem


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "Set OIDC_RSA_PRIVATE_KEY"),
        ({"OIDC_RSA_PRIVATE_KEY": "secret"}, "is not an unencrypted PEM RSA"),
        ({"OIDC_RSA_PRIVATE_KEY_FILE": "/nonexistent/key.pem"}, "cannot be read"),
    ],
)
def test_without_a_usable_key_the_settings_say_what_to_set(environ, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        keys.signing_key(environ)


def test_a_short_rsa_key_is_refused():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505  (refused below)
    pem = small.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()

    with pytest.raises(ImproperlyConfigured, match="1024-bit"):
        keys.signing_key({"OIDC_RSA_PRIVATE_KEY": pem})


def test_development_makes_a_key_once_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "var" / "oidc-signing-key.pem"

    first = keys.signing_key({}, development_key=path)
    second = keys.signing_key({}, development_key=path)

    assert first == second
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_inactive_keys_come_from_pem_blocks_or_a_file(tmp_path, pem):
    other = keys.new_private_key()
    path = tmp_path / "old.pem"
    path.write_text(other)

    found = keys.inactive_keys(
        {
            "OIDC_RSA_PRIVATE_KEYS_INACTIVE": pem,
            "OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILE": str(path),
        }
    )

    assert found == [pem, other]
    with pytest.raises(ImproperlyConfigured, match="holds no PEM"):
        keys.inactive_keys({"OIDC_RSA_PRIVATE_KEYS_INACTIVE": "garbage"})


def test_the_key_printer_makes_a_usable_key(pem):
    assert keys.signing_key({"OIDC_RSA_PRIVATE_KEY": pem}) == pem


@pytest.mark.django_db
def test_after_a_rotation_tokens_of_the_old_key_still_verify_with_the_jwks(
    client, settings, user, password, make_app
):
    app = make_app("Wiki")
    client.post("/accounts/login/", {"username": "alice", "password": password})
    request = Request(app)
    code = redirect_params(authorize(client, request))["code"]
    old_token = exchange(client, request, code).json()["id_token"]
    old_key = settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"]

    rotated = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": keys.new_private_key(),
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [old_key],
    }
    with override_settings(OAUTH2_PROVIDER=rotated):
        jwks = client.get("/o/.well-known/jwks.json").json()
        request = Request(app)
        code = redirect_params(authorize(client, request))["code"]
        new_token = exchange(client, request, code).json()["id_token"]

    key_set = KeySet.import_key_set(jwks)
    assert len(jwks["keys"]) == 2
    for token in (old_token, new_token):
        assert jwt.decode(token, key_set, algorithms=["RS256"]).claims["sub"]
    new_kid = json.loads(
        __import__("base64").urlsafe_b64decode(new_token.split(".")[0] + "==")
    )["kid"]
    assert new_kid == RSAKey.import_key(rotated["OIDC_RSA_PRIVATE_KEY"]).thumbprint()
    assert jwks["keys"][0]["kid"] == new_kid


MAKE_OLD_USERS = (
    "from django.db import connection; "
    "from django.db.migrations.executor import MigrationExecutor as E; "
    "state = E(connection).loader.project_state("
    "[('accounts', '0008_recovery_code_labels')]); "
    "User = state.apps.get_model('accounts', 'User'); "
    "[User.objects.create(username=n, email=n + '@example.com') "
    "for n in ('ann', 'ben', 'cy')]"
)
PUBLIC_IDS = (
    "from accounts.models import User; "
    "print(*User.objects.values_list('public_id', flat=True))"
)


def test_existing_users_get_distinct_public_ids_from_the_migration(tmp_path):
    env = clean_environment(
        DJANGO_SETTINGS_MODULE="authsite.settings.test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'old.sqlite3'}",
    )
    manage("migrate", "-v", "0", "accounts", "0008_recovery_code_labels", env=env)
    manage("shell", "-v", "0", "-c", MAKE_OLD_USERS, env=env)

    manage("migrate", "-v", "0", env=env)

    printed = run_manage("shell", "-v", "0", "-c", PUBLIC_IDS, env=env).stdout.split()
    assert len(printed) == len(set(printed)) == 3
    assert all(uuid.UUID(value) for value in printed)
