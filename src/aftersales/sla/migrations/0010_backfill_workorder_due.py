"""Fill the work orders' `sla_due_at` (the list's SLA sort) from their running clocks: one UPDATE."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    SlaClock = apps.get_model("sla", "SlaClock")
    WorkOrder = apps.get_model("workorders", "WorkOrder")
    running = SlaClock.objects.filter(
        work_order_id=OuterRef("pk"), stopped_at__isnull=True, paused_at__isnull=True
    ).order_by("due_at", "pk")
    WorkOrder.objects.update(sla_due_at=Subquery(running.values("due_at")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0009_backfill_clock_state"),
        ("workorders", "0009_sla_due_sort"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
