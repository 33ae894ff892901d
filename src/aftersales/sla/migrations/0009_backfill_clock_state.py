"""Clocks written before they had a `state` get the one their times say: stopped when stopped,
paused when paused, else running (the column's default)."""

from django.db import migrations


def backfill(apps, schema_editor):
    SlaClock = apps.get_model("sla", "SlaClock")
    SlaClock.objects.filter(stopped_at__isnull=False).update(state="stopped")
    SlaClock.objects.filter(stopped_at__isnull=True, paused_at__isnull=False).update(state="paused")


class Migration(migrations.Migration):
    dependencies = [("sla", "0008_clock_state")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
