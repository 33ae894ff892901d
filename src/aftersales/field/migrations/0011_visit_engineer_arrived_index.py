"""The day's map reads each engineer's last check-in: an index on (engineer, arrived_at)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("field", "0010_remove_signoff_document"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(fields=["engineer", "arrived_at"], name="field_visit_engineer_arrived"),
        ),
    ]
