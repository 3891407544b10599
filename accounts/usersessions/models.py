"""Sessions in the database, with who they belong to and where they are used."""

import uuid
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..signals import session_ended
from .ended import remember as remember_ended
from .user_agents import USER_AGENT_MAX_LENGTH, describe_user_agent


class SessionQuerySet(models.QuerySet):
    def live(self):
        """Sessions that have not expired (idle and absolute limits included)."""
        return self.filter(expire_date__gt=timezone.now())

    def end(self, *, by, request=None):
        """Delete these sessions so their cookies stop working at once.

        Goes through the configured session store so a cached copy
        (``cached_db``) is dropped too, notes each as ended (``ended``: the
        browser's next request says why it was signed out), then sends
        ``session_ended`` for each.
        """
        ended = list(self.select_related("user"))
        if not ended:
            return 0
        self.model.get_session_store_class().delete_many(
            [session.session_key for session in ended]
        )
        # So that each browser is told why it was signed out.
        remember_ended([s for s in ended if s.user_id is not None], by=by)
        for session in ended:
            if session.user is not None:
                session_ended.send(
                    sender=session.user.__class__,
                    user=session.user,
                    session_key=session.session_key,
                    by=by,
                    request=request,
                )
        return len(ended)

    end.alters_data = True


class Session(AbstractBaseSession):
    """A session in the database, with who it belongs to and where it is used.

    ``public_id`` names a session in pages and URLs; the session key, which
    is the bearer credential, never leaves the cookie. ``ip_address`` and
    ``user_agent`` are as last seen (rewritten with the activity record).
    ``expire_date`` already includes the idle and absolute limits, so
    Django's own expiry check and ``clearsessions`` enforce them (see
    ``accounts.usersessions.backends``).
    """

    public_id = models.UUIDField(
        _("public ID"), default=uuid.uuid4, unique=True, editable=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("user"),
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(
        _("user agent"), max_length=USER_AGENT_MAX_LENGTH, blank=True
    )
    created_at = models.DateTimeField(_("signed in"), default=timezone.now)
    last_activity = models.DateTimeField(_("last active"), default=timezone.now)

    objects = SessionQuerySet.as_manager()

    class Meta(AbstractBaseSession.Meta):
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return self.device

    @classmethod
    def get_session_store_class(cls):
        """The store for ``SESSION_ENGINE`` (db or cached_db on this model)."""
        return import_module(settings.SESSION_ENGINE).SessionStore

    @property
    def device(self) -> str:
        return describe_user_agent(self.user_agent)
