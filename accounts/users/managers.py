"""Lookups and creation of users."""

from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower


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
