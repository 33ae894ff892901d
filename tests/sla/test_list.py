"""The work-order list's SLA column (R34): the next due time of the running clock, coloured by
the same risk levels as the clocks panel, sortable, in the Excel export, with no query per row.

Frozen clock, default policy, standard calendar (see test_jobs.py)."""

from __future__ import annotations

import re
from datetime import datetime
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from aftersales.sla.choices import RiskLevel
from aftersales.sla.selectors import clocks_for
from aftersales.workorders.selectors import workorder_list
from tests import factories as f
from tests.timeutil import at, frozen

from .helpers import create, move

pytestmark = pytest.mark.django_db

LIST = reverse("workorders:list")
NOW = at(2026, 11, 4, 12)  # Wednesday noon


@pytest.fixture
def orders(people):
    """C is past due, A at risk, B and D on track (D on its diagnosis clock), E has no clock."""
    c = create(people, at(2026, 10, 30, 9))  # first response due Tue 3 Nov 18:00
    a = create(people, at(2026, 11, 2, 9))  # at risk from Wed 11:00, due Wed 18:00
    b = create(people, at(2026, 11, 3, 9))  # due Thu 18:00
    d = create(people, at(2026, 11, 2, 9))
    move(people, d, "accept", at(2026, 11, 2, 9, 30))  # diagnosis due Tue 10 Nov 09:30
    e = f.WorkOrderFactory(service_point=people.point)
    return type("Orders", (), dict(a=a, b=b, c=c, d=d, e=e))


def list_page(client, user, **params):
    client.force_login(user)
    with frozen(NOW):
        return client.get(LIST, params)


def cells(response) -> dict[str, tuple[datetime | None, str]]:
    """number -> (due time annotated, risk shown)."""
    content = response.content.decode()
    shown = {}
    for wo in response.context["rows"]:
        row = content[content.index(f'data-key="{wo.number}"') :]
        row = row[: row.index("</tr>")]
        risk = row.split('data-testid="sla-due" data-risk="')[1].split('"')[0] if "sla-due" in row else ""
        shown[wo.number] = (wo.sla_due_at, risk)
    return shown


def test_r34_the_list_shows_the_next_due_time_coloured_by_risk(client, people, orders):
    response = list_page(client, people.agent)

    shown = cells(response)
    assert shown[orders.c.number] == (at(2026, 11, 3, 18), RiskLevel.BREACHED)
    assert shown[orders.a.number] == (at(2026, 11, 4, 18), RiskLevel.WARNING)
    assert shown[orders.b.number] == (at(2026, 11, 5, 18), RiskLevel.OK)
    assert shown[orders.d.number] == (at(2026, 11, 10, 9, 30), RiskLevel.OK)
    assert shown[orders.e.number] == (None, "")
    content = response.content.decode()
    assert 'data-testid="sort-sla_due"' in content and "SLA due" in content
    assert "text-bg-danger" in content and "text-bg-warning" in content


@pytest.mark.parametrize(
    "moment",
    [
        at(2026, 11, 4, 10, 59),
        at(2026, 11, 4, 11),
        at(2026, 11, 4, 12, 30),
        at(2026, 11, 4, 18),
        at(2026, 11, 4, 18, 1),
    ],
)
def test_r34_the_list_risk_is_the_clocks_panel_risk(people, orders, moment):
    """The list computes the risk from two annotated times, the panel from the calendar: they agree
    (also at the 75 % instant, in the lunch break and exactly at the due time)."""
    from aftersales.sla.hooks import due_cell

    for wo in workorder_list(people.agent).filter(sla_due_at__isnull=False):
        with frozen(moment):
            running = [view for view in clocks_for(wo) if view.state == "running"]
            listed = re.search(r'data-risk="(\w+)"', due_cell(wo, people.agent)).group(1)
        assert listed == min(running, key=lambda view: view.due_at).risk, wo.number


