"""Store each username's confusable skeleton, under a unique index.

The skeletons of existing accounts are filled in by account age; an account
whose name already looked like an older one's keeps an empty skeleton (the
index could not hold otherwise) and keeps its name: the older account's
skeleton still refuses any new look-alike.
"""

import accounts.users.validators
from django.db import migrations, models

from accounts.users.confusables import skeleton_digest


def fill_skeletons(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    seen = set()
    for user in User.objects.order_by("date_joined", "pk").only("pk", "username"):
        digest = skeleton_digest(user.username)
        if digest in seen:
            continue
        seen.add(digest)
        User.objects.filter(pk=user.pk).update(username_skeleton=digest)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0009_support_permissions_and_admin_password_event"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="username_skeleton",
            field=models.CharField(
                editable=False,
                max_length=64,
                null=True,
                verbose_name="username skeleton",
            ),
        ),
        migrations.RunPython(fill_skeletons, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="user",
            name="username_skeleton",
            field=models.CharField(
                editable=False,
                max_length=64,
                null=True,
                unique=True,
                verbose_name="username skeleton",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="username",
            field=models.CharField(
                error_messages={"unique": "A user with that username already exists."},
                help_text=(
                    "Required. 150 characters or fewer. Letters, digits and "
                    "./+/-/_ only."
                ),
                max_length=150,
                unique=True,
                validators=[
                    accounts.users.validators.UsernameValidator(),
                    accounts.users.validators.LookAlikeUsernameValidator(),
                ],
                verbose_name="username",
            ),
        ),
    ]
