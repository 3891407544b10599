"""The site's own error pages: its design, both languages, no details."""

import pytest
from django.core.exceptions import BadRequest, PermissionDenied
from django.test import Client, override_settings
from django.urls import include, path

pytestmark = pytest.mark.django_db

SECRET_DETAIL = "database password is hunter2"


def bad_request(request):
    raise BadRequest(SECRET_DETAIL)


def forbidden(request):
    raise PermissionDenied(SECRET_DETAIL)


def crash(request):
    raise RuntimeError(SECRET_DETAIL)


urlpatterns = [
    path("bad/", bad_request),
    path("forbidden/", forbidden),
    path("crash/", crash),
    path("", include("authsite.urls")),
]

CASES = [
    ("/bad/", 400, "Bad request", "잘못된 요청"),
    ("/forbidden/", 403, "Access denied", "접근 권한 없음"),
    ("/no-such-page/", 404, "Page not found", "페이지를 찾을 수 없습니다"),
    ("/crash/", 500, "Something went wrong", "문제가 발생했습니다"),
]


@pytest.fixture
def browser():
    return Client(raise_request_exception=False)


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize(("url", "status", "english", "korean"), CASES)
def test_error_page_in_english_uses_the_site_layout(
    browser, url, status, english, korean
):
    response = browser.get(url)

    body = response.content.decode()
    assert response.status_code == status
    assert f"<h1>{english}</h1>" in body
    assert 'class="site-header"' in body
    assert "/static/css/site.css" in body
    assert SECRET_DETAIL not in body
    assert "Traceback" not in body


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize(("url", "status", "english", "korean"), CASES)
def test_error_page_in_korean(browser, url, status, english, korean):
    response = browser.get(url, headers={"accept-language": "ko"})

    assert response.status_code == status
    assert f"<h1>{korean}</h1>" in response.content.decode()


def test_csrf_failure_explains_how_to_recover(password, user):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        "/accounts/login/", {"username": "alice", "password": password}
    )

    body = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Your form expired</h1>" in body
    assert "reload the page" in body
    assert "CSRF" not in body


@pytest.mark.parametrize("charset", ["utf-16", "latin-1"])
def test_form_in_another_charset_than_utf8_gets_the_400_page(charset):
    """Django refuses such a body; its error handlers read it again for the
    CSRF check, which used to turn the 400 into a bare 500."""
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    browser.get("/accounts/login/")

    response = browser.post(
        "/accounts/login/",
        "username=alice&password=x",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )

    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.content.decode()
