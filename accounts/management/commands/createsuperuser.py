"""``createsuperuser`` that holds superusers to the same rules as everyone else.

Stock Django skips the password validators under ``--noinput`` and lets an
email address that is taken in another case reach the database as an
``IntegrityError``. This command refuses both with a clear message, in the
interactive and the non-interactive mode alike, and a username that looks
like an existing one (its confusable skeleton is taken), as sign-up does.
"""

import os

from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from accounts.users.confusables import skeleton_digest
from accounts.users.validators import LOOKS_LIKE_ANOTHER


class Command(createsuperuser.Command):
    def handle(self, *args, **options):
        email = options.get("email") or (
            None if options["interactive"] else os.environ.get("DJANGO_SUPERUSER_EMAIL")
        )
        if email:
            self.check_email_is_free(email)
        if not options["interactive"]:
            self.check_noinput_password(options, email)
        return super().handle(*args, **options)

    def get_input_data(self, field, message, default=None):
        value = super().get_input_data(field, message, default)
        if value and field.name == self.UserModel.get_email_field_name():
            try:
                self.check_email_is_free(value)
            except CommandError as exc:
                self.stderr.write(f"Error: {exc}")
                return None
        return value

    def _validate_username(self, username, verbose_field_name, database):
        error = super()._validate_username(username, verbose_field_name, database)
        if error or not username:
            return error
        users = self.UserModel._default_manager.db_manager(database)
        if users.filter(username_skeleton=skeleton_digest(username)).exists():
            return f"Error: {LOOKS_LIKE_ANOTHER}"
        return None

    def check_email_is_free(self, email: str) -> None:
        user = self.UserModel(email=self.UserModel.objects.normalize_email(email))
        try:
            user.validate_constraints(exclude={self.UserModel.USERNAME_FIELD})
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

    def check_noinput_password(self, options, email: str | None) -> None:
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if password is None:
            return  # Stock behaviour: the superuser gets an unusable password.
        username_field = self.UserModel.USERNAME_FIELD
        username = options[username_field] or os.environ.get(
            f"DJANGO_SUPERUSER_{username_field.upper()}", ""
        )
        user = self.UserModel(**{username_field: username}, email=email or "")
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(
                "DJANGO_SUPERUSER_PASSWORD is not accepted: " + " ".join(exc.messages)
            ) from exc
