"""Logging helpers: keep secrets out of every log line."""

import logging
import re

# Record attributes (``extra=``) whose values are never written.
SENSITIVE_ATTRIBUTES = frozenset(
    {
        "password",
        "password1",
        "password2",
        "old_password",
        "new_password1",
        "new_password2",
        "token",
        "session_key",
        "sessionid",
        "secret",
        "csrftoken",
        "cookie",
    }
)
REDACTED = "[redacted]"
# Secrets that travel in URLs (the links of password-reset, verification,
# email-change and "this wasn't me" emails, the ID token an app hands the
# OpenID Connect logout) and session cookies that may appear in a message.
_SECRET_IN_TEXT = re.compile(
    r"(?P<keep>/reset/[^/\s]+/|/verify-email/|/email/confirm/|/not-me/"
    r"|sessionid=|csrftoken=|id_token_hint=)[^/\s;&'\"]+"
)


def redact(text: str) -> str:
    """Replace the tokens in emailed links' URLs and cookie values."""
    return _SECRET_IN_TEXT.sub(lambda match: match["keep"] + REDACTED, text)


class RedactSecretsFilter(logging.Filter):
    """Redact passwords, tokens and session keys from a log record.

    Attached to the console handler, so it covers every logger: the auth
    events of ``accounts.events`` as well as Django's ``django.request``
    (whose ``request`` attribute is reduced to method and redacted path).
    """

    def filter(self, record):
        for name in SENSITIVE_ATTRIBUTES & record.__dict__.keys():
            setattr(record, name, REDACTED)
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "method"):
            record.request = f"{request.method} {redact(request.path)}"
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # A malformed log call must not break the request that made it;
            # the handler reports it as logging always does.
            return True
        record.msg, record.args = redact(message), None
        return True