def test_r34_the_list_sorts_by_due_time_with_rows_without_clock_last(client, people, orders):
    ascending = list(cells(list_page(client, people.agent, ordering="sla_due")))
    descending = list(cells(list_page(client, people.agent, ordering="-sla_due")))

    o = orders
    assert ascending == [o.c.number, o.a.number, o.b.number, o.d.number, o.e.number]
    assert descending == [o.d.number, o.b.number, o.a.number, o.c.number, o.e.number]


def test_r34_the_sla_column_costs_no_query_per_row(client, people, orders):
    client.force_login(people.agent)

    def queries() -> int:
        with frozen(NOW), CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(10):
        create(people, at(2026, 11, 3, 10))
    assert queries() == few


def test_r34_the_api_sorts_by_due_time_too(people, orders, api_client):
    with frozen(NOW):
        response = api_client(people.agent).get("/api/workorders/", {"ordering": "sla_due"})

    assert response.status_code == 200
    assert [row["number"] for row in response.json()["results"]][:2] == [orders.c.number, orders.a.number]


def test_r34_the_export_has_the_due_time(client, people, orders):
    client.force_login(people.agent)
    with frozen(NOW):
        response = client.get(reverse("workorders:export"), {"ordering": "sla_due"})

    rows = list(
        load_workbook(BytesIO(response.getvalue()), read_only=True).worksheets[0].iter_rows(values_only=True)
    )
    column = rows[0].index("SLA due")
    assert [(row[0], row[column]) for row in rows[1:3]] == [
        (orders.c.number, datetime(2026, 11, 3, 18)),
        (orders.a.number, datetime(2026, 11, 4, 18)),
    ]
    assert rows[-1][column] is None


def test_r34_sorting_by_due_time_survives_a_form_field_built_before(people, orders):
    """The API schema (and django-filter's DRF backend) build the ordering field of the class's
    filters once; the SLA sort key must still be accepted afterwards."""
    from django.http import QueryDict

    from aftersales.workorders.filtersets import WorkOrderFilterSet

    WorkOrderFilterSet.base_filters["ordering"].field  # noqa: B018 - builds and caches the field
    filterset = WorkOrderFilterSet(QueryDict("ordering=sla_due"), queryset=workorder_list(people.agent))

    with frozen(NOW):
        assert filterset.is_valid(), filterset.errors
        assert list(filterset.qs.values_list("number", flat=True))[:2] == [orders.c.number, orders.a.number]


def test_r34_the_work_order_keeps_the_due_time_of_its_running_clock_due_next(people, orders):
    """`sla_due_at` (what the list sorts on, by an index) is the running clocks' earliest due time
    through the lifecycle: set at intake, moved by accept, cleared while waiting, back on resume."""

    def kept(wo) -> datetime | None:
        wo.refresh_from_db()
        running = [view.due_at for view in clocks_for(wo) if view.state == "running"]
        assert wo.sla_due_at == min(running, default=None)
        return wo.sla_due_at

    wo = create(people, at(2026, 11, 2, 9))
    first_response = kept(wo)
    assert first_response == at(2026, 11, 4, 18)
    move(people, wo, "accept", at(2026, 11, 2, 9, 30))
    assert kept(wo) not in (None, first_response)
    move(people, wo, "assign", at(2026, 11, 2, 9, 40))
    move(people, wo, "start", at(2026, 11, 2, 9, 50))
    move(people, wo, "wait", at(2026, 11, 2, 10), waiting_reason="customer")
    assert kept(wo) is None
    move(people, wo, "resume", at(2026, 11, 3, 10))
    assert kept(wo) is not None


def test_r34_the_sla_sort_reads_the_work_orders_column_not_a_subquery(client, people, orders):
    client.force_login(people.agent)
    with frozen(NOW), CaptureQueriesContext(connection) as captured:
        client.get(LIST, {"ordering": "sla_due"})
    page = next(q["sql"] for q in captured if "ORDER BY" in q["sql"] and '"sla_warn_at"' in q["sql"])
    order_by = page[page.rindex("ORDER BY") :]
    assert '"workorders_workorder"."sla_due_at" ASC NULLS LAST' in order_by and "SELECT" not in order_by
