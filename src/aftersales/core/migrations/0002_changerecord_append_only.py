from django.db import migrations

from aftersales.core.migration_ops import append_only


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [append_only("core_changerecord"), append_only("core_accesslog")]
