"""The site's own deployment checks (``manage.py check --deploy``)."""

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from accounts import checks

from .live import production_environment, run_manage

SECURE_COOKIES = {
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_NAME": "__Host-sessionid",
    "CSRF_COOKIE_SECURE": True,
    "CSRF_COOKIE_NAME": "__Host-csrftoken",
}
REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
IMMEDIATE_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
}
# A deployment that passes every check of this module.
SOUND = {
    **SECURE_COOKIES,
    "CACHES": REDIS,
    "EMAIL_BACKEND": SMTP,
    "TASKS": DATABASE_TASKS,
    "AUTHSITE_TRUSTED_PROXY_COUNT": 1,
    "SECURE_SSL_REDIRECT": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
}


def account_check_ids(**settings):
    with override_settings(**{**SOUND, **settings}):
        messages = run_checks(include_deployment_checks=True)
    return sorted(m.id for m in messages if m.id.startswith("accounts."))


def test_sound_deployment_passes_every_check():
    assert account_check_ids() == []


def test_checks_do_not_run_without_deploy():
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    ):
        messages = run_checks()

    assert not [m for m in messages if m.id.startswith("accounts.")]


@pytest.mark.parametrize(
    "hashers",
    [
        [
            "accounts.security.hashers.PBKDF2PasswordHasher",
            "accounts.security.hashers.Argon2PasswordHasher",
        ],
        ["django.contrib.auth.hashers.MD5PasswordHasher"],
    ],
)
def test_argon2_not_first_is_an_error(hashers):
    assert account_check_ids(PASSWORD_HASHERS=hashers) == ["accounts.E001"]


def test_djangos_own_argon2_hasher_first_is_accepted():
    hashers = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

    assert account_check_ids(PASSWORD_HASHERS=hashers) == []


@pytest.mark.parametrize(
    "settings",
    [
        {"SESSION_COOKIE_SECURE": False},
        {"SESSION_COOKIE_NAME": "sessionid"},
        {"SESSION_COOKIE_DOMAIN": "example.com"},
        {"CSRF_COOKIE_SECURE": False},
        {"CSRF_COOKIE_NAME": "csrftoken"},
        {"CSRF_COOKIE_PATH": "/accounts/"},
    ],
)
def test_cookie_without_secure_host_prefix_warns(settings):
    assert account_check_ids(**settings) == ["accounts.W002"]


def test_insecure_cookie_message_names_the_setting():
    with override_settings(**{**SOUND, "CSRF_COOKIE_SECURE": False}):
        [warning] = checks.check_cookies_secure(None)

    assert "CSRF_COOKIE" in warning.msg
    assert warning.hint == checks.COOKIES_NOT_SECURE_HINT.format(setting="CSRF_COOKIE")


@pytest.mark.parametrize(("workers", "servers"), [(2, 1), (1, 3)])
def test_process_local_cache_with_several_processes_warns(workers, servers):
    ids = account_check_ids(
        CACHES=LOCMEM,
        AUTHSITE_WEB_CONCURRENCY=workers,
        AUTHSITE_APP_SERVER_COUNT=servers,
    )

    assert ids == ["accounts.W003"]


def test_process_local_cache_for_a_single_process_is_fine():
    assert (
        account_check_ids(
            CACHES=LOCMEM, AUTHSITE_WEB_CONCURRENCY=1, AUTHSITE_APP_SERVER_COUNT=1
        )
        == []
    )


@pytest.mark.parametrize(
    "backend", [CONSOLE, "django.core.mail.backends.dummy.EmailBackend"]
)
def test_email_that_is_never_delivered_warns(backend):
    assert account_check_ids(EMAIL_BACKEND=backend) == ["accounts.W004"]


@pytest.mark.parametrize(
    "settings",
    [
        {"USE_X_FORWARDED_HOST": True, "SECURE_PROXY_SSL_HEADER": None},
        {"SECURE_SSL_REDIRECT": False},
        {},
    ],
)
def test_proxy_headers_trusted_without_trusted_proxies_is_an_error(settings):
    ids = account_check_ids(AUTHSITE_TRUSTED_PROXY_COUNT=0, **settings)

    assert ids == ["accounts.E005"]


def test_no_proxy_and_no_proxy_headers_is_fine():
    assert (
        account_check_ids(AUTHSITE_TRUSTED_PROXY_COUNT=0, SECURE_PROXY_SSL_HEADER=None)
        == []
    )


def test_ssl_redirect_behind_a_proxy_without_its_ssl_header_is_an_error():
    ids = account_check_ids(
        AUTHSITE_TRUSTED_PROXY_COUNT=2, SECURE_PROXY_SSL_HEADER=None
    )

    assert ids == ["accounts.E006"]


def test_email_sent_inside_requests_warns():
    assert account_check_ids(TASKS=IMMEDIATE_TASKS) == ["accounts.W016"]


MANIFEST_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}


def test_hashed_static_names_without_collectstatic_are_an_error(tmp_path):
    with override_settings(STORAGES=MANIFEST_STORAGES, STATIC_ROOT=tmp_path):
        ids = account_check_ids(STORAGES=MANIFEST_STORAGES, STATIC_ROOT=tmp_path)
        (error,) = checks.check_static_manifest(None)

    assert ids == ["accounts.E014"]
    assert str(tmp_path / "staticfiles.json") in error.msg
    assert "collectstatic" in error.hint


def test_hashed_static_names_after_collectstatic_pass(tmp_path):
    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')

    assert account_check_ids(STORAGES=MANIFEST_STORAGES, STATIC_ROOT=tmp_path) == []


def test_the_production_profile_names_a_missing_collectstatic(tmp_path):
    env = production_environment(
        tmp_path,
        CACHE_URL="rediscache://127.0.0.1:6379/0",
        EMAIL_URL="smtp+tls://mail.example.com:587",
    )

    result = run_manage("check", "--deploy", env=env)

    assert result.returncode == 1
    assert "accounts.E014" in result.stderr
    assert str(tmp_path / "static" / "staticfiles.json") in result.stderr


@pytest.mark.parametrize(
    "site_url", ["http://127.0.0.1:8000", "https://[::1]", "https://10.0.0.5/", "x"]
)
def test_a_site_url_without_a_domain_name_warns_that_passkeys_cannot_work(
    site_url,
):
    assert account_check_ids(AUTHSITE_SITE_URL=site_url) == ["accounts.W012"]


@pytest.mark.parametrize(
    "site_url", ["http://localhost:8000", "https://auth.example.com"]
)
def test_a_site_url_with_a_domain_name_passes(site_url):
    assert account_check_ids(AUTHSITE_SITE_URL=site_url) == []
