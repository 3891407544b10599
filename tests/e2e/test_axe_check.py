"""The accessibility check itself: it must fail on a page axe-core rejects."""

import pytest


def test_axe_check_fails_on_serious_violations(page, axe):
    page.set_content(
        '<!doctype html><html lang="en"><title>t</title>'
        '<main><img src="data:,"><input type="text"></main></html>'
    )

    with pytest.raises(AssertionError, match=r"critical: image-alt"):
        axe(page)


def test_axe_check_passes_a_clean_page(page, axe):
    page.set_content(
        '<!doctype html><html lang="en"><title>t</title>'
        '<main><h1>Hello</h1><label for="q">Query</label>'
        '<input id="q" type="text"></main></html>'
    )

    axe(page)
