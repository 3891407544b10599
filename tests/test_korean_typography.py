"""Korean that reads right: whole words, 오전/오후 first, family name first
(issue 17)."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

pytestmark = pytest.mark.django_db

KO = {"HTTP_ACCEPT_LANGUAGE": "ko"}


def served_css(client) -> str:
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def test_korean_pages_are_marked_korean_and_their_stylesheet_keeps_words_whole(
    client,
):
    page = client.get(reverse("accounts:login"), **KO).content.decode()

    assert '<html lang="ko">' in page
    assert 'href="/static/css/site.css"' in page
    rule = re.search(r":lang\(ko\)\s*\{([^}]*)\}", served_css(client))
    assert rule, "no :lang(ko) rule in site.css"
    assert "word-break: keep-all" in rule[1]
    assert "overflow-wrap: anywhere" in rule[1]


def test_english_pages_are_marked_english(client):
    assert '<html lang="en">' in client.get(reverse("accounts:login")).content.decode()


def test_korean_times_put_the_half_of_the_day_before_the_time():
    evening = datetime.datetime(2026, 12, 6, 21, 15)
    morning = datetime.datetime(2026, 12, 6, 2, 11)

    with translation.override("ko"):
        assert (
            formats.date_format(evening, "DATETIME_FORMAT")
            == "2026년 12월 6일 오후 9:15"
        )
        assert formats.date_format(morning, "TIME_FORMAT") == "오전 2:11"
    with translation.override("en"):
        assert formats.date_format(evening, "DATETIME_FORMAT") == "Dec 6, 2026, 9:15 PM"


def test_the_korean_profile_asks_for_the_family_name_first(logged_in_client):
    korean = logged_in_client.get(reverse("accounts:profile"), **KO).content.decode()
    english = logged_in_client.get(reverse("accounts:profile")).content.decode()

    assert korean.index('name="last_name"') < korean.index('name="first_name"')
    assert korean.index(">성</label>") < korean.index(">이름</label>")
    assert english.index('name="first_name"') < english.index('name="last_name"')
    for page in (korean, english):
        assert page.index('name="email"') < page.index('name="time_zone"')


def test_one_spelling_of_english_on_the_pages(logged_in_client):
    for name in ("accounts:sessions", "accounts:activity"):
        body = logged_in_client.get(reverse(name)).content.decode()
        assert "recognize" in body
        assert "recognise" not in body
    assert "recognise" not in Client().get(reverse("accounts:login")).content.decode()


BRITISH = re.compile(
    r"\b\w*(recognis|authoris|organis|colour|licence|cancelled|behaviour|"
    r"favour|catalogue|defence|labelled)\w*",
    re.IGNORECASE,
)


def test_the_translated_strings_use_american_spelling():
    import polib
    from django.conf import settings

    po = polib.pofile(str(settings.BASE_DIR / "locale/ko/LC_MESSAGES/django.po"))

    british = {
        match[0]
        for entry in po
        if not entry.obsolete
        for match in BRITISH.finditer(f"{entry.msgid} {entry.msgid_plural}")
    }
    assert british == set()
