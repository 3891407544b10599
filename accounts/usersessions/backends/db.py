"""Database sessions that know their user, device, age and last activity.

The request hands the client's IP address and user agent to the store
(``accounts.usersessions.middleware.SessionMiddleware``); the store writes
them, the user and the times into the row.

Idle and absolute limits are folded into ``expire_date``, the column
Django's own expiry check and ``clearsessions`` already use:

* a browser session (no "remember me") expires after ``SESSION_IDLE_TIMEOUT``
  without activity. Activity is recorded at most once per
  ``SESSION_ACTIVITY_RESOLUTION``, so the row allows that much slack and a
  session never ends early;
* a remembered session expires ``SESSION_REMEMBER_AGE`` after it was saved,
  like its cookie;
* no session outlives ``SESSION_ABSOLUTE_TIMEOUT`` after sign-in.
"""

import logging
import uuid
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, connections, router
from django.utils import timezone
from django.utils.crypto import get_random_string

from ...conf import app_settings
from .. import ended, lookup


class SessionStore(db.SessionStore):
    def __init__(self, session_key=None, *, ip_address=None, user_agent=""):
        super().__init__(session_key)
        # Both come from the middleware: a valid address (or "") from
        # accounts.security.ip.client_ip and a header already cut to length.
        self.ip_address = ip_address or None
        self.user_agent = user_agent
        # The row this session was loaded from, if any, and its user, read
        # in the same query (None for a signed-out session).
        self._row = None
        self.loaded_user = None
        # True when the cookie named a signed-in session that has expired.
        self.expired = False
        # Who ended the session the cookie named ("user", "admin", "system"),
        # when it was ended on purpose (accounts.usersessions.ended).
        self.ended_by = None
        # True while the key from cycle_key() has no row yet.
        self._key_unsaved = False

    @property
    def public_id(self):
        """The public id of this session's row (set once it is saved)."""
        return self._row.public_id if self._row is not None else None

    @classmethod
    def get_model_class(cls):
        from accounts.models import Session

        return Session

    def _get_session_from_db(self):
        """Load the row and its user, noting whether a signed-in session ran out."""
        now = timezone.now()
        try:
            row = lookup.get_with_user(self.model, self.session_key)
        except (self.model.DoesNotExist, SuspiciousOperation) as e:
            if isinstance(e, SuspiciousOperation):
                logger = logging.getLogger(f"django.security.{type(e).__name__}")
                logger.warning(str(e))
            else:
                self.ended_by = ended.ended_by(self.session_key)
            self._session_key = None
            return None
        if row.expire_date <= now:
            self.expired = row.user_id is not None
            self._session_key = None
            return None
        self._row = row
        self.loaded_user = row.user
        return row

    def cycle_key(self):
        """Give the session a new key, whose row is written by the next save.

        Django's ``cycle_key()`` (at every sign-in) checks that a new key is
        unused, INSERTs the row at once, and the session middleware then
        UPDATEs it with the signed-in data: three statements and two write
        transactions. Here the response's save INSERTs the row once. The row
        object is built now, so its public id is known at once (the new-device
        email names it). A random 32-character key does not collide in
        practice; should it, the INSERT fails and ``save()`` takes another.
        """
        data = self._session
        key = self.session_key
        self._session_key = get_random_string(32, VALID_KEY_CHARS)
        self._key_unsaved = True
        self._session_cache = data
        self.modified = True
        self.create_model_instance(data)
        if key:
            self.delete(key)

    def save(self, must_create=False):
        if not self._key_unsaved:
            return self._save(must_create)
        self._key_unsaved = False
        try:
            return self._save(must_create=True)
        except CreateError:
            # The key is taken after all: create() picks an unused one.
            self._session_key = None
            return super().save()

    def _save(self, must_create):
        """Django's ``save()``, but a new row is one bare ``INSERT``.

        Django wraps the save in a transaction; an ``INSERT`` of one row is
        atomic by itself, so outside a transaction (the session middleware,
        after the view) it runs alone: two statements less per sign-in on
        SQLite (``BEGIN``/``COMMIT``). Inside one, Django's savepoint keeps
        a failed insert from breaking the caller's transaction.
        """
        using = router.db_for_write(self.model)
        if (
            not must_create
            or self.session_key is None
            or connections[using].in_atomic_block
        ):
            return super().save(must_create=must_create)
        row = self.create_model_instance(self._get_session(no_load=True))
        try:
            row.save(force_insert=True, using=using)
        except IntegrityError:
            raise CreateError from None

    async def _aget_session_from_db(self):
        return await sync_to_async(self._get_session_from_db)()

    def _expire_date(self, now, created_at):
        if self.get_expire_at_browser_close():
            expire = now + timedelta(
                seconds=app_settings.SESSION_IDLE_TIMEOUT
                + app_settings.SESSION_ACTIVITY_RESOLUTION
            )
        else:
            expire = self.get_expiry_date(modification=now)
        return min(
            expire,
            created_at + timedelta(seconds=app_settings.SESSION_ABSOLUTE_TIMEOUT),
        )

    def create_model_instance(self, data):
        """Build the row to save, keeping what a save must not reset.

        A row keeps its public ID and sign-in time for life; a new key
        (``cycle_key`` at sign-in) makes a new row with new ones.
        """
        now = timezone.now()
        row = self._row
        if row is not None and row.session_key != self.session_key:
            row = None
        created_at = row.created_at if row else now
        user_id = data.get(SESSION_KEY)
        self._row = self.model(
            session_key=self._get_or_create_session_key(),
            session_data=self.encode(data),
            expire_date=self._expire_date(now, created_at),
            public_id=row.public_id if row else uuid.uuid4(),
            user_id=(
                self.model._meta.get_field("user").target_field.to_python(user_id)
                if user_id is not None
                else None
            ),
            ip_address=self.ip_address or (row.ip_address if row else None),
            user_agent=self.user_agent or (row.user_agent if row else ""),
            created_at=created_at,
            last_activity=now,
        )
        # Later saves and activity checks in this request start from it.
        return self._row

    async def acreate_model_instance(self, data):
        # With the key in hand, building the row touches no database.
        await self._aget_or_create_session_key()
        return self.create_model_instance(data)

    def _activity_due(self, now):
        return self._row is not None and now - self._row.last_activity >= timedelta(
            seconds=app_settings.SESSION_ACTIVITY_RESOLUTION
        )

    def record_activity(self):
        """Note that the session is in use: one ``UPDATE``, and only when due.

        Called after a request that read the session without changing it.
        Within ``SESSION_ACTIVITY_RESOLUTION`` of the last record it does
        nothing, so an ordinary page view writes nothing.
        """
        now = timezone.now()
        if not self.session_key or not self._activity_due(now):
            return False
        return self._write_activity(now)

    def _write_activity(self, now):
        row = self._row
        fields = {"last_activity": now}
        if self.get_expire_at_browser_close():
            fields["expire_date"] = self._expire_date(now, row.created_at)
        if self.ip_address:
            fields["ip_address"] = self.ip_address
        if self.user_agent:
            fields["user_agent"] = self.user_agent
        updated = self.model.objects.filter(session_key=self.session_key).update(
            **fields
        )
        for name, value in fields.items():
            setattr(row, name, value)
        return bool(updated)

    @classmethod
    def delete_many(cls, session_keys):
        """Delete these sessions in one statement."""
        cls.get_model_class().objects.filter(session_key__in=session_keys).delete()
