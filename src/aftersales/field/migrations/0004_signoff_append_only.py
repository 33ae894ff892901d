from django.db import migrations

from aftersales.core.migration_ops import append_only


class Migration(migrations.Migration):
    """A customer's sign-off is written once and never changed (R41)."""

    dependencies = [("field", "0003_visits"), ("core", "0002_changerecord_append_only")]

    operations = [append_only("field_signoff")]
