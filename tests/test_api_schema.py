"""Schemathesis against the API's own OpenAPI document: every operation of
both clients, with generated input, answers no 5xx and only what the
document says (status, content type, body schema, headers), and refuses
input that breaks the schema with a 4xx.

It runs the Django WSGI application in-process. Signed-in operations get a
live session for a user who exists (generated input may delete her, lock
her out, or sign her out); everything else is exactly what schemathesis
generated, including a random ``X-Session-Token`` where the app client may
send one. The example count per operation is bounded so the whole run
takes well under a minute.
"""

import secrets

import pytest
import schemathesis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import PASSWORD

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]


# A request that breaks the schema must be refused: schemathesis expects
# the usual 4xx, and also the API's 410 (the app client sent a token that
# names no session, which is answered before the input is read).
REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "410", "415", "429"]
CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {"checks": {"negative_data_rejection": {"expected-statuses": REFUSALS}}}
)
# Loading the document touches no database: it is generated from the code.
schema = schemathesis.openapi.from_wsgi(
    "/api/openapi.json", get_wsgi_application(), config=CONFIG
)


def signed_in_session_key() -> str:
    """A live, recently authenticated session of alice (re-created if needed)."""
    user, created = get_user_model().objects.get_or_create(
        username="alice",
        defaults={"email": "alice@example.com", "email_verified": True},
    )
    if created:
        user.set_password(PASSWORD)
        user.save()
    browser = Client()
    browser.force_login(user)
    return browser.cookies[settings.SESSION_COOKIE_NAME].value


def use_live_credentials(case):
    """Swap generated credentials for live ones, where the case sends any.

    A case that leaves a credential out on purpose (schemathesis checks the
    refusal) keeps it out.
    """
    headers = case.headers if case.headers is not None else {}
    cookies = case.cookies if case.cookies is not None else {}
    security = case.operation.definition.raw.get("security", [])
    needs = {name for requirement in security for name in requirement}
    if "sessionToken" in needs and "X-Session-Token" in headers:
        headers["X-Session-Token"] = signed_in_session_key()
    if settings.SESSION_COOKIE_NAME in cookies:
        cookies[settings.SESSION_COOKIE_NAME] = signed_in_session_key()
    if "X-CSRFToken" in headers:
        secret = secrets.token_hex(16)
        headers["X-CSRFToken"] = secret
        cookies[settings.CSRF_COOKIE_NAME] = secret
    case.headers, case.cookies = headers, cookies


@pytest.fixture
def connection_kept_across_requests():
    """Keep the test's database connection open between in-process requests.

    The WSGI handler closes connections whose autocommit differs from the
    settings at each request's start and end, which a test transaction
    always does; Django's test client stops that for its requests the same
    way.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("connection_kept_across_requests")
@schema.parametrize()
@hypothesis_settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same cases every run, and no example database
    database=None,
)
def test_every_operation_answers_as_documented(case):
    use_live_credentials(case)

    case.call_and_validate(checks=CHECKS)
