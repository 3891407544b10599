"""User-agent strings in words, for the sessions list and the admin."""

from functools import lru_cache

import ua_parser
from django.utils.translation import gettext as _

# Longer user-agent strings are cut: they are shown, never trusted.
USER_AGENT_MAX_LENGTH = 512


def request_user_agent(request) -> str:
    """The request's ``User-Agent`` header, cut to what the models store."""
    return request.headers.get("User-Agent", "")[:USER_AGENT_MAX_LENGTH]


@lru_cache(maxsize=1024)
def _parse(user_agent: str):
    return ua_parser.parse(user_agent)


def describe_user_agent(user_agent: str) -> str:
    """Return e.g. "Chrome 120 on Mac OS X" or "Mobile Safari 17 on iOS".

    The raw header is stored and parsed here, at display time, so a newer
    ua-parser release (new browsers, new devices) also improves the names of
    sessions recorded before it. Parsing is cached; a sessions page shows a
    handful of rows.
    """
    if not user_agent:
        return _("Unknown device")
    result = _parse(user_agent)
    browser = result.user_agent
    os = result.os
    name = browser.family if browser else ""
    if browser and browser.major and name != "Other":
        name = f"{name} {browser.major}"
    system = os.family if os and os.family != "Other" else ""
    if name and name != "Other" and system:
        return _("%(browser)s on %(system)s") % {"browser": name, "system": system}
    if name and name != "Other":
        return name
    if system:
        return system
    return _("Unknown device")
