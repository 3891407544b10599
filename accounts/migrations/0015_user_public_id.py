import uuid

from django.db import migrations, models


def give_each_user_a_public_id(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.filter(public_id__isnull=True).only("pk").iterator():
        User.objects.filter(pk=user.pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    """Every user gets a public ID (the OpenID Connect ``sub``): the field is
    added empty, filled with a random UUID per existing user, then made
    required and unique."""

    dependencies = [
        ('accounts', '0014_event_types_after_merge'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='public_id',
            field=models.UUIDField(editable=False, null=True, verbose_name='public ID'),
        ),
        migrations.RunPython(give_each_user_a_public_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='user',
            name='public_id',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='public ID'),
        ),
    ]
