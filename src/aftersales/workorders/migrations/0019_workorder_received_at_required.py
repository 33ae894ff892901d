"""The time a request was received is required; a work order made without one was received now."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("workorders", "0018_workorder_received_at_fill")]

    operations = [
        migrations.AlterField(
            model_name="workorder",
            name="received_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                editable=False,
                help_text="When the request came in, if earlier than its entry; the service-level clocks start then.",
                verbose_name="request received at",
            ),
        ),
    ]
