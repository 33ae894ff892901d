"""`manage.py search_reindex`: rebuild every work order's search words (core.search), e.g. after an
upgrade that added the index, a change of SEARCH_DICTIONARY_WORDS, or rows written in bulk SQL.
Batches of `--batch` work orders by id, one transaction each, so it can run on a live system and
be stopped and resumed (`--from-id`)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from aftersales.workorders.models import WorkOrder
from aftersales.workorders.search import workorder_search_refresh


class Command(BaseCommand):
    help = "Rebuild the search words of every work order (or those from --from-id on)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", type=int, default=2000, help="work orders per transaction")
        parser.add_argument("--from-id", type=int, default=0, help="start at this work-order id")

    def handle(self, *args, batch: int, from_id: int, **options) -> None:
        ids = WorkOrder.objects.filter(pk__gte=from_id).order_by("pk").values_list("pk", flat=True)
        total = ids.count()
        started, done, last = time.monotonic(), 0, from_id - 1
        while True:
            chunk = list(ids.filter(pk__gt=last)[:batch])
            if not chunk:
                break
            with transaction.atomic():
                workorder_search_refresh(chunk)
            done, last = done + len(chunk), chunk[-1]
            rate = done / max(time.monotonic() - started, 1e-6)
            self.stdout.write(f"{done:,}/{total:,} work orders (up to id {last}, {rate:,.0f}/s)")
        self.stdout.write(
            self.style.SUCCESS(f"{done:,} work orders indexed in {time.monotonic() - started:.1f} s")
        )
