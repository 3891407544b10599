"""Show a signed-in user's times in their own time zone."""

import zoneinfo

from django.conf import settings
from django.utils import timezone

from .validators import time_zone_names


def user_time_zone(user) -> zoneinfo.ZoneInfo | None:
    """``user``'s chosen zone, or None for the site's ``TIME_ZONE``."""
    name = getattr(user, "time_zone", "")
    if name and name in time_zone_names():
        return zoneinfo.ZoneInfo(name)
    return None


class TimeZoneMiddleware:
    """Activate the signed-in user's time zone for the request.

    Only a request that carries a session cookie is looked at, and its user
    is read with the session in the one query a signed-in page makes anyway
    (``accounts.backends.get_user``): no query of its own.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = None
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            zone = user_time_zone(getattr(request, "user", None))
        if zone is None:
            return self.get_response(request)
        with timezone.override(zone):
            return self.get_response(request)
