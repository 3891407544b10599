from django.contrib.auth import password_validation
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


class UserAttributeSimilarityValidator(
    password_validation.UserAttributeSimilarityValidator
):
    """Django's validator, with a message that reads well in Korean too.

    Django's Korean catalogue joins the field name with the particle 와,
    which is wrong after a name ending in a consonant ("사용자 이름와");
    this wording needs no particle choice.
    """

    def get_error_message(self):
        return _("The password is too similar to your %(verbose_name)s.")
