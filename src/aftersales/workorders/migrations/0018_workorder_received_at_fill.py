"""Every existing work order was received when it was entered: `received_at` = `created_at`."""

from django.db import migrations
from django.db.models import F


def fill(apps, schema_editor):
    WorkOrder = apps.get_model("workorders", "WorkOrder")
    WorkOrder.objects.filter(received_at__isnull=True).update(received_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("workorders", "0017_workorder_received_at")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
