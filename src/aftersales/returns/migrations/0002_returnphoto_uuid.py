"""ReturnPhoto rows get a random key for their URLs (R41), added empty first (then filled, then
made unique: three steps, so that PostgreSQL never alters a table with updates pending)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("returns", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="returnphoto",
            name="uuid",
            field=models.UUIDField(editable=False, null=True, verbose_name="key"),
        ),
    ]
