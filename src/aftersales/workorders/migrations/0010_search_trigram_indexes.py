"""The list's search box on PostgreSQL: trigram indexes serving `icontains` (UPPER(...) LIKE
'%...%') and the phone digits' `contains` on the work order's own columns (issue 9)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from aftersales.core.migration_ops import postgres_index


class Migration(migrations.Migration):
    dependencies = [('workorders', '0009_sla_due_sort')]

    operations = [
        TrigramExtension(),
        postgres_index("workorders_workorder", "wo_number_trgm", '(UPPER(("number")::text)) gin_trgm_ops', using="gin"),
        postgres_index("workorders_workorder", "wo_contact_name_trgm", '(UPPER(("contact_name")::text)) gin_trgm_ops', using="gin"),
        postgres_index("workorders_workorder", "wo_serial_number_trgm", '(UPPER(("serial_number")::text)) gin_trgm_ops', using="gin"),
        postgres_index("workorders_workorder", "wo_contact_phone_trgm", '(("contact_phone")::text) gin_trgm_ops', using="gin"),
    ]
