from django.db import migrations

from aftersales.core.migration_ops import append_only


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial"), ("core", "0002_changerecord_append_only")]

    operations = [append_only("complaints_complaintevent"), append_only("complaints_casestep")]
