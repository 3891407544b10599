"""A failed sign-in is one log line naming what was tried, from where, by what.

Log-based detection of credential stuffing needs the name tried, the client
address and the user agent of each failure, in the text and JSON formats
alike, one line per event.
"""

import copy
import json
import logging
import logging.config

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.conf import app_settings
from accounts.security.logging import RedactSecretsFilter

pytestmark = pytest.mark.django_db

AGENT = "credential-stuffer/2.1 (+https://tool.example)"
WRONG = "Wrong-Guess-Passphrase-9932"


def formatted(record, name: str) -> str:
    """``record`` as the site's console handler writes it in format ``name``."""
    config = logging.config.DictConfigurator(copy.deepcopy(settings.LOGGING))
    formatter = config.configure_formatter(settings.LOGGING["formatters"][name])
    record = copy.copy(record)
    RedactSecretsFilter().filter(record)
    return formatter.format(record)


def failed_sign_in(caplog, username, *, agent=AGENT):
    with caplog.at_level(logging.DEBUG):
        response = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR="203.0.113.9").post(
            reverse("accounts:login"), {"username": username, "password": WRONG}
        )
    assert response.status_code in (200, 429)  # 429 once locked out
    return [r for r in caplog.records if r.name == "accounts.events"]


def test_a_failed_sign_in_logs_the_name_tried_the_address_and_the_agent(caplog, user):
    (record,) = failed_sign_in(caplog, "mallory@example.com")

    line = formatted(record, "text")
    assert "auth event login_failed" in line
    assert 'identifier="mallory@example.com"' in line
    assert "ip=203.0.113.9" in line
    assert f"user_agent={json.dumps(AGENT)}" in line
    assert WRONG not in line


def test_the_json_line_has_each_field_on_its_own(caplog, user):
    (record,) = failed_sign_in(caplog, "alice")

    line = json.loads(formatted(record, "json"))
    assert line["logger"] == "accounts.events"
    assert line["event_type"] == "login_failed"
    assert line["identifier"] == "alice"
    assert line["ip"] == "203.0.113.9"
    assert line["user_agent"] == AGENT
    assert line["user_id"] == user.pk
    assert WRONG not in json.dumps(line)


def test_a_typed_line_break_cannot_forge_a_second_event(caplog, db):
    forged = "x\n2026-01-01 00:00:00 INFO accounts.events auth event login user=1"

    (record,) = failed_sign_in(caplog, forged, agent='a"\r\nb')

    line = formatted(record, "text")
    assert "\n" not in line
    assert "\r" not in line
    assert 'identifier="x\\n2026-01-01' in line
    assert 'user_agent="a\\"\\r\\nb"' in line


def test_a_lockout_is_logged_with_the_name_too(caplog, user):
    for _ in range(app_settings.LOCKOUT_FAILURE_LIMIT):
        records = failed_sign_in(caplog, "alice")

    lockout = [r for r in records if r.event_type == "lockout"]
    assert len(lockout) == 1
    assert 'identifier="alice"' in formatted(lockout[0], "text")
