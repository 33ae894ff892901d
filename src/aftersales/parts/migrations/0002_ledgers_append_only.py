"""R41: on PostgreSQL the stock ledger and the dealers' account entries refuse UPDATE and DELETE at
the database, bulk statements included (a correction is a new move or a reversing entry)."""

from django.db import migrations

from aftersales.core.migration_ops import append_only


class Migration(migrations.Migration):
    dependencies = [("parts", "0001_initial")]

    operations = [append_only("parts_stockmove"), append_only("parts_accountentry")]
