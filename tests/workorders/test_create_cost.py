"""What one intake costs the database (issue 9): a create over the API with automatic dispatch
(R5) and the SLA clocks (R34) issues at most 20 SQL statements (11 today, 13 when the best point has
no qualified engineer), authentication included, and the same number whatever the number of work
orders, engineers and service points."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales.workorders.choices import State, WorkOrderType
from aftersales.workorders.models import WorkOrder, WorkOrderEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

# Statements that read or write data: see README "What a create costs". Transaction control
# (BEGIN, COMMIT, the test transaction's savepoints) is not counted.
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")
CREATE_SQL_LIMIT = 20


@pytest.fixture
def hotline(agent):
    """A service point covering the customer's district with a qualified engineer, a device."""
    line = f.ProductLineFactory(code="PRN")
    model = f.ProductModelFactory(product_line=line)
    point = f.ServicePointFactory(district="徐汇区")
    engineer = f.EngineerFactory(service_point=point)
    today = timezone.localdate()
    f.QualificationFactory(
        engineer=engineer,
        product_line=line,
        certified_on=today - timedelta(days=3650),
        expires_on=today + timedelta(days=365),
    )
    customer = f.CustomerFactory(province="上海市", city="上海市", district="徐汇区")
    device = f.DeviceFactory(customer=customer, product_model=model)
    return type("Hotline", (), {"line": line, "point": point, "customer": customer, "device": device})


def create(client, hotline, **extra):
    payload = {
        "customer": hotline.customer.pk,
        "device": hotline.device.pk,
        "contact_name": "张伟",
        "contact_phone": "13812345678",
        "type": WorkOrderType.REPAIR,
        "fault_symptom": "卡纸",
        **extra,
    }
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/workorders/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    statements = [query["sql"] for query in queries.captured_queries]
    return response.json(), [sql for sql in statements if not sql.startswith(TRANSACTION_CONTROL)]


def more_of_everything(hotline, count: int) -> None:
    """Other points, engineers with open work, and closed history: what grows in a live system.
    The points are in the customer's city, not district, so the hotline's point still ranks first
    (whatever codes the factories give them)."""
    for _ in range(count):
        point = f.ServicePointFactory(district="静安区")
        engineer = f.EngineerFactory(service_point=point)
        f.WorkOrderFactory(service_point=point, engineer=engineer, state=State.IN_SERVICE)
        f.WorkOrderFactory(service_point=point, state=State.CLOSED)


def test_r5_r34_create_over_the_api_issues_at_most_20_statements(client, agent, hotline):
    client.force_login(agent)
    create(client, hotline)  # warm: the first create of the day inserts the number counter
    body, statements = create(client, hotline)
    assert len(statements) <= CREATE_SQL_LIMIT, "\n".join(statements)
    assert len(statements) == 11, "\n".join(statements)  # README "What a create costs"
    work_order = WorkOrder.objects.get(pk=body["id"])
    # the work order is written once, complete: automatic dispatch chose its point before the insert
    assert work_order.service_point == hotline.point and work_order.version == 1
    assert sum(sql.startswith('INSERT INTO "workorders_workorder"') for sql in statements) == 1
    assert not any(sql.startswith("UPDATE") for sql in statements)  # the SLA due time too was planned
    kinds = list(WorkOrderEvent.objects.filter(work_order=work_order).values_list("kind", flat=True))
    assert kinds == ["created", "dispatch"]  # both in one INSERT
    clock = work_order.sla_clocks.get(kind="first_response")
    assert work_order.sla_due_at == clock.due_at is not None  # R34: the list's SLA sort key


def test_create_cost_does_not_grow_with_work_orders_points_or_engineers(client, agent, hotline):
    client.force_login(agent)
    create(client, hotline)
    _, few = create(client, hotline)
    more_of_everything(hotline, 30)
    _, cold = create(client, hotline)  # new points: routing reads them into memory again
    assert len(cold) <= len(few) + 3, "\n".join(cold)
    _, many = create(client, hotline)
    assert len(many) == len(few), "\n".join(many)


def test_r5_create_looks_further_when_the_best_point_has_no_qualified_engineer(client, agent, hotline):
    """Routing reads the best point's engineers first and the next points' only when it has
    none qualified: still within the limit, and the same choice as the dispatch board's."""
    unstaffed = f.ServicePointFactory(code="A-FIRST", district="徐汇区")  # ranks first: same region
    f.EngineerFactory(service_point=unstaffed)  # not qualified for the line
    client.force_login(agent)
    create(client, hotline)
    body, statements = create(client, hotline)
    assert len(statements) <= CREATE_SQL_LIMIT, "\n".join(statements)
    work_order = WorkOrder.objects.get(pk=body["id"])
    assert work_order.service_point == hotline.point
    why = work_order.events.get(kind="dispatch").params["why"]
    assert f"{unstaffed} has no qualified engineer available today" in why
    assert len(statements) == 13, "\n".join(statements)  # 11 + engineers, their visits


def test_r1_a_request_naming_a_product_model_reads_it_from_memory(client, agent, hotline):
    """Without a registered device the request names the product model (R38's line, the SLA and
    warranty follow from it): resolved from the reference data in memory, not by a query; a model
    added in the admin is known at once, an unknown id is the field's error."""
    client.force_login(agent)
    model = hotline.device.product_model
    create(client, hotline, device=None, product_model=model.pk)
    body, statements = create(client, hotline, device=None, product_model=model.pk)
    assert body["product_model"]["id"] == model.pk
    assert not [sql for sql in statements if '"catalog_productmodel"' in sql], "\n".join(statements)
    assert len(statements) == 10, "\n".join(statements)  # the device's lookup is not needed either
    work_order = WorkOrder.objects.get(pk=body["id"])
    assert work_order.product_model == model and work_order.service_point == hotline.point
    added = f.ProductModelFactory(product_line=hotline.line)
    body, _ = create(client, hotline, device=None, product_model=added.pk)
    assert body["product_model"]["id"] == added.pk
    for wrong, code in ((999999, "does_not_exist"), ("x", "incorrect_type"), (True, "incorrect_type")):
        response = client.post(
            "/api/workorders/",
            {
                "customer": hotline.customer.pk,
                "type": "repair",
                "fault_symptom": "卡纸",
                "product_model": wrong,
            },
            content_type="application/json",
        )
        assert response.status_code == 400, response.content
        assert response.json()["errors"][0]["field"] == "product_model"
        assert response.json()["errors"][0]["code"] == code
