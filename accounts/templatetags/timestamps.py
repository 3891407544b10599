"""Times as the user reads them: in their time zone, with the zone named.

``{% time value %}`` is a ``<time>`` element: ISO 8601 for machines, the
active language's format and the zone's name for people ("Dec 6, 2026,
9:15 PM KST"); ``{% time value relative=True %}`` reads "5 minutes ago",
with the full time as its title. ``value|zoned`` is the text alone (emails).
The active time zone is the signed-in user's (``TimeZoneMiddleware``) or,
in an email, the recipient's (``accounts.emails``).

Formatting a date for people is slow (the format string is parsed and its
words translated each time), and a page shows the same few dates again and
again (a user's sign-up and last sign-in on every dashboard view), so each
process keeps the last few thousand results, keyed by everything the output
depends on: the value, its time zone, the language; any change to a setting
drops them, as Django's own format cache does.
"""

from functools import lru_cache

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.core.signals import setting_changed
from django.utils import formats
from django.utils.html import format_html
from django.utils.timezone import template_localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()

ELEMENT = '<time datetime="{}" title="{}">{}</time>'


@lru_cache(maxsize=4096)
def _zoned(local, tzname, language):
    # Translators: a date and time, then the time zone's abbreviation.
    return _("%(time)s %(zone)s") % {
        "time": formats.date_format(local, "DATETIME_FORMAT"),
        "zone": local.tzname() or "",
    }


@lru_cache(maxsize=4096)
def _element(value, tzname, language):
    absolute = _zoned(template_localtime(value), tzname, language)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        absolute,
        absolute,
    )


@register.filter
def zoned(value) -> str:
    """``value`` in the active time zone with its name: "Dec 6, 2026, 9:15 PM KST"."""
    if not value:
        return ""
    local = template_localtime(value)
    # Equal datetimes in different zones compare equal: the zone is in the keys.
    return _zoned(local, str(local.tzinfo), get_language())


@register.simple_tag(name="time")
def time_tag(value, relative=False):
    """A ``<time>`` element for ``value``: the zoned time, or "5 minutes ago"
    with the zoned time as its title when ``relative``."""
    if not value:
        return ""
    if not relative:
        zone = str(template_localtime(value).tzinfo)
        return _element(value, zone, get_language())
    absolute = zoned(value)
    return format_html(ELEMENT, value.isoformat(), absolute, naturaltime(value))


def _forget(**kwargs):
    _zoned.cache_clear()
    _element.cache_clear()


setting_changed.connect(_forget, dispatch_uid="accounts.templatetags.timestamps")
