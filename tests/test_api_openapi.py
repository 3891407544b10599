"""The OpenAPI 3.1 document (generated from the code) and the docs page."""

import json

import pytest

from accounts.api.api import api

pytestmark = pytest.mark.django_db

ALLAUTH_PATHS = [
    "/auth/login",
    "/auth/session",
    "/auth/signup",
    "/auth/email/verify",
    "/auth/password/request",
    "/auth/password/reset",
    "/auth/2fa/authenticate",
    "/auth/reauthenticate",
    "/account/password/change",
    "/account/authenticators",
    "/auth/sessions",
    "/config",
]


@pytest.fixture
def document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_the_document_is_openapi_3_1_generated_from_the_code(document):
    assert document["openapi"] == "3.1.0"
    assert document == json.loads(
        json.dumps(api.get_openapi_schema(path_prefix="/api/"))
    )


@pytest.mark.parametrize("client_name", ["browser", "app"])
@pytest.mark.parametrize("path", ALLAUTH_PATHS)
def test_allauths_paths_exist_for_both_clients(document, client_name, path):
    assert f"/api/{client_name}/v1{path}" in document["paths"]


def test_both_clients_have_the_same_operations(document):
    def of(client_name):
        prefix = f"/api/{client_name}/v1"
        return {
            (path.removeprefix(prefix), method)
            for path, method, _op in operations(document)
            if path.startswith(prefix)
        }

    assert of("browser") == of("app")
    assert len(of("app")) >= 25


def test_operation_ids_are_unique(document):
    ids = [op["operationId"] for _path, _method, op in operations(document)]

    assert len(ids) == len(set(ids))


def test_every_response_is_described_with_a_body_schema(document):
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            assert response["description"], (path, method, status)
            assert "application/json" in response["content"], (path, method, status)


def test_every_operation_lists_the_refusals_it_can_give(document):
    for path, method, operation in operations(document):
        statuses = set(operation["responses"])
        app = path.startswith("/api/app/")
        if app:
            assert "410" in statuses, (path, method)
        elif method in ("post", "patch", "delete"):
            assert "403" in statuses, (path, method)
        inputs = [
            p for p in operation.get("parameters", []) if p["name"] != "X-Session-Token"
        ]
        if "requestBody" in operation or inputs:
            assert "400" in statuses, (path, method)
        credentials = {name for req in operation.get("security", []) for name in req}
        if credentials & {"sessionToken", "sessionCookie"}:
            assert "401" in statuses, (path, method)


def test_errors_have_code_message_and_param(document):
    item = document["components"]["schemas"]["ErrorItem"]

    assert set(item["properties"]) == {"code", "message", "param"}
    assert set(item["required"]) == {"code", "message"}


def test_rate_limited_answers_document_retry_after(document):
    for path, method, operation in operations(document):
        for status in ("429", "503"):
            if status in operation["responses"]:
                headers = operation["responses"][status]["headers"]
                assert "Retry-After" in headers, (path, method, status)


def test_signed_in_operations_name_their_credentials(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["sessionToken"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Session-Token",
        "description": schemes["sessionToken"]["description"],
    }
    sessions = document["paths"]["/api/app/v1/auth/sessions"]["get"]
    assert sessions["security"] == [{"sessionToken": []}]
    browser = document["paths"]["/api/browser/v1/auth/sessions"]
    assert browser["get"]["security"] == [{"sessionCookie": []}]
    assert browser["delete"]["security"] == [{"sessionCookie": [], "csrfToken": []}]
    login = document["paths"]["/api/browser/v1/auth/login"]["post"]
    assert login["security"] == [{"csrfToken": []}]
    assert "security" not in document["paths"]["/api/app/v1/auth/login"]["post"]


def test_the_docs_page_loads_swagger_ui_from_the_site_under_the_strict_csp(client):
    response = client.get("/api/docs/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "/static/js/api-docs.js" in page
    assert "cdn" not in page.lower()
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert "unsafe" not in policy


def test_only_the_docs_page_allows_data_images(client):
    policy = client.get("/api/app/v1/config")["Content-Security-Policy"]

    assert "data:" not in policy


def test_an_unknown_api_path_is_a_404(client):
    assert client.get("/api/app/v1/nope").status_code == 404


def test_a_method_an_operation_lacks_is_a_405_with_allow(client):
    response = client.put("/api/app/v1/auth/session")

    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "DELETE"}
