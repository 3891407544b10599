"""Account-lifecycle settings, read from the environment as an operator sets them."""

import pytest

from tests.live import BASE_DIR
from tests.test_settings import manage

PRINT = "from django.conf import settings as s; print({})"
APP_PRINT = (
    "from django.conf import settings as s; "
    "from accounts.conf import app_settings as a; print({})"
)


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
    # Email waits in the outbox (a table) on its way: a database of its own.
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    mail = tmp_path / "mail"
    assert manage("migrate", DATABASE_URL=database).returncode == 0
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from accounts.emails import send_templated_email as send; "
        "send('password_changed', to='a@example.com', "
        "context={'user': {'username': 'a'}, 'reset_url': 'x'})",
        DATABASE_URL=database,
        EMAIL_URL="filemail://",
        EMAIL_FILE_PATH=str(mail),
    )

    assert result.returncode == 0, result.stderr
    (written,) = mail.iterdir()
    assert "Your password was changed" in written.read_text()


def test_lifecycle_defaults():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        APP_PRINT.format(
            "a.EMAIL_VERIFICATION, a.PREVENT_ENUMERATION, "
            "s.PASSWORD_RESET_TIMEOUT, a.EMAIL_VERIFICATION_TIMEOUT"
        ),
    )

    assert result.stdout.split() == ["mandatory", "True", "3600", "259200"]


@pytest.mark.parametrize(
    ("name", "value", "check_id"),
    [
        ("ACCOUNT_EMAIL_VERIFICATION", "sometimes", "accounts.E008"),
        ("RATELIMIT_SIGNUP", "lots", "accounts.E009"),
        ("RATELIMIT_PASSWORD_RESET", "0/h", "accounts.E009"),
        ("RATELIMIT_RESEND_VERIFICATION", "5/0m", "accounts.E009"),
    ],
)
def test_bad_values_fail_the_checks_naming_the_variable(name, value, check_id):
    result = manage("check", **{name: value})

    assert result.returncode == 1
    assert check_id in result.stderr
    assert f"{name} must" in result.stderr
    assert repr(value) in result.stderr
    assert "Traceback" not in result.stderr


def test_settings_are_read_from_the_environment():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        APP_PRINT.format("a.EMAIL_VERIFICATION, a.RATELIMIT_SIGNUP"),
        ACCOUNT_EMAIL_VERIFICATION="optional",
        RATELIMIT_SIGNUP="20/15m",
    )

    assert result.stdout.split() == ["optional", "20/15m"]
