import logging

from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower

from .ip import client_ip
from .user_agents import request_user_agent


class UserQuerySet(models.QuerySet):
    """Lookups that ignore case exactly as the unique constraints do.

    Both sides go through the database's ``LOWER()``, the function the
    functional unique indexes use (and so the lookups use the indexes). On
    PostgreSQL it folds every cased letter; SQLite's folds ASCII letters
    only, so there "Émile" and "émile" are two names, yet each signs in as
    typed.
    """

    def with_username(self, username: str) -> "UserQuerySet":
        """Users whose username matches, ignoring case (NFKC-normalised)."""
        username = self.model.normalize_username(username)
        return self.alias(username_ci=Lower("username")).filter(
            username_ci=Lower(Value(username))
        )

    def with_email(self, email: str) -> "UserQuerySet":
        """Users whose email address matches, ignoring case."""
        return self.alias(email_ci=Lower("email")).filter(email_ci=Lower(Value(email)))

    def with_login(self, identifier: str) -> "UserQuerySet":
        """Users named by what someone typed in the login field.

        Usernames cannot contain "@", so an identifier with one is an email
        address and anything else a username; each case is one indexed lookup.
        """
        identifier = identifier.strip()
        if "@" in identifier:
            return self.with_email(identifier)
        return self.with_username(identifier)


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    def get_by_natural_key(self, username):
        # Usernames are unique ignoring case, so natural keys ignore it too
        # (createsuperuser uses this to refuse a taken username).
        return self.with_username(username).get()

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # The operator who creates a superuser vouches for its address.
        extra_fields.setdefault("email_verified", True)
        return super().create_superuser(username, email, password, **extra_fields)


events_logger = logging.getLogger("accounts.events")


class AuthEventManager(models.Manager):
    def record(self, event_type, *, user=None, request=None, **detail):
        """Store one audit-trail event and log one line about it.

        ``request`` (or None outside one) gives the client address, through
        the site's one resolver, and the user agent. ``detail`` is a small
        JSON-able dict; callers never put passwords, tokens or session keys
        in it.
        """
        ip = None
        user_agent = ""
        if request is not None:
            ip = client_ip(request) or None
            user_agent = request_user_agent(request)
        if user is not None and user.pk is None:
            user = None
        event = self.create(
            event_type=event_type,
            user=user,
            ip_address=ip,
            user_agent=user_agent,
            detail=detail,
        )
        events_logger.info(
            "auth event %s user=%s ip=%s",
            event_type,
            user.pk if user is not None else "-",
            ip or "-",
            extra={
                "event_type": str(event_type),
                "user_id": user.pk if user is not None else None,
                "ip": ip,
            },
        )
        return event

    record.alters_data = True
