"""Remember, for a while, that a session was ended on purpose.

Ending a session deletes its row, so its cookie names nothing any more:
without a note, the browser would land on the sign-in page exactly as a
stranger's would, with no word of why. ``SessionQuerySet.end()`` notes
each ended session in the cache (the shared one, as rate limits use) under
a digest of its key (never the key), until the session would have expired
anyway; the session store looks the note up only when a cookie names no
row, so an ordinary page view costs nothing more. A note lost to cache
eviction just means no message.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

PREFIX = "accounts.session_ended."


def _key(session_key: str) -> str:
    return PREFIX + hashlib.sha256(session_key.encode()).hexdigest()


def _cache():
    return caches[settings.SESSION_CACHE_ALIAS]


def remember(sessions, *, by: str) -> None:
    """Note that ``sessions`` (rows of signed-in sessions) were ended ``by``."""
    now = timezone.now()
    for session in sessions:
        seconds = int((session.expire_date - now).total_seconds())
        if seconds > 0:
            _cache().set(_key(session.session_key), by, seconds)


def ended_by(session_key: str | None) -> str | None:
    """Who ended the session ``session_key`` named ("user", "admin",
    "system"), if it was ended on purpose and not long ago; else None."""
    if not session_key:
        return None
    return _cache().get(_key(session_key))
