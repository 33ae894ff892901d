"""Customers found by a part of their name or phone on PostgreSQL: trigram indexes (issue 9)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from aftersales.core.migration_ops import postgres_index


class Migration(migrations.Migration):
    dependencies = [('customers', '0001_initial')]

    operations = [
        TrigramExtension(),
        postgres_index("customers_customer", "customer_name_trgm", '(UPPER(("name")::text)) gin_trgm_ops', using="gin"),
        postgres_index("customers_customer", "customer_phone_trgm", '(("phone")::text) gin_trgm_ops', using="gin"),
    ]
