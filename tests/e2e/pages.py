"""Small helpers for finding things on the site's pages."""

import re


def field(page, label):
    """The input labelled exactly ``label`` (Django's labels may end in a colon)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def header(page):
    """The site header's navigation (its "Sign out" button, ...)."""
    return page.get_by_role("navigation", name=re.compile("^(Account|계정)$"))
