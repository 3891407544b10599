"""The strict Content-Security-Policy and the templates that must obey it."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Email templates are not served to browsers (and mail clients need inline
# styles), so the page policy does not apply to them.
PAGE_TEMPLATES = sorted(
    path for path in TEMPLATES.rglob("*.html") if "emails" not in path.parts
)
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE
)


@pytest.mark.parametrize("template", PAGE_TEMPLATES, ids=lambda p: str(p.name))
def test_page_template_has_no_inline_script_style_or_handler(template):
    assert INLINE.findall(template.read_text()) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", [reverse("accounts:login"), reverse("admin:login"), "/healthz"]
)
def test_every_response_carries_the_strict_policy(client, url):
    policy = client.get(url)["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe" not in policy


@pytest.mark.django_db
def test_the_policy_follows_its_settings_when_they_change(client, settings):
    """The header is built once per process, but not kept past a change."""
    url = reverse("accounts:login")
    assert "img-src 'self'" in client.get(url)["Content-Security-Policy"]

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
        "DIRECTIVES": {"img-src": ["'none'"]},
        "EXCLUDE_URL_PREFIXES": ["/healthz"],
    }
    response = client.get(url)

    assert response["Content-Security-Policy"] == "default-src 'self'"
    assert "img-src 'none'" in response["Content-Security-Policy-Report-Only"]
    assert "Content-Security-Policy-Report-Only" not in client.get("/healthz")
