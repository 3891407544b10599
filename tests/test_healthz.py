"""``/healthz``: a probe for load balancers."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings

from accounts.models import Session

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


NO_BACKLOG = {"unsent": 0, "oldest_unsent_seconds": 0, "given_up": 0}


def test_healthy_site_answers_200_with_a_tiny_json_body(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "email": NO_BACKLOG,
    }
    assert "no-cache" in response["Cache-Control"]


def test_probe_creates_no_session_and_sets_no_cookie(client):
    response = client.get("/healthz")

    assert response.cookies == {}
    assert Session.objects.count() == 0


def test_unreachable_cache_is_degraded_but_still_answers_200(client):
    # Rate limits let requests through without the cache, so the site
    # still serves: a 503 would take every app server out of rotation.
    with override_settings(CACHES=UNREACHABLE_REDIS):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "error",
        "email": NO_BACKLOG,
    }


def test_failing_database_answers_503_without_details(client):
    with mock.patch(
        "accounts.security.health.connection.cursor",
        side_effect=OperationalError("password authentication failed for user x"),
    ):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "ok"}
    assert b"password" not in response.content


def test_probe_accepts_only_safe_methods(client):
    assert client.post("/healthz").status_code == 405


MANIFEST_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}


def test_missing_static_manifest_answers_503_naming_it(client, tmp_path, caplog):
    with override_settings(STORAGES=MANIFEST_STORAGES, STATIC_ROOT=tmp_path):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "cache": "ok",
        "static": "missing manifest: run collectstatic",
        "email": NO_BACKLOG,
    }
    assert str(tmp_path / "staticfiles.json") in caplog.text


def test_collected_static_files_are_healthy(client, tmp_path):
    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')

    with override_settings(STORAGES=MANIFEST_STORAGES, STATIC_ROOT=tmp_path):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
