"""English and Korean ship complete: every string translated, compiled, current."""

import shutil
import subprocess
import sys

import polib
import pytest
from django.urls import reverse

from .live import BASE_DIR, copy_project

PO_FILE = BASE_DIR / "locale/ko/LC_MESSAGES/django.po"
# Korean for strings of django-oauth-toolkit's that its admin shows
# untranslated: apart, so that `make messages` (which keeps only the
# project's own strings in PO_FILE) never drops them.
THIRD_PARTY_PO_FILE = BASE_DIR / "locale/third_party/ko/LC_MESSAGES/django.po"
CATALOGUES = pytest.mark.parametrize(
    "po_file", [PO_FILE, THIRD_PARTY_PO_FILE], ids=["project", "third_party"]
)


def _catalog(entries):
    return {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in entries
        if e.msgid
    }


@CATALOGUES
def test_every_korean_entry_is_translated_and_not_fuzzy(po_file):
    po = polib.pofile(str(po_file))

    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert not po.metadata_is_fuzzy


@CATALOGUES
def test_compiled_korean_catalog_matches_the_po_file(po_file):
    po = polib.pofile(str(po_file))
    mo = polib.mofile(str(po_file.with_suffix(".mo")))

    assert _catalog(mo) == _catalog(e for e in po if not e.obsolete)


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="gettext tools are not installed"
)
def test_make_messages_finds_the_catalogue_as_committed(tmp_path):
    """Every string of the source is in the catalogue, and nothing else: an
    entry ``make messages`` would drop (a string of a library's) belongs in
    THIRD_PARTY_PO_FILE, which it leaves alone."""
    tree = copy_project(tmp_path / "tree")
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "ko",
            "--ignore=tests",
            "--ignore=bench",
            "--no-obsolete",
            "-v0",
        ],
        cwd=tree,
        check=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "authsite.settings"},
    )
    fresh = {
        (e.msgctxt, e.msgid)
        for e in polib.pofile(str(tree / PO_FILE.relative_to(BASE_DIR)))
    }
    committed = {
        (e.msgctxt, e.msgid) for e in polib.pofile(str(PO_FILE)) if not e.obsolete
    }

    assert fresh - committed == set(), "run `make messages` and translate"
    assert committed - fresh == set(), "`make messages` would drop these"
    third_party = tree / THIRD_PARTY_PO_FILE.relative_to(BASE_DIR)
    assert third_party.read_bytes() == THIRD_PARTY_PO_FILE.read_bytes()


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["accounts:login"])
def test_public_pages_render_in_korean(client, url_name):
    response = client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE="ko")

    body = response.content.decode()
    assert '<html lang="ko">' in body
    assert "로그인" in body
    for english in ("Sign in", "Username or email", "Password", "Language"):
        assert english not in body


def test_dashboard_renders_in_korean(logged_in_client):
    response = logged_in_client.get(
        reverse("accounts:dashboard"), HTTP_ACCEPT_LANGUAGE="ko"
    )

    body = response.content.decode()
    assert "대시보드" in body
    for english in ("Dashboard", "Member since", "Sign out", "Your account"):
        assert english not in body


def test_language_switcher_changes_the_language(client, db):
    response = client.post(
        reverse("set_language"),
        {"language": "ko", "next": "/accounts/login/"},
        follow=True,
    )

    assert '<html lang="ko">' in response.content.decode()
