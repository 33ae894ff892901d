from django.db import migrations

from aftersales.core.migration_ops import append_only


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial"), ("core", "0002_changerecord_append_only")]

    operations = [append_only("feedback_returnvisitattempt")]
