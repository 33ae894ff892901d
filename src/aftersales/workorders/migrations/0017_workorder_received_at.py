"""A work order records when the request was received (R1, R34), which may be earlier than its
entry; added empty first (then filled from the entry time, then required: three steps, so that
PostgreSQL never alters a table with updates pending)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("workorders", "0016_attachment_uuid_unique")]

    operations = [
        migrations.AddField(
            model_name="workorder",
            name="received_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="request received at"),
        ),
    ]
