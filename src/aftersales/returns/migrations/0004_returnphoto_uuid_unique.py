"""The key of every ReturnPhoto is required and unique; new rows draw a random one (R41)."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("returns", "0003_returnphoto_uuid_fill")]

    operations = [
        migrations.AlterField(
            model_name="returnphoto",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="key"),
        ),
    ]
