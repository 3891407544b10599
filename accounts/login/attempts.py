"""One password check, as the lockout, the backend and the audit trail see it."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

from . import known_browsers

if TYPE_CHECKING:
    from django.http import HttpRequest

    from ..users.models import User

# No login name is longer: the longest is an email address (254 characters).
IDENTIFIER_MAX_LENGTH = 254


class Attempt:
    """One password check: the name typed and the account it names.

    Passed to ``authenticate()`` as the ``attempt`` credential, so the
    lockout (``accounts.security.lockout``), the backend and the failure
    receiver share one lookup of the account and one reading of the
    known-browser cookie, instead of each asking again.
    """

    def __init__(self, request: HttpRequest | None, identifier: str):
        self.request = request
        self.identifier = str(identifier or "")
        # Seconds this attempt's failure locked the account or address for
        # (set by ``accounts.security.lockout.reserved``), or None.
        self.locked_for: int | None = None

    @property
    def too_long(self) -> bool:
        """Whether the name is longer than any login name can be.

        Such a name names no account; it is never normalised (NFKC can make
        a string 18 times longer, slowly) nor looked up.
        """
        return len(self.identifier) > IDENTIFIER_MAX_LENGTH

    @cached_property
    def account(self) -> User | None:
        """The account (active or not) the identifier names, or None."""
        identifier = self.identifier
        if self.too_long or not identifier.strip() or "\x00" in identifier:
            return None
        return get_user_model()._default_manager.with_login(identifier).first()

    @cached_property
    def known_browser_id(self) -> str | None:
        """This browser's id if the account signed in from it before."""
        if self.account is None or self.request is None:
            return None
        return known_browsers.known_browser_id(self.request, self.account)

    @classmethod
    def of(cls, request, credentials) -> Attempt:
        """The attempt ``credentials`` carry, or one for the name they hold."""
        credentials = credentials or {}
        attempt = credentials.get("attempt")
        if isinstance(attempt, cls):
            return attempt
        identifier = credentials.get("username")
        if identifier is None and request is not None:
            identifier = request.POST.get("username")
        return cls(request, identifier)
