"""Clocks started before `warn_at` existed get one: 75 % of the span from start to due time.

For a business-time clock this is the wall-clock share, close enough for the one warning the
periodic job sends; clocks started from now on compute it on the working calendar."""

from django.db import migrations

WARNING_SHARE = 0.75


def backfill(apps, schema_editor):
    SlaClock = apps.get_model("sla", "SlaClock")
    rows = SlaClock.objects.filter(stopped_at__isnull=True, warn_at__isnull=True).only("started_at", "due_at")
    batch = []
    for clock in rows.iterator(chunk_size=2000):
        clock.warn_at = clock.started_at + (clock.due_at - clock.started_at) * WARNING_SHARE
        batch.append(clock)
        if len(batch) == 2000:
            SlaClock.objects.bulk_update(batch, ["warn_at"])
            batch = []
    SlaClock.objects.bulk_update(batch, ["warn_at"])


class Migration(migrations.Migration):
    dependencies = [("sla", "0005_clock_warnings")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
