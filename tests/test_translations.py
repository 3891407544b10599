"""English and Korean ship complete: every string translated, compiled, current."""

import shutil
import subprocess
import sys

import polib
import pytest
from django.urls import reverse

from .live import BASE_DIR, copy_project

PO_FILE = BASE_DIR / "locale/ko/LC_MESSAGES/django.po"
MO_FILE = PO_FILE.with_suffix(".mo")


def _catalog(entries):
    return {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in entries
        if e.msgid
    }


def test_every_korean_entry_is_translated_and_not_fuzzy():
    po = polib.pofile(str(PO_FILE))

    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert not po.metadata_is_fuzzy


def test_compiled_korean_catalog_matches_the_po_file():
    po = polib.pofile(str(PO_FILE))
    mo = polib.mofile(str(MO_FILE))

    assert _catalog(mo) == _catalog(e for e in po if not e.obsolete)


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="gettext tools are not installed"
)
def test_po_file_holds_every_translatable_string_in_the_source(tmp_path):
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
