import unicodedata
import zoneinfo
from functools import cache

from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from . import confusables

LOOKS_LIKE_ANOTHER = _(
    "This username looks too much like an existing one. Please choose another."
)


# Names zoneinfo lists that are no place: "localtime" is the server's own
# setting (/etc/localtime, different on each host), "Factory" a placeholder.
NOT_A_PLACE = frozenset({"localtime", "Factory"})


@cache
def time_zone_names() -> frozenset[str]:
    """The IANA time zone names this system knows (``zoneinfo``)."""
    return frozenset(zoneinfo.available_timezones()) - NOT_A_PLACE


def validate_time_zone(value: str) -> None:
    """Accept an IANA time zone name such as "Asia/Seoul", or "" for the site's."""
    if value and value not in time_zone_names():
        raise ValidationError(
            _("Choose a time zone from the list."), code="invalid_time_zone"
        )


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


@deconstructible
class LookAlikeUsernameValidator:
    """Refuse names made to look like other names (Unicode TS #39).

    Letters of scripts not written together (a Cyrillic "a", U+0430, among
    Latin letters) and letters that draw nothing (the Hangul fillers) are
    refused here; a name whose skeleton an existing account already has is
    refused by ``User.clean()``, and by the database's unique index on
    ``username_skeleton`` when two sign-ups race.
    """

    def __call__(self, value):
        value = str(value)
        if confusables.has_invisible(value) or confusables.has_invisible(
            unicodedata.normalize("NFKC", value)
        ):
            raise ValidationError(
                _(
                    "Enter a username without invisible letters (such as the "
                    "Hangul filler)."
                ),
                code="invisible",
            )
        if confusables.scripts_mixed(value):
            raise ValidationError(
                _(
                    "Enter a username in one alphabet: letters of different "
                    "alphabets (such as a Cyrillic letter among Latin ones) "
                    "can make it look like another name."
                ),
                code="mixed_scripts",
            )

    def __eq__(self, other):
        return isinstance(other, LookAlikeUsernameValidator)


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
