"""The key of every Attachment is required and unique; new rows draw a random one (R41)."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("workorders", "0015_attachment_uuid_fill")]

    operations = [
        migrations.AlterField(
            model_name="attachment",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="key"),
        ),
    ]
