"""The settings profiles, exercised the way an operator runs them."""

import pytest

from .live import clean_environment, run_manage

REAL_KEY = "k" * 20 + "3xR9!vQ2@zL7#mP4$wN8%bT6^hY1&cF5*"


def manage(*args, **env):
    """Run manage.py in a clean environment (no test settings, no .env)."""
    return run_manage(*args, env=clean_environment(**env))


def test_development_runs_with_no_environment_at_all():
    result = manage("check")

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("key", [None, "short", "django-insecure-development-only"])
def test_debug_off_refuses_to_start_without_a_real_secret_key(key):
    env = {"DEBUG": "False"}
    if key is not None:
        env["SECRET_KEY"] = key

    result = manage("check", **env)

    assert result.returncode == 1
    assert "SECRET_KEY must be set" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="example.com")

    assert result.returncode == 1
    assert "SECRET_KEY must be set" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_profile_is_refused_clearly():
    result = manage("check", DJANGO_ENV="staging")

    assert result.returncode == 1
    assert "DJANGO_ENV must be" in result.stderr


def test_production_profile_passes_check_deploy():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=REAL_KEY,
        ALLOWED_HOSTS="auth.example.com",
        SITE_URL="https://auth.example.com",
        CACHE_URL="rediscache://127.0.0.1:6379/0",
        EMAIL_URL="smtp+tls://mail.example.com:587",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_starting_with_a_dollar_sign_is_used_as_is():
    result = manage(
        "check",
        DJANGO_ENV="production",
        SECRET_KEY="$" + REAL_KEY,
        ALLOWED_HOSTS="auth.example.com",
        SITE_URL="https://auth.example.com",
    )

    assert result.returncode == 0, result.stderr
