"""``{% time value %}``: a date and time as the pages show them.

The same output as the two ``date`` filters in
``<time datetime="{{ value|date:'c' }}">{{ value|date:"DATETIME_FORMAT" }}</time>``
(the value in the current time zone, ISO 8601 for machines, the active
language's format for people), in one tag instead of two filters. Formatting
a date for people is slow (the format string is parsed and its words
translated each time), and a page shows the same few dates again and again
(a user's sign-up and last sign-in on every dashboard view), so each process
keeps the last few thousand results, keyed by everything the output depends
on: the value, its time zone, the language; any change to a setting drops
them, as Django's own format cache does.
"""

from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.utils import formats
from django.utils.html import format_html
from django.utils.timezone import template_localtime
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=4096)
def _time_element(value, tzname, language):
    return format_html(
        '<time datetime="{}">{}</time>',
        value.isoformat(),
        formats.date_format(value, "DATETIME_FORMAT"),
    )


@register.simple_tag(takes_context=True, name="time")
def time_tag(context, value):
    if not value:
        return ""
    value = template_localtime(value, use_tz=context.use_tz)
    # Equal datetimes in different zones compare equal: the zone is in the key.
    return _time_element(value, str(getattr(value, "tzinfo", "")), get_language())


def _forget(**kwargs):
    _time_element.cache_clear()


setting_changed.connect(_forget, dispatch_uid="accounts.templatetags.timestamps")
