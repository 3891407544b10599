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


def migrated_database(tmp_path) -> str:
    """A database of the test's own: email waits in the outbox (a table)."""
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert manage("migrate", DATABASE_URL=database).returncode == 0
    return database


def test_file_backend_folder_can_be_moved(tmp_path):
    database = migrated_database(tmp_path)
    mail = tmp_path / "mail"
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


def test_a_filemail_url_with_a_path_writes_to_that_folder(tmp_path):
    folder = tmp_path / "spool" / "mail"
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from accounts.emails import send_templated_email as send; "
        "send('password_changed', to='a@example.com', "
        "context={'user': {'username': 'a'}, 'reset_url': 'x'}); "
        + PRINT.format("s.EMAIL_FILE_PATH"),
        DATABASE_URL=migrated_database(tmp_path),
        EMAIL_URL=f"filemail://{folder}",
        LOG_LEVEL="WARNING",  # stdout is the setting's value alone
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(folder)
    (written,) = folder.iterdir()
    assert "Your password was changed" in written.read_text()


def test_a_relative_filemail_url_is_beside_manage_py():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        PRINT.format("s.EMAIL_FILE_PATH"),
        EMAIL_URL="filemail://var/outbox",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(BASE_DIR / "var" / "outbox")


def test_email_file_path_still_wins_over_the_urls_path(tmp_path):
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        PRINT.format("s.EMAIL_FILE_PATH"),
        EMAIL_URL="filemail:///srv/elsewhere",
        EMAIL_FILE_PATH=str(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path)
