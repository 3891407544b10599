"""The API's two clients, and how a request names its session.

Kept free of django-ninja so the session middleware can import it: for the
app client the session is named by the ``X-Session-Token`` header, never by
a cookie, and its responses carry no cookie at all.
"""

import enum
import re

from django.contrib.sessions.backends.base import VALID_KEY_CHARS

# Where the API is mounted (``authsite/urls.py``) and its one version.
API_PATH = "/api/"
VERSION = "v1"
SESSION_TOKEN_HEADER = "X-Session-Token"  # noqa: S105  (a header name)
# A session token is a session key: 32 characters from Django's alphabet
# (``accounts.usersessions.backends.db``). Anything else names no session,
# and is answered without a database lookup.
TOKEN_FORMAT = re.compile(f"[{re.escape(VALID_KEY_CHARS)}]{{32}}")


class Client(enum.StrEnum):
    """Who calls: a browser app on this site, or any other app."""

    BROWSER = "browser"
    APP = "app"

    @property
    def prefix(self) -> str:
        """The client's URL prefix below ``API_PATH``, e.g. ``app/v1/``."""
        return f"{self.value}/{VERSION}/"


# Where the app client's endpoints live (the f-string of a StrEnum member,
# built once rather than on each of the several checks per request).
APP_PATH = f"{API_PATH}{Client.APP.value}/"


def is_api_request(request) -> bool:
    return request.path_info.startswith(API_PATH)


def uses_session_token(request) -> bool:
    """Whether the request is the app client's: its session is in a header."""
    return request.path_info.startswith(APP_PATH)


def session_token(request) -> str | None:
    """The session token the app client sent, or None (none sent)."""
    return request.headers.get(SESSION_TOKEN_HEADER) or None


def session_key(request) -> str | None:
    """The session key the token names, or None when it cannot name one."""
    token = session_token(request)
    if token is not None and TOKEN_FORMAT.fullmatch(token):
        return token
    return None
