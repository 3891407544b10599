"""Logs: JSON lines on stdout in production, never a password, token or
session key."""

import json

from .live import THROWAWAY_KEY, clean_environment, throwaway_signing_key
from .test_settings import manage

EMIT = """
import logging
events = logging.getLogger("accounts.events")
events.info("login_failed", extra={"username": "alice", "password": "hunter2"})
events.info("login", extra={"user_id": 7, "session_key": "s3ss10nk3y", "token": "t0k"})
logging.getLogger("django.request").warning(
    "Not Found: %s", "/accounts/reset/MQ/cfv3xz-7a1b2c3d4e5f/"
)
logging.getLogger("django.request").warning("Cookie: sessionid=s3ss10nk3y; x=1")
logging.getLogger("django.request").warning(
    "Not Found: %s %s",
    "/accounts/email/confirm/eyJ1IjoxfQ:ch4ng3t0k/",
    "/accounts/not-me/eyJ1IjoxfQ:n0tm3t0k/",
)
logging.getLogger("django.server").info(
    '"%s" %s %s', "GET /accounts/reset/MQ/cfv3xz-7a1b2c3d4e5f/ HTTP/1.1", 200, 5
)
"""
SECRETS = (
    "hunter2",
    "s3ss10nk3y",
    "t0k",
    "cfv3xz-7a1b2c3d4e5f",
    "ch4ng3t0k",
    "n0tm3t0k",
)


def run_in(profile_env, *, stderr=False):
    result = manage("shell", "-v", "0", "-c", EMIT, **profile_env)
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr if stderr else result.stdout


def production_log_lines():
    env = clean_environment(
        DJANGO_ENV="production",
        SECRET_KEY=THROWAWAY_KEY,
        OIDC_RSA_PRIVATE_KEY=throwaway_signing_key(),
        ALLOWED_HOSTS="auth.example.com",
        SITE_URL="https://auth.example.com",
    )
    env.pop("DJANGO_SETTINGS_MODULE")
    stdout = run_in(env)
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_production_writes_one_json_object_per_line_on_stdout():
    lines = production_log_lines()

    assert [line["logger"] for line in lines] == [
        "accounts.events",
        "accounts.events",
        "django.request",
        "django.request",
        "django.request",
        "django.server",
    ]
    assert lines[0]["message"] == "login_failed"
    assert lines[0]["level"] == "INFO"
    assert lines[0]["username"] == "alice"
    assert lines[1]["user_id"] == 7
    assert "time" in lines[0]


def test_production_logs_redact_passwords_tokens_and_session_keys():
    lines = production_log_lines()

    assert lines[0]["password"] == "[redacted]"
    assert lines[1]["session_key"] == "[redacted]"
    assert lines[1]["token"] == "[redacted]"
    assert lines[2]["message"] == "Not Found: /accounts/reset/MQ/[redacted]/"
    written = json.dumps(lines)
    for secret in SECRETS:
        assert secret not in written


def test_development_logs_are_text_and_redacted_too():
    output = run_in({}, stderr=True)  # with DEBUG on, Django logs to both

    assert "INFO accounts.events login_failed" in output
    assert "INFO django.server" in output
    for secret in SECRETS:
        assert secret not in output


def test_the_id_token_an_app_sends_to_the_logout_is_redacted():
    from accounts.security.logging import redact

    line = '"GET /o/logout/?id_token_hint=eyJ0eXAi.eyJhdWQi.c2ln&state=bye HTTP/1.1"'

    assert redact(line) == (
        '"GET /o/logout/?id_token_hint=[redacted]&state=bye HTTP/1.1"'
    )
