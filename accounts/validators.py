from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


@deconstructible
class UsernameValidator(UnicodeUsernameValidator):
    """Django's username rule without "@", so a username never looks like an email.

    That keeps the login field unambiguous: one typed value names at most one
    user, whether it is read as a username or as an email address.
    """

    regex = r"^[\w.+-]+\Z"
    message = _(
        "Enter a valid username. This value may contain only letters, "
        "numbers, and ./+/-/_ characters."
    )
