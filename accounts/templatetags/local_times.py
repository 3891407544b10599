"""Times as the user reads them: in their time zone, with the zone named.

The active time zone is the signed-in user's (``TimeZoneMiddleware``) or,
in an email, the recipient's (``accounts.emails``).
"""

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def zoned(value) -> str:
    """``value`` in the active time zone with its name: "Dec 6, 2026, 9:15 PM KST"."""
    if not value:
        return ""
    local = timezone.localtime(value)
    # Translators: a date and time, then the time zone's abbreviation.
    return _("%(time)s %(zone)s") % {
        "time": formats.date_format(local, "DATETIME_FORMAT"),
        "zone": local.tzname(),
    }


@register.simple_tag
def time_tag(value, relative=False):
    """A ``<time>`` element for ``value``: the zoned time, or "5 minutes ago"
    with the zoned time as its title when ``relative``."""
    if not value:
        return ""
    absolute = zoned(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        absolute,
        naturaltime(value) if relative else absolute,
    )
