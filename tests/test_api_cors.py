"""Cross-origin calls: off by default; then only the app client, only for
the origins in API_CORS_ALLOWED_ORIGINS, and never with credentials."""

import pytest

pytestmark = pytest.mark.django_db

ORIGIN = "https://app.example.com"
PREFLIGHT = {
    "Origin": ORIGIN,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type, x-session-token",
}


@pytest.fixture
def allowed(settings):
    settings.AUTHSITE_API_CORS_ALLOWED_ORIGINS = [ORIGIN]


def test_no_origin_is_allowed_by_default(client):
    response = client.get("/api/app/v1/config", headers={"Origin": ORIGIN})

    assert "Access-Control-Allow-Origin" not in response


def test_a_configured_origin_may_call_the_app_client(client, allowed):
    response = client.get("/api/app/v1/config", headers={"Origin": ORIGIN})

    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "Access-Control-Allow-Credentials" not in response
    assert "Retry-After" in response["Access-Control-Expose-Headers"]


def test_a_configured_origin_passes_the_preflight_with_the_token_header(
    client, allowed
):
    response = client.options("/api/app/v1/auth/login", headers=PREFLIGHT)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "x-session-token" in response["Access-Control-Allow-Headers"]
    assert "POST" in response["Access-Control-Allow-Methods"]


def test_another_origin_is_not_allowed(client, allowed):
    response = client.options(
        "/api/app/v1/auth/login",
        headers={**PREFLIGHT, "Origin": "https://evil.example"},
    )

    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize(
    "path", ["/api/browser/v1/config", "/accounts/login/", "/api/openapi.json"]
)
def test_the_browser_client_and_the_pages_never_answer_other_origins(
    client, allowed, path
):
    response = client.get(path, headers={"Origin": ORIGIN})

    assert "Access-Control-Allow-Origin" not in response


def test_the_setting_comes_from_the_environment():
    import environ

    from accounts import conf

    env = environ.Env()
    env.ENVIRON = {"API_CORS_ALLOWED_ORIGINS": f"{ORIGIN},http://localhost:5173"}

    assert conf.from_environment(env)["AUTHSITE_API_CORS_ALLOWED_ORIGINS"] == [
        ORIGIN,
        "http://localhost:5173",
    ]
