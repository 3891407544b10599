"""``cached_db`` sessions on ``accounts.Session``: reads come from the cache.

A cache hit loads no row, so the time of the last recorded activity is
kept in the cache too, under its own key: until it is
``SESSION_ACTIVITY_RESOLUTION`` old, nothing is written. Should that key be
evicted, the next request reads the row once and records the activity.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache import caches
from django.utils import timezone

from ...conf import app_settings
from . import db

ACTIVITY_KEY_PREFIX = "accounts.session_activity."


class SessionStore(db.SessionStore, cached_db.SessionStore):
    # The first module's name: sessions cached before the move stay valid.
    cache_key_prefix = "accounts.session_backends.cached_db"

    def record_activity(self):
        if not self.session_key:
            return False
        now = timezone.now()
        if self._row is None:
            last = self._cache.get(ACTIVITY_KEY_PREFIX + self.session_key)
            if last is not None and now - last < timedelta(
                seconds=app_settings.SESSION_ACTIVITY_RESOLUTION
            ):
                return False
            # Loaded from the cache: the write below needs the sign-in time.
            self._row = (
                self.model.objects.filter(session_key=self.session_key)
                .only("session_key", "created_at", "last_activity")
                .first()
            )
            if self._row is None:
                return False
        elif not self._activity_due(now):
            return False
        updated = self._write_activity(now)
        self._remember_activity(now)
        if updated and self.get_expire_at_browser_close():
            # Keep the cached copy alive as long as the row.
            self._cache.touch(self.cache_key, self._cache_timeout())
        return updated

    def save(self, must_create=False):
        super().save(must_create=must_create)
        # cached_db.save() cached the data for Django's expiry age; the row's
        # expire_date, with the idle and absolute limits, is what counts.
        self._cache.set(self.cache_key, self._session, self._cache_timeout())
        self._remember_activity(self._row.last_activity)

    async def asave(self, must_create=False):
        await super().asave(must_create=must_create)
        await self._cache.aset(
            await self.acache_key(), self._session, self._cache_timeout()
        )

    def _cache_timeout(self):
        return self.get_expiry_age(expiry=self._row.expire_date)

    def _remember_activity(self, when):
        self._cache.set(
            ACTIVITY_KEY_PREFIX + self.session_key,
            when,
            app_settings.SESSION_IDLE_TIMEOUT
            + app_settings.SESSION_ACTIVITY_RESOLUTION,
        )

    @classmethod
    def delete_many(cls, session_keys):
        super().delete_many(session_keys)
        caches[settings.SESSION_CACHE_ALIAS].delete_many(
            [cls.cache_key_prefix + key for key in session_keys]
        )
