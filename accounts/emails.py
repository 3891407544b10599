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
"""

import logging
import smtplib
from urllib.parse import urljoin

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .conf import app_settings

logger = logging.getLogger(__name__)


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
    """Render the ``name`` email (text and HTML parts) and send it to ``to``.

    ``language`` defaults to the active one, so a message triggered from a
    Korean page is written in Korean.

    A mail server that refuses the message is logged, never raised: the
    request that sent it has done its work (an account exists, a reset was
    asked for), and an error page only for addresses that have an account
    would tell a stranger which ones do. Pages that promise an email offer a
    way to ask for it again.
    """
    language = language or translation.get_language()
    context = {
        "site_url": app_settings.SITE_URL,
        "LANGUAGE_CODE": language,
        **(context or {}),
    }
    if "greeting_name" not in context:
        context["greeting_name"] = greeting_name(context.get("user"), to)
    with translation.override(language):
        subject = render_to_string(f"emails/{name}_subject.txt", context)
        text = render_to_string(f"emails/{name}.txt", context)
        html = render_to_string(f"emails/{name}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=text, to=[to]
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except (OSError, smtplib.SMTPException):
        logger.exception("Could not send the %s email", name)


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
