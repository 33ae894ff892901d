"""DRF's `rest_framework.authtoken` is no longer installed (API tokens are accounts.ApiToken): drop
its table and its migration records where an earlier install made them. Its permanent keys are not
carried over (clients obtain new, expiring tokens). Reversing restores nothing: the keys are gone.
Its content type and permissions go with `manage.py remove_stale_contenttypes`."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_api_token")]

    operations = [
        migrations.RunSQL(
            [
                "DROP TABLE IF EXISTS authtoken_token",
                "DELETE FROM django_migrations WHERE app = 'authtoken'",
            ],
            reverse_sql=migrations.RunSQL.noop,
        )
    ]
