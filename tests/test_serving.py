"""The production profile served by gunicorn, as ``make serve`` runs it."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from .live import Browser, GunicornServer, create_user, prepare, production_environment

pytestmark = pytest.mark.live

PASSWORD = "correct-horse-battery-staple"
PORT = 18431


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Production profile on SQLite, two workers, behind a simulated proxy."""
    tmp_path = tmp_path_factory.mktemp("serving")
    env = production_environment(tmp_path, WEB_CONCURRENCY="2")
    prepare(env)
    create_user(env, "alice", PASSWORD)
    with GunicornServer(PORT, env, tmp_path / "gunicorn.log") as running:
        yield running


def assert_hardened_headers(response):
    assert response.header("Strict-Transport-Security") == (
        "max-age=31536000; includeSubDomains; preload"
    )
    csp = response.header("Content-Security-Policy")
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.header("X-Frame-Options") == "DENY"
    assert response.header("Referrer-Policy") == "same-origin"
    assert response.header("Cross-Origin-Opener-Policy") == "same-origin"
    assert response.header("X-Content-Type-Options") == "nosniff"


def test_login_page_carries_every_security_header(server):
    browser = Browser(server.port)

    response = browser.get("/accounts/login/")

    assert response.status == 200
    assert_hardened_headers(response)
    [csrf_cookie] = response.set_cookies
    assert csrf_cookie.startswith("__Host-csrftoken=")
    assert "; Secure" in csrf_cookie
    assert "; HttpOnly" in csrf_cookie
    assert "SameSite=Lax" in csrf_cookie
    assert "Path=/" in csrf_cookie
    assert "Domain" not in csrf_cookie


def test_sign_in_sets_a_secure_host_session_cookie_and_dashboard_is_hardened(server):
    browser = Browser(server.port)

    login = browser.login("alice", PASSWORD)
    dashboard = browser.get("/dashboard/")

    assert login.status == 302
    session_cookie = next(
        c for c in login.set_cookies if c.startswith("__Host-sessionid=")
    )
    assert "; Secure" in session_cookie
    assert "; HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie
    assert dashboard.status == 200
    assert "alice@example.com" in dashboard.body
    assert_hardened_headers(dashboard)


def test_plain_http_is_redirected_but_healthz_answers_load_balancers(server):
    browser = Browser(server.port, https=False)

    login = browser.get("/accounts/login/")
    health = browser.get("/healthz")

    assert login.status == 301
    assert login.header("Location") == "https://127.0.0.1/accounts/login/"
    assert health.status == 200
    assert health.set_cookies == []


def test_static_files_are_served_compressed_with_hashed_names(server):
    browser = Browser(server.port)
    page = browser.get("/accounts/login/")
    [stylesheet] = [
        part.split('"')[0] for part in page.body.split('href="')[1:] if ".css" in part
    ]

    css = browser.get(stylesheet, headers={"Accept-Encoding": "gzip"})

    assert stylesheet.startswith("/static/css/site.")
    assert stylesheet != "/static/css/site.css"
    assert css.status == 200
    assert css.header("Content-Encoding") == "gzip"
    assert "immutable" in css.header("Cache-Control")


def test_unknown_page_is_the_sites_404_without_details(server):
    response = Browser(server.port).get(
        "/no-such-page/", headers={"Accept-Language": "ko"}
    )

    assert response.status == 404
    assert "페이지를 찾을 수 없습니다" in response.body
    assert "Traceback" not in response.body
    assert "URLconf" not in response.body


def test_twenty_parallel_logins_and_dashboard_loads_on_sqlite_never_fail(server):
    def sign_in_and_load_dashboard(_):
        browser = Browser(server.port)
        login = browser.login("alice", PASSWORD)
        dashboard = browser.get("/dashboard/")
        return login.status, dashboard.status

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(sign_in_and_load_dashboard, range(20)))

    assert results == [(302, 200)] * 20


def test_access_log_keeps_reset_tokens_out(server):
    Browser(server.port).get("/accounts/reset/MQ/cfv3xz-7a1b2c3d4e5f/")

    line = '"GET /accounts/reset/MQ/[redacted]/ HTTP/1.1" 400'  # a forged link
    log = server.wait_for_log(line)
    assert line in log
    assert "cfv3xz-7a1b2c3d4e5f" not in log
