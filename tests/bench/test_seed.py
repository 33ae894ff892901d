"""bench/seed.py still fits the models: a tiny backlog seeded on PostgreSQL has the shape of a real
one and the work-order pages render it. A model change that breaks the seeder (a renamed column,
a new required field) fails here, not on the day someone needs the benchmark (issue 9)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from django.db.models import Count, Min
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.core.models import ChangeRecord
from aftersales.core.services import number_next
from aftersales.field.models import Visit
from aftersales.sla.models import SlaClock
from aftersales.workorders.choices import OPEN_STATES, State
from aftersales.workorders.hooks import PANEL_TABS
from aftersales.workorders.models import WorkOrder, WorkOrderEvent

from ..conftest import uses_postgres

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not uses_postgres(), reason="the seeder writes with PostgreSQL COPY"),
    pytest.mark.django_db,
]

WORK_ORDERS = 200


def bench_seed() -> ModuleType:
    """bench/ is not a package: load bench/seed.py by its path."""
    path = Path(__file__).resolve().parents[2] / "bench" / "seed.py"
    spec = importlib.util.spec_from_file_location("bench_seed", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def seeded():
    seed = bench_seed()
    plan = seed.Plan(work_orders=WORK_ORDERS, dealers=3, service_points=12, engineers=40, customers=150)
    return seed.seed(plan, progress=False)


def test_the_backlog_has_the_shape_of_a_real_one(seeded):
    # given a tiny seed, then: every work order, its rows in the ratios of issue 9
    assert WorkOrder.objects.count() == WORK_ORDERS
    assert 7 <= WorkOrderEvent.objects.count() / WORK_ORDERS <= 10
    assert 5 <= ChangeRecord.objects.count() / WORK_ORDERS <= 9
    assert 3 <= SlaClock.objects.count() / WORK_ORDERS <= 4
    assert Visit.objects.exists()
    states = dict(WorkOrder.objects.values_list("state").annotate(n=Count("id")))
    assert states[State.CLOSED] > 0.8 * WORK_ORDERS  # mostly history
    assert 0 < sum(states.get(s, 0) for s in OPEN_STATES) <= 0.15 * WORK_ORDERS
    # every work order starts its timeline with "created"
    assert WorkOrderEvent.objects.filter(kind="created").count() == WORK_ORDERS
    # the list's SLA sort key is the running clock due next, as the SLA app keeps it
    running = SlaClock.objects.filter(stopped_at__isnull=True, paused_at__isnull=True)
    due = dict(running.values_list("work_order_id").annotate(due=Min("due_at")))
    assert (
        due
        and dict(WorkOrder.objects.filter(sla_due_at__isnull=False).values_list("pk", "sla_due_at")) == due
    )
    # and the app's next number of a seeded day follows the seeded ones
    last = WorkOrder.objects.order_by("-created_at").first()
    day = timezone.localdate(last.created_at)
    taken = WorkOrder.objects.filter(number__startswith=f"WO{day:%Y%m%d}").count()
    assert number_next(prefix="WO", day=day) == f"WO{day:%Y%m%d}{taken + 1:04d}"
    # every work order has its search words, as the app's services would have written them
    from aftersales.workorders.models import WorkOrderSearch
    from aftersales.workorders.search import INDEX, workorder_search_refresh

    assert WorkOrderSearch.objects.count() == WORK_ORDERS
    seeded_words = dict(WorkOrderSearch.objects.values_list("pk", "document"))
    workorder_search_refresh(list(seeded_words))
    assert dict(WorkOrderSearch.objects.values_list("pk", "document")) == seeded_words
    assert WorkOrder.objects.filter(INDEX.condition(last.number)).get() == last
    from aftersales.customers.models import Customer, CustomerSearch
    from aftersales.devices.models import Device, DeviceSearch

    assert CustomerSearch.objects.count() == Customer.objects.count() > 0
    assert DeviceSearch.objects.count() == Device.objects.count() > 0


def test_the_pages_render_the_seeded_work_orders(seeded, client):
    client.force_login(User.objects.get(username="bench_agent"))
    closed = WorkOrder.objects.filter(state=State.CLOSED, visits__isnull=False).first()
    waiting = WorkOrder.objects.filter(state__in=OPEN_STATES).first()
    pages = ["/workorders/", "/workorders/?state=in_service", "/api/workorders/"]
    pages += [f"/workorders/{pk}/?tab={tab}" for pk in (closed.pk, waiting.pk) for tab in PANEL_TABS]
    pages += [f"/api/workorders/{closed.pk}/"]
    for url in pages:
        assert client.get(url).status_code == 200, url
