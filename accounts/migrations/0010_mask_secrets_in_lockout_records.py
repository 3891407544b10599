"""Mask the secrets django-axes stored in clear with its failed attempts.

axes masked only the field names ``AXES_SENSITIVE_PARAMETERS`` listed, so
the password-change form's ``old_password``, ``new_password1`` and
``new_password2`` (and any other such field) were kept as typed in
``AccessAttempt.get_data`` and ``post_data``. From now on they are masked by
rule before axes stores them (``accounts.security.lockout``); this rewrites
the rows already stored, with the same rule, copied here so the migration
keeps meaning what it meant when it ran.

axes stores one ``name=value`` line per field, attempts separated by a line
of dashes. A line that does not start with a field name continues the value
above it (a value with a line break), and is masked with it.
"""

import re

from django.db import migrations

SECRET_FIELD_NAME = re.compile(
    r"pass|pwd|secret|token|code|otp|csrf|key|signature|credential", re.IGNORECASE
)
FIELD_LINE = re.compile(r"^([\w.\-\[\]]+)=")
SEPARATOR = "---------"
MASK = "********************"


def mask_text(text: str) -> str:
    lines = []
    masking = False
    for line in text.split("\n"):
        if line == SEPARATOR:
            masking = False
            lines.append(line)
            continue
        field = FIELD_LINE.match(line)
        if field is None:
            if not masking:
                lines.append(line)
            continue
        masking = bool(SECRET_FIELD_NAME.search(field[1]))
        lines.append(f"{field[1]}={MASK}" if masking else line)
    return "\n".join(lines)


def mask_stored_attempts(apps, schema_editor):
    AccessAttempt = apps.get_model("axes", "AccessAttempt")
    for attempt in AccessAttempt.objects.only("pk", "get_data", "post_data"):
        get_data = mask_text(attempt.get_data)
        post_data = mask_text(attempt.post_data)
        if (get_data, post_data) != (attempt.get_data, attempt.post_data):
            AccessAttempt.objects.filter(pk=attempt.pk).update(
                get_data=get_data, post_data=post_data
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_support_permissions_and_admin_password_event"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [
        migrations.RunPython(mask_stored_attempts, migrations.RunPython.noop),
    ]
