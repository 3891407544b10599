"""Account-lifecycle settings, read from the environment as an operator sets them."""

from pathlib import Path

import pytest

from tests.live import BASE_DIR
from tests.test_settings import manage

PRINT = "from django.conf import settings as s; print({})"


def test_development_writes_email_to_files_under_var_mail():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        PRINT.format("s.EMAIL_BACKEND, s.EMAIL_FILE_PATH"),
    )

    assert result.returncode == 0, result.stderr
    assert "filebased.EmailBackend" in result.stdout
    assert str(BASE_DIR / "var" / "mail") in result.stdout


def test_file_backend_folder_can_be_moved(tmp_path):
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from accounts.emails import send_templated_email as send; "
        "send('password_changed', to='a@example.com', "
        "context={'user': {'username': 'a'}, 'reset_url': 'x'})",
        EMAIL_URL="filemail://",
        EMAIL_FILE_PATH=str(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    (written,) = Path(tmp_path).iterdir()
    assert "Your password was changed" in written.read_text()


def test_lifecycle_defaults():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        PRINT.format(
            "s.ACCOUNT_EMAIL_VERIFICATION, s.ACCOUNT_PREVENT_ENUMERATION, "
            "s.PASSWORD_RESET_TIMEOUT, s.ACCOUNT_EMAIL_VERIFICATION_TIMEOUT"
        ),
    )

    assert result.stdout.split() == ["mandatory", "True", "3600", "259200"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ACCOUNT_EMAIL_VERIFICATION", "sometimes", "ACCOUNT_EMAIL_VERIFICATION must"),
        ("RATELIMIT_SIGNUP", "lots", "RATELIMIT_SIGNUP must"),
        ("RATELIMIT_PASSWORD_RESET", "0/h", "RATELIMIT_PASSWORD_RESET must"),
        ("RATELIMIT_RESEND_VERIFICATION", "5/0m", "RATELIMIT_RESEND_VERIFICATION"),
    ],
)
def test_bad_values_are_refused_clearly(name, value, message):
    result = manage("check", **{name: value})

    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_settings_are_read_from_the_environment():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        PRINT.format("s.ACCOUNT_EMAIL_VERIFICATION, s.RATELIMIT_SIGNUP"),
        ACCOUNT_EMAIL_VERIFICATION="optional",
        RATELIMIT_SIGNUP="20/15m",
    )

    assert result.stdout.split() == ["optional", "20/15m"]
