"""Browser tests: Playwright drives Debian's Chromium against a live server.

Nothing is downloaded at run time: the browser is ``/usr/bin/chromium``
(``apt-get install chromium``) and axe-core comes from ``tests/e2e/node_modules/``
(``npm ci``). Either missing is a test failure, never a skip.

Fixtures: ``browser`` (one Chromium for the package), ``context`` and
``page`` (fresh cookies per test, URLs relative to the live server, 1280 px
wide, CSP bypassed so axe can be injected), ``new_context()`` (one more such
context: a second browser), ``screenshot(page, name)`` and ``axe(page)``,
``check_page(page, name)`` (both), ``sign_in(page, login, password)``. The
live server runs in this process, so pytest-django's ``mailoutbox`` sees the
email it sends, and the ``clock`` fixture moves the server's time too.
"""

import contextlib
import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium keeps calling home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SCRIPT = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = settings.BASE_DIR / "test-artifacts" / "screenshots"
WIDE, NARROW = 1280, 360
HEIGHT = 800
BLOCKING_IMPACTS = ["serious", "critical"]


@pytest.fixture(scope="package")
def playwright():
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it with "
            "`apt-get install chromium` (the browser tests never download one).",
            pytrace=False,
        )
    if not AXE_SCRIPT.is_file():
        pytest.fail(
            f"axe-core not found at {AXE_SCRIPT}: run `npm ci` (or `make test`).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an event loop running in this thread,
        # which makes Django refuse ORM calls from the (synchronous) tests.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            yield playwright


@pytest.fixture(scope="package")
def browser(playwright):
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """Open another browser context (own cookies, like another browser)."""
    contexts = []

    def open_context():
        # bypass_csp: axe is injected as a script tag, which a strict CSP forbids.
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": WIDE, "height": HEIGHT},
            locale="en-US",
            bypass_csp=True,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        # Let each page's own requests end (a signed-in page without a time
        # zone proposes one as it loads) before the test's database is
        # emptied under them.
        for page in context.pages:
            with contextlib.suppress(PlaywrightError):
                page.wait_for_load_state("networkidle", timeout=5_000)
        context.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    """A tab whose ``goto("/path/")`` is relative to the live server."""
    return context.new_page()


@pytest.fixture
def sign_in():
    """Fill in and submit the sign-in form: ``sign_in(page, "alice", password)``."""

    def submit(page, login, password):
        page.goto("/accounts/login/")
        page.get_by_label("Username or email").fill(login)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in", exact=True).click()

    return submit


@pytest.fixture
def screenshot():
    """Save full-page PNGs at 1280 and 360 px: ``<name>-1280.png``, ``-360.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        for width in (WIDE, NARROW):
            page.set_viewport_size({"width": width, "height": HEIGHT})
            page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": WIDE, "height": HEIGHT})

    return take


@pytest.fixture
def axe():
    """Fail if axe-core finds serious or critical violations on the page."""

    def check(page):
        page.add_script_tag(path=AXE_SCRIPT)
        violations = page.evaluate(
            """async (impacts) => {
                const results = await axe.run(document, {resultTypes: ["violations"]});
                return results.violations
                    .filter((v) => impacts.includes(v.impact))
                    .map((v) => ({
                        id: v.id, impact: v.impact, help: v.help,
                        targets: v.nodes.map((n) => n.target.join(" ")),
                    }));
            }""",
            BLOCKING_IMPACTS,
        )
        report = "\n".join(
            f"  {v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['targets'])}"
            for v in violations
        )
        assert not violations, f"axe-core on {page.url}:\n{report}"

    return check


@pytest.fixture
def check_page(screenshot, axe):
    """Screenshot the page at both widths, then check it with axe-core."""

    def check(page, name):
        # After a click, the assertions may pass before the page has loaded.
        page.wait_for_load_state()
        screenshot(page, name)
        axe(page)

    return check
