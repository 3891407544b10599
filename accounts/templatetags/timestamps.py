"""``{% time value %}``: a date and time as the pages show them.

The same output as the two ``date`` filters in
``<time datetime="{{ value|date:'c' }}">{{ value|date:"DATETIME_FORMAT" }}</time>``
(the value in the current time zone, ISO 8601 for machines, the active
language's format for people), in one tag instead of two filters.
"""

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.timezone import template_localtime

register = template.Library()


@register.simple_tag(takes_context=True, name="time")
def time_tag(context, value):
    if not value:
        return ""
    value = template_localtime(value, use_tz=context.use_tz)
    return format_html(
        '<time datetime="{}">{}</time>',
        value.isoformat(),
        formats.date_format(value, "DATETIME_FORMAT"),
    )
