"""Every existing ReturnPhoto gets its own random key (R41)."""

from django.db import migrations

from aftersales.core.migration_ops import fill_uuids


class Migration(migrations.Migration):
    dependencies = [("returns", "0002_returnphoto_uuid")]

    operations = [fill_uuids("returns", "ReturnPhoto")]
