"""Every email the site sends goes through ``send_templated_email``.

An email is three templates under ``templates/emails/``: ``<name>_subject.txt``,
``<name>.txt`` and ``<name>.html`` (extending ``emails/base.html``). Links in
them come from ``absolute_url()``, built on the configured ``SITE_URL`` and
never on the request's ``Host`` header, which a client controls.

Mail to an address nobody has confirmed carries no text the requester chose:
whoever signs up can type a stranger's address and a username such as
"Account.suspended.-.restore.at.www.evil-support.example", and the site's
genuine mail must not carry that to the stranger. Every greeting goes
through ``emails/greeting.txt``, which names the user only when
``greeting_name`` is set, and ``greeting_name()`` sets it only for the
account's own confirmed address.

The message is rendered here, in the request, in the recipient's time zone
when the context names the user (their ``time_zone``), and handed to the outbox
(``accounts.outbox``) finished: subject, text and HTML in the page's
language. The worker that delivers it needs no request, no active language
and no template, and what the user is sent is what their action produced
(their name, the link) even if the account changes before delivery. The
context could not travel as it is anyway: it holds model instances.
"""

from urllib.parse import urljoin

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .conf import app_settings
from .outbox import delivery
from .users.middleware import user_time_zone


def absolute_url(path: str) -> str:
    """Return ``path`` (e.g. from ``reverse()``) as a full URL on ``SITE_URL``."""
    return urljoin(app_settings.SITE_URL.rstrip("/") + "/", path.lstrip("/"))


def greeting_name(user, to: str) -> str | None:
    """The name to greet ``to`` with: ``user``'s, if ``to`` is their confirmed
    address; otherwise None, and the mail says only "Hello,"."""
    if user is None or not getattr(user, "email_verified", False):
        return None
    if (user.email or "").lower() != (to or "").lower():
        return None
    return user.get_username()


def send_templated_email(
    name: str, *, to: str, context: dict | None = None, language: str | None = None
) -> None:
    """Render the ``name`` email (text and HTML parts) and queue it for ``to``.

    ``language`` defaults to the active one, so a message triggered from a
    Korean page is written in Korean.

    The email is stored in the caller's transaction and delivered once it
    commits: by a background worker in production, so no request waits for
    the mail server (nor tells a stranger, by its speed, which addresses
    have an account). A mail server that is down or refuses the message is
    logged, never raised: the message waits and is tried again with
    back-off (``accounts.outbox.delivery``).
    """
    language = language or translation.get_language()
    context = {
        "site_url": app_settings.SITE_URL,
        "LANGUAGE_CODE": language,
        **(context or {}),
    }
    if "greeting_name" not in context:
        context["greeting_name"] = greeting_name(context.get("user"), to)
    zone = user_time_zone(context.get("user")) or timezone.get_default_timezone()
    with translation.override(language), timezone.override(zone):
        subject = render_to_string(f"emails/{name}_subject.txt", context)
        text = render_to_string(f"emails/{name}.txt", context)
        html = render_to_string(f"emails/{name}.html", context)
    delivery.queue(
        name=name,
        to=to,
        subject=" ".join(subject.split()),
        body=text,
        html=html,
        language=language or "",
    )


def security_notice(user, name: str) -> None:
    """Tell the owner a security setting changed, in case it was not them.

    ``name`` is the email: ``password_changed``, ``password_set_by_admin``,
    ``two_factor_enabled`` or ``two_factor_disabled``; each offers a password
    reset.
    """
    send_templated_email(
        name,
        to=user.email,
        context={
            "user": user,
            "reset_url": absolute_url(reverse("accounts:password_reset")),
        },
    )
