"""Password validators for NIST SP 800-63B's blocklist (section 3.1.1.2).

A new password is compared with passwords known from breaches (Have I Been
Pwned's range API, through pwned-passwords-django) and with words tied to
this site and to the account. Both are in ``AUTH_PASSWORD_VALIDATORS``, so
sign-up, password change and reset, the admin and ``createsuperuser`` apply
them alike.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from pwned_passwords_django import api, exceptions
from pwned_passwords_django.validators import PwnedPasswordsValidator

from ..conf import app_settings

logger = logging.getLogger(__name__)

BREACHED = _(
    "This password has appeared in a data breach, so attackers try it first. "
    "Please choose another one."
)
CHECK_UNAVAILABLE = _(
    "We could not check this password against known data breaches just now. "
    "Please try again in a moment."
)
BREACHED_HELP = _("Your password can't be one that has appeared in a data breach.")


@functools.lru_cache(maxsize=4)
def _client(url: str, timeout: float) -> api.PwnedPasswords:
    """A range-API client for ``url``, kept for its connection pool."""
    client = api.PwnedPasswords(client=httpx.Client(), async_client=httpx.AsyncClient())
    client.api_endpoint = url if url.endswith("/") else url + "/"
    client.request_timeout = httpx.Timeout(timeout)
    # The "Add-Padding" header: the answer's size does not tell an observer
    # which prefix was asked for.
    client.add_padding = True
    return client


class BreachedPasswordValidator(PwnedPasswordsValidator):
    """Refuse a password known from breaches (Have I Been Pwned, k-anonymity).

    Only the first 5 hex digits of the password's SHA-1 leave the server
    (pwned-passwords-django's client), to ``PWNED_PASSWORDS_URL``: Have I
    Been Pwned's range API, or a self-hosted mirror of it. When that does
    not answer within ``PWNED_PASSWORDS_TIMEOUT`` (or fails otherwise), the
    password is checked against Django's list of common passwords instead
    and the outage is logged; with ``PWNED_PASSWORDS_STRICT`` it is refused
    with "try again" instead. An empty URL turns the range check off (only
    the common-password list applies).
    """

    def __init__(self):
        super().__init__(error_message=BREACHED, help_message=BREACHED_HELP)

    @sensitive_variables("password")
    def validate(self, password, user=None):
        url = app_settings.PWNED_PASSWORDS_URL
        if not url:
            self.fallback_validator.validate(password, user)
            return
        try:
            count = _client(url, app_settings.PWNED_PASSWORDS_TIMEOUT).check_password(
                password
            )
        except exceptions.PwnedPasswordsError as error:
            host = urlsplit(url).netloc
            if app_settings.PWNED_PASSWORDS_STRICT:
                logger.warning(
                    "Password refused: the breach check at %s failed (%s)",
                    host,
                    error.code.value,
                )
                raise ValidationError(
                    CHECK_UNAVAILABLE, code="password_check_unavailable"
                ) from None
            logger.warning(
                "The breach check at %s failed (%s): the password was checked "
                "against the common-password list instead",
                host,
                error.code.value,
            )
            self.fallback_validator.validate(password, user)
            return
        if count:
            raise ValidationError(BREACHED, code="password_compromised")


# Characters people put in place of letters ("p4ssw0rd").
_LEET = str.maketrans("0134578@$!|", "oieastbasil")
# Context words shorter than this are not looked for (they occur anywhere).
CONTEXT_WORD_MIN_LENGTH = 3
# A password with fewer letters than this besides its context words is
# made of them.
OTHER_LETTERS_MIN = 4
_SEPARATORS = re.compile(r"[\W_]+")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _words_of(text: str) -> set[str]:
    """``text`` itself and its parts between separators ("john.smith")."""
    text = _fold(text)
    return {text, *_SEPARATORS.split(text), _SEPARATORS.sub("", text)}


def _domain_words(domain: str) -> set[str]:
    """A host's labels but its last ("example" of "mail.example.com")."""
    labels = [label for label in _fold(domain).split(".") if label]
    words = set()
    for label in labels[:-1]:
        if label != "www" and not label.isdigit():
            words |= _words_of(label)
    return words


class ContextWordsValidator:
    """Refuse a password made of words tied to this site or to the account.

    NIST SP 800-63B asks to refuse "context-specific words, such as the name
    of the service, the username, and derivatives thereof". The words are
    the site's name (``OTP_TOTP_ISSUER``, the name authenticator apps show),
    the labels of ``SITE_URL``'s host, ``PASSWORD_CONTEXT_WORDS``, and the
    account's username and email address (its local part and domain). A
    password is refused when, once those words are taken out, fewer than
    four letters are left: "authsite2026", "Alice!1990" or "4uth5ite" are,
    a passphrase that merely contains one of them is not.
    """

    def context_words(self, user=None) -> list[str]:
        words = _words_of(getattr(settings, "OTP_TOTP_ISSUER", ""))
        words |= _domain_words(urlsplit(app_settings.SITE_URL).hostname or "")
        for word in app_settings.PASSWORD_CONTEXT_WORDS:
            words |= _words_of(word)
        if user is not None:
            words |= _words_of(user.get_username() or "")
            local, _at, domain = (getattr(user, "email", "") or "").rpartition("@")
            if local:
                words |= _words_of(local)
                words |= _domain_words(domain)
        return sorted(
            (w for w in words if len(w) >= CONTEXT_WORD_MIN_LENGTH),
            key=len,
            reverse=True,
        )

    @sensitive_variables("password")
    def validate(self, password, user=None):
        words = self.context_words(user)
        folded = _fold(password)
        for variant in {folded, folded.translate(_LEET)}:
            rest = variant
            for word in words:
                rest = rest.replace(word, " ")
            if rest != variant and sum(c.isalpha() for c in rest) < OTHER_LETTERS_MIN:
                raise ValidationError(
                    _(
                        "This password is made of words tied to this site or to "
                        "your account (the site's name, your username or your "
                        "email address), which attackers try first. Please "
                        "choose one that does not depend on them."
                    ),
                    code="password_context_words",
                )

    def get_help_text(self):
        return _(
            "Your password can't be made of the site's name, your username or "
            "your email address, with or without a few digits or symbols."
        )
