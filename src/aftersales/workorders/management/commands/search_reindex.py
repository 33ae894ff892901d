"""`manage.py search_reindex`: rebuild the search words (core.search) of work orders, customers and
devices, e.g. after an upgrade that added an index, a change of SEARCH_DICTIONARY_WORDS, or rows
written in bulk SQL. Batches of `--batch` rows by id, one transaction each, so it can run on a live
system and be stopped and resumed (`--from-id`, with one `--index`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Model

from aftersales.customers.models import Customer
from aftersales.customers.search import customer_search_refresh
from aftersales.devices.models import Device
from aftersales.devices.search import device_search_refresh
from aftersales.workorders.models import WorkOrder
from aftersales.workorders.search import workorder_search_refresh

INDEXES: dict[str, tuple[type[Model], Callable[[Iterable[int]], None]]] = {
    "workorders": (WorkOrder, workorder_search_refresh),
    "customers": (Customer, customer_search_refresh),
    "devices": (Device, device_search_refresh),
}


class Command(BaseCommand):
    help = "Rebuild the search words of work orders, customers and devices (or those of --index)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--index", choices=sorted(INDEXES), action="append", help="only this index")
        parser.add_argument("--batch", type=int, default=2000, help="rows per transaction")
        parser.add_argument("--from-id", type=int, default=0, help="start at this id (with one --index)")

    def handle(self, *args, index: list[str] | None, batch: int, from_id: int, **options) -> None:
        names = index or list(INDEXES)
        if from_id and len(names) != 1:
            raise CommandError("--from-id needs exactly one --index")
        for name in names:
            model, refresh = INDEXES[name]
            self._reindex(name, model, refresh, batch=batch, from_id=from_id)

    def _reindex(self, name: str, model, refresh, *, batch: int, from_id: int) -> None:
        ids = model._default_manager.filter(pk__gte=from_id).order_by("pk").values_list("pk", flat=True)
        total = ids.count()
        started, done, last = time.monotonic(), 0, from_id - 1
        while True:
            chunk = list(ids.filter(pk__gt=last)[:batch])
            if not chunk:
                break
            with transaction.atomic():
                refresh(chunk)
            done, last = done + len(chunk), chunk[-1]
            rate = done / max(time.monotonic() - started, 1e-6)
            self.stdout.write(f"{name}: {done:,}/{total:,} (up to id {last}, {rate:,.0f}/s)")
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"{name}: {done:,} indexed in {seconds:.1f} s"))
