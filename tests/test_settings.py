"""The settings profiles, exercised the way an operator runs them."""

import subprocess
import sys

import pytest

from .live import clean_environment, copy_project, run_manage

REAL_KEY = "k" * 20 + "3xR9!vQ2@zL7#mP4$wN8%bT6^hY1&cF5*"
# Prints what the chosen profile decided: DEBUG and the session cookie name.
SETTINGS_PROBE = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DEBUG, settings.SESSION_COOKIE_NAME)"
)


def manage(*args, **env):
    """Run manage.py in a clean environment (no test settings, no .env)."""
    return run_manage(*args, env=clean_environment(**env))


def run_python(project, code, *, env):
    """Run Python ``code`` in ``project`` (a copy of this one) with ``env``."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        env={**env, "PYTHONPATH": str(project)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


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


def test_production_profile_passes_check_deploy(tmp_path):
    production = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": REAL_KEY,
        "ALLOWED_HOSTS": "auth.example.com",
        "SITE_URL": "https://auth.example.com",
        "CACHE_URL": "rediscache://127.0.0.1:6379/0",
        "EMAIL_URL": "smtp+tls://mail.example.com:587",
        # A release collects static files first (accounts.E014 otherwise).
        "STATIC_ROOT": str(tmp_path),
    }
    collected = manage("collectstatic", "--noinput", "-v", "0", **production)
    assert collected.returncode == 0, collected.stderr

    result = manage("check", "--deploy", "--fail-level", "WARNING", **production)

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


@pytest.fixture
def project_with_dotenv(tmp_path):
    """A copy of the project with a ``.env`` file beside its ``manage.py``."""
    project = copy_project(tmp_path / "authsite")

    def write(**variables):
        lines = [f"{name}={value}" for name, value in variables.items()]
        (project / ".env").write_text("\n".join(lines) + "\n")
        return project

    return write


def test_dotenv_file_can_name_the_production_profile(project_with_dotenv):
    project = project_with_dotenv(
        DJANGO_ENV="production",
        SECRET_KEY=REAL_KEY,
        ALLOWED_HOSTS="auth.example.com",
        SITE_URL="https://auth.example.com",
    )

    result = run_python(project, SETTINGS_PROBE, env=clean_environment())

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "__Host-sessionid"]


def test_real_environment_wins_over_the_dotenv_file(project_with_dotenv):
    project = project_with_dotenv(DJANGO_ENV="production")

    result = run_python(
        project, SETTINGS_PROBE, env=clean_environment(DJANGO_ENV="development")
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "sessionid"]


def test_test_settings_ignore_a_profile_named_in_the_dotenv_file(project_with_dotenv):
    project = project_with_dotenv(DJANGO_ENV="production")

    result = run_python(
        project,
        SETTINGS_PROBE,
        env={**clean_environment(), "DJANGO_SETTINGS_MODULE": "authsite.settings.test"},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "sessionid"]


def test_gunicorn_config_reads_the_dotenv_file(project_with_dotenv):
    project = project_with_dotenv(WEB_CONCURRENCY="3", GUNICORN_THREADS="5")

    result = run_python(
        project,
        "import runpy; c = runpy.run_path('authsite/gunicorn.conf.py'); "
        "print(c['workers'], c['threads'])",
        env=clean_environment(),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["3", "5"]
