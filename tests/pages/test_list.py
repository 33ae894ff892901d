"""Work-order list: filters, search, sort, pagination, HTMX partial, Excel export, scoping (R37),
masking and logging (R41), and a query count that does not grow with the rows."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from aftersales.core.models import AccessLog
from aftersales.workorders.choices import Priority, State, WorkOrderType

from .. import factories as f

pytestmark = pytest.mark.django_db

LIST = reverse("workorders:list")


def numbers(response) -> list[str]:
    return [wo.number for wo in response.context["rows"]]


def test_list_shows_rows_with_state_badges(client, agent, order):
    client.force_login(agent)
    response = client.get(LIST)
    assert response.status_code == 200
    assert order.number in numbers(response)
    assert b'data-testid="state"' in response.content
    assert b'data-testid="filter-form"' in response.content


def test_list_filters_by_state_multi_type_priority(client, agent, world):
    accepted = f.WorkOrderFactory(service_point=world.point_a, state=State.ACCEPTED, priority=Priority.URGENT)
    waiting = f.WorkOrderFactory(
        service_point=world.point_a, state=State.WAITING, type=WorkOrderType.CONSULTATION
    )
    f.WorkOrderFactory(service_point=world.point_a, state=State.CLOSED)
    client.force_login(agent)
    response = client.get(LIST, {"state": ["accepted", "waiting"]})
    assert sorted(numbers(response)) == sorted([accepted.number, waiting.number])
    assert numbers(client.get(LIST, {"priority": "urgent"})) == [accepted.number]
    assert numbers(client.get(LIST, {"type": "consultation"})) == [waiting.number]


def test_list_filters_by_service_point_and_engineer(client, agent, world):
    assigned = f.WorkOrderFactory(
        service_point=world.point_b, engineer=world.engineer_b, state=State.ASSIGNED
    )
    client.force_login(agent)
    response = client.get(LIST, {"service_point": world.point_b.pk})
    assert sorted(numbers(response)) == sorted([world.order_b.number, assigned.number])
    assert numbers(client.get(LIST, {"engineer": world.engineer_b.pk})) == [assigned.number]


def test_r37_filter_choices_limited_to_scope(client, world):
    client.force_login(world.staff_a)
    response = client.get(LIST)
    form = response.context["filterset"].form
    assert list(form.fields["service_point"].queryset) == [world.point_a]
    assert list(form.fields["engineer"].queryset) == [world.engineer_a]
    # Asking for the other dealer's point does not widen the scope.
    response = client.get(LIST, {"service_point": world.point_b.pk})
    assert numbers(response) == [world.order_a.number]


def test_list_search_by_number_customer_phone_serial(client, agent, world):
    target = f.WorkOrderFactory(
        service_point=world.point_a,
        customer=f.CustomerFactory(name="杭州天目山文具有限公司"),
        contact_phone="+8615800001111",
        serial_number="CNB7K12345",
    )
    client.force_login(agent)
    for query in (target.number, "天目山", "15800001111", "0001111", "b7k123"):
        assert numbers(client.get(LIST, {"q": query})) == [target.number], query


def test_list_sort_and_pagination(client, agent, world):
    for _ in range(30):
        f.WorkOrderFactory(service_point=world.point_a)
    client.force_login(agent)
    first = client.get(LIST, {"ordering": "number"})
    assert first.context["page"].paginator.count == 32
    assert len(numbers(first)) == 25
    assert numbers(first) == sorted(numbers(first))
    second = client.get(LIST, {"ordering": "number", "page": 2})
    assert len(numbers(second)) == 7
    assert numbers(second)[0] > numbers(first)[-1]
    descending = client.get(LIST, {"ordering": "-number"})
    assert numbers(descending)[0] == max(numbers(first) + numbers(second))
    assert b'data-testid="page-next"' in first.content
    assert b'data-testid="sort-number"' in first.content


def test_list_htmx_returns_only_the_table_partial(client, agent, order):
    client.force_login(agent)
    response = client.get(LIST, {"q": order.number}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="list-results"')
    assert "<html" not in body and "filter-form" not in body
    assert order.number in body
    assert "HX-Request" in response["Vary"]


def test_list_empty_state(client, agent, world):
    client.force_login(agent)
    response = client.get(LIST, {"q": "no-such-thing"})
    assert b'data-testid="empty"' in response.content


def test_list_query_count_does_not_grow_with_rows(client, agent, world):
    client.force_login(agent)

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST)
        assert response.status_code == 200
        return len(captured)

    f.WorkOrderFactory(service_point=world.point_a, engineer=world.engineer_a, state=State.ASSIGNED)
    small = queries_for_list()  # 3 rows
    for _ in range(27):
        f.WorkOrderFactory(service_point=world.point_b, engineer=world.engineer_b, state=State.ASSIGNED)
    large = queries_for_list()  # 30 rows
    assert large == small


def test_r41_list_masks_phone_for_every_role(client, finance, agent, order):
    """A list shows 139****5678 to everyone, the agent who works the order included."""
    for user in (finance, agent):
        client.force_login(user)
        body = client.get(LIST).content.decode()
        assert "139****5678" in body and "13912345678" not in body


def _sheet(response) -> list[tuple]:
    workbook = load_workbook(BytesIO(response.getvalue()), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def test_r41_export_has_filtered_rows_and_is_logged(client, agent, world):
    accepted = f.WorkOrderFactory(service_point=world.point_a, state=State.ACCEPTED)
    client.force_login(agent)
    response = client.get(reverse("workorders:export"), {"state": "accepted"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _sheet(response)
    assert [row[0] for row in rows[1:]] == [accepted.number]
    log = AccessLog.objects.get()
    assert log.actor == agent and log.action == "export" and "1 rows" in log.detail


def test_r37_export_of_dealer_has_no_foreign_rows(client, world):
    client.force_login(world.staff_b)
    rows = _sheet(client.get(reverse("workorders:export")))
    assert [row[0] for row in rows[1:]] == [world.order_b.number]


def test_r41_export_masks_phone_for_finance(client, finance, order):
    client.force_login(finance)
    rows = _sheet(client.get(reverse("workorders:export"), {"q": order.number}))
    assert rows[1][7] == "139****5678"
