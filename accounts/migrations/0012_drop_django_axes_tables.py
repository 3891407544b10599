"""Remove what django-axes left behind when the lockout moved to LockoutCounter.

axes kept the POST data of every failed attempt (the password-change form's
passwords among it, in clear) and showed it in the admin. The app is gone, so
its tables, migration records, content types and permissions go too.
"""

from django.db import migrations

# Children before the table they point to.
AXES_TABLES = [
    "axes_accessattemptexpiration",
    "axes_accessattempt",
    "axes_accessfailurelog",
    "axes_accesslog",
]


def drop_axes(apps, schema_editor):
    connection = schema_editor.connection
    existing = set(connection.introspection.table_names())
    for table in AXES_TABLES:
        if table in existing:
            schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(table)}")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["axes"])
    content_types = apps.get_model("contenttypes", "ContentType")
    permissions = apps.get_model("auth", "Permission")
    stale = content_types.objects.filter(app_label="axes")
    permissions.objects.filter(content_type__in=stale).delete()
    stale.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_lockout_counters_and_trust_generation"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(drop_axes, migrations.RunPython.noop)]
