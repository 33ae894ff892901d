"""Every existing Attachment gets its own random key (R41)."""

from django.db import migrations

from aftersales.core.migration_ops import fill_uuids


class Migration(migrations.Migration):
    dependencies = [("workorders", "0014_attachment_uuid")]

    operations = [fill_uuids("workorders", "Attachment")]
